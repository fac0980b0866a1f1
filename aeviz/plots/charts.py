"""Charts of numbers: training curves, fits, bars, histograms and a class's sweep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from aeviz.plots.base import CHAR_PX, LEGEND_PX, PALETTE, SYMBOLS, _layout, figure


def loss_curve(steps: Sequence[dict[str, float]], *, title: str | None = "Training loss", smooth: int = 20) -> go.Figure:
    """Loss parts per step (total, reconstruction, regulariser), smoothed by a running mean."""
    data = []
    if steps:
        x = np.array([s["step"] for s in steps])
        for key, name in (("loss", "total"), ("recon", "reconstruction"), ("reg", "regulariser")):
            y = np.array([s[key] for s in steps], dtype=np.float64)
            if key == "reg" and not np.any(y):
                continue
            k = max(1, min(smooth, len(y) // 5))
            y = np.convolve(y, np.ones(k) / k, mode="valid") if k > 1 else y
            data.append({"type": "scatter", "x": x[len(x) - len(y) :], "y": y, "mode": "lines", "name": name})
    layout = _layout(title, 360, xaxis={"title": {"text": "step"}}, yaxis={"title": {"text": "loss per image"}, "type": "log"})
    return figure(data, layout)


def curves(
    series: dict[str, Sequence[float]],
    *,
    title: str | None = None,
    x: str = "step",
    y: str = "loss",
    log: bool = False,
    x_values: Sequence[float] | None = None,
) -> go.Figure:
    """Curves: one line per named series, against `x_values` (default its index, 1, 2, ...)."""
    data = [
        {"type": "scatter", "x": np.asarray(x_values) if x_values is not None else np.arange(1, len(v) + 1),
         "y": np.asarray(v, np.float64), "mode": "lines", "name": name}
        for name, v in series.items()
    ]  # fmt: skip
    yaxis = {"title": {"text": y}, **({"type": "log"} if log else {})}
    layout = _layout(title, 320, xaxis={"title": {"text": x}}, yaxis=yaxis)
    layout["margin"]["r"] = LEGEND_PX + CHAR_PX * max((len(n) for n in series), default=0)  # room for the legend
    return figure(data, layout)


def points_and_fits(
    x: np.ndarray, y: np.ndarray, fits: dict[str, np.ndarray], *, title: str | None = None, x_label: str = "x", y_label: str = "y"
) -> go.Figure:
    """Data points, and each named fit as a line over the same x (sorted): lecture 002's φ(x) = x²."""
    order = np.argsort(x)
    data = [{"type": "scatter", "x": x, "y": y, "mode": "markers", "name": "data", "marker": {"size": 5, "color": "#555"}}]
    data += [{"type": "scatter", "x": x[order], "y": f[order], "mode": "lines", "name": name} for name, f in fits.items()]
    layout = _layout(title, 320, xaxis={"title": {"text": x_label}}, yaxis={"title": {"text": y_label}})
    layout["margin"]["r"] = LEGEND_PX + CHAR_PX * max((len(n) for n in fits), default=0)
    return figure(data, layout)


def bar(
    names: Sequence[str], values: Sequence[float], *, title: str | None = None, yaxis: str = "", fmt: str = ".4f"
) -> go.Figure:
    trace = {
        "type": "bar", "x": list(names), "y": list(values), "text": [format(v, fmt) for v in values], "textposition": "outside",
    }  # fmt: skip
    return figure([trace], _layout(title, 380, yaxis={"title": {"text": yaxis}}))


def histograms(series: dict[str, Sequence[float]], *, title: str | None = None, x: str = "", bins: int = 40) -> go.Figure:
    """Overlaid histograms of named samples over shared bins, as densities (samples of any size compare)."""
    allv = np.concatenate([np.asarray(v, np.float64) for v in series.values()])
    edges = np.linspace(float(allv.min()), float(allv.max()) + 1e-12, bins + 1)
    data = []
    for i, (name, v) in enumerate(series.items()):
        counts, _ = np.histogram(np.asarray(v, np.float64), edges, density=True)
        data.append({
            "type": "bar", "x": (edges[:-1] + edges[1:]) / 2, "y": counts, "name": name, "opacity": 0.6,
            "marker": {"color": PALETTE[i % 10]}, "width": float(edges[1] - edges[0]),
        })  # fmt: skip
    layout = _layout(title, 340, xaxis={"title": {"text": x}}, yaxis={"title": {"text": "density"}}, barmode="overlay")
    layout["margin"]["r"] = LEGEND_PX + CHAR_PX * max(len(n) for n in series)
    return figure(data, layout)


def sweep(
    x: Sequence[float],
    y: Sequence[float],
    groups: Sequence[str],
    *,
    names: Sequence[str] | None = None,
    log_x: bool = False,
    reference: tuple[Sequence[float], Sequence[float], str] | None = None,
    title: str | None = None,
    x_label: str = "value",
    y_label: str = "test MSE",
) -> go.Figure:
    """A class's sweep: one point per model (x its swept value, y its metric), coloured by `groups`
    (the family), the class's trend (the mean per value, in x order) and a `reference` line (x, y, name):
    PCA's error at the same code size."""
    x, y, groups = np.asarray(x, np.float64), np.asarray(y, np.float64), list(groups)
    names = list(names) if names is not None else [""] * len(x)
    data = []
    for k, g in enumerate(dict.fromkeys(groups)):
        idx = [i for i, h in enumerate(groups) if h == g]
        data.append({"type": "scatter", "x": x[idx], "y": y[idx], "mode": "markers", "name": g,
                     "text": [names[i] for i in idx], "marker": {"size": 12, "color": PALETTE[k % 10], "symbol": SYMBOLS[k % 10],
                     "line": {"width": 0.5, "color": "#333"}},
                     "hovertemplate": "%{text}<br>%{x:.3g}: %{y:.4f}<extra></extra>"})  # fmt: skip
    if len(x) >= 2:
        xs = np.unique(x)
        trend = [float(y[x == v].mean()) for v in xs]
        data.append({"type": "scatter", "x": xs, "y": trend, "mode": "lines", "name": "class trend",
                     "line": {"color": "#333", "width": 2}})  # fmt: skip
    if reference is not None:
        rx, ry, rname = reference
        data.append({"type": "scatter", "x": np.asarray(rx, np.float64), "y": np.asarray(ry, np.float64), "mode": "lines",
                     "name": rname, "line": {"color": "#888", "dash": "dash"}})  # fmt: skip
    xaxis = {"title": {"text": x_label}, **({"type": "log"} if log_x else {})}
    layout = _layout(title, 420, xaxis=xaxis, yaxis={"title": {"text": y_label}})
    layout["margin"]["r"] = LEGEND_PX + CHAR_PX * max((len(t["name"]) for t in data), default=0)
    return figure(data, layout)
