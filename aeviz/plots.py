"""Plot builders: arrays in, plotly figures out. No Streamlit here.

Images are drawn as one heatmap of a tiled mosaic (crisp: each pixel is a cell, no smoothing),
with white gaps (NaN) between tiles. Figures are written as plain plotly JSON specs and wrapped
without plotly.py's validation: building a validated figure cost 15-35 ms each here, the dict ~1 ms,
and a page shows several. The specs use only what plotly.js documents, so nothing is lost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

GRAY = [[0.0, "black"], [1.0, "white"]]  # ink is white on black, as the models see it
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]  # weights: blue negative, white 0, red positive
HOT = "Hot"  # plotly.js: black -> red -> yellow -> white
VIRIDIS = "Viridis"
BLUES = [[0.0, "#f7fbff"], [1.0, "#6baed6"]]  # light cells for numbers
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
]  # fmt: skip
FONT = {"size": 16}  # readable from the back of a classroom
PNG_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "aeviz"}}


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from a ready spec, without plotly.py's (slow) validation."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def mosaic(images: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """(N, H, W) -> one (rows*(H+gap)-gap, cols*(W+gap)-gap) array, NaN between tiles and after the last."""
    n, h, w = images.shape
    rows = max(1, math.ceil(n / cols))
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i]
    return out


def _layout(title: str | None, height: int, width: int | None = None, **extra: Any) -> dict:
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        "font": FONT,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        **extra,
    }
    if title:
        layout["title"] = {"text": title}
    if width:
        layout["width"] = width
    return layout


IMAGE_AXIS = {"showticklabels": False, "showgrid": False, "zeroline": False}


def _image_layout(title: str | None, height: int, **extra: Any) -> dict:
    return _layout(
        title,
        height,
        xaxis={**IMAGE_AXIS, "constrain": "domain"},
        yaxis={**IMAGE_AXIS, "autorange": "reversed", "scaleanchor": "x"},
        **extra,
    )


def image_grid(
    images: np.ndarray,
    cols: int = 10,
    *,
    title: str | None = None,
    zmin: float = 0.0,
    zmax: float = 1.0,
    colorscale: Any = GRAY,
    zmid: float | None = None,
    showscale: bool = False,
    tile_px: int = 56,
    hover: str = "value %{z:.2f}",
    col_labels: Sequence[str] | None = None,
) -> go.Figure:
    """A grid of (N, H, W) images as one crisp heatmap; `col_labels` go under the first row's tiles."""
    return figure(*_grid_spec(**locals()))


def _grid_spec(
    images, cols, *, title, zmin, zmax, colorscale, zmid, showscale, tile_px, hover, col_labels
) -> tuple[list[dict], dict]:
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        images = images[:, 0]  # (N, 1, H, W) -> (N, H, W)
    n, h, w = images.shape
    cols = max(1, min(cols, n))
    z = mosaic(images, cols)
    trace = {
        "type": "heatmap", "z": z, "zmin": zmin, "zmax": zmax, "colorscale": colorscale,
        "showscale": showscale, "hovertemplate": hover + "<extra></extra>",
    }  # fmt: skip
    if zmid is not None:
        trace["zmid"] = zmid
    rows = z.shape[0] / (h + 1)
    scale = tile_px / max(h, w)
    layout = _image_layout(title, int(rows * (h + 1) * scale) + (60 if title else 20))
    if col_labels is not None:
        ticks = [i * (w + 1) + w / 2 for i in range(len(col_labels))]
        layout["xaxis"].update(showticklabels=True, tickmode="array", tickvals=ticks, ticktext=list(col_labels), side="bottom")
        layout["height"] += 30
    return [trace], layout


def filter_grid(weights: np.ndarray, cols: int = 16, *, title: str | None = None, tile_px: int = 40) -> go.Figure:
    """Learned filters (N, h, w) with a diverging scale symmetric about 0 (lecture 000's tiles).

    Each filter is scaled by its own largest |weight| so faint ones stay visible; the colour
    says the sign, which is what the lesson is about.
    """
    w = np.asarray(weights, dtype=np.float32)
    w = w / np.maximum(np.abs(w).reshape(len(w), -1).max(1), 1e-12)[:, None, None]
    return image_grid(
        w, cols, title=title, zmin=-1, zmax=1, zmid=0, colorscale=DIVERGING, tile_px=tile_px, hover="weight/max %{z:.2f}"
    )


def reconstruction_rows(
    rows: Sequence[np.ndarray], labels: Sequence[str], *, title: str | None = None, tile_px: int = 64
) -> go.Figure:
    """Rows of images (each (N, H, W)), e.g. inputs / reconstructions / |x - x_hat|, labelled on the left."""
    rows = [np.asarray(r, dtype=np.float32).reshape(len(r), *np.shape(r)[-2:]) for r in rows]
    n, h = len(rows[0]), rows[0].shape[1]
    data, layout = _grid_spec(
        np.concatenate(rows), n, title=title, zmin=0.0, zmax=1.0, colorscale=GRAY, zmid=None, showscale=False,
        tile_px=tile_px, hover="value %{z:.2f}", col_labels=None,
    )  # fmt: skip
    ticks = [i * (h + 1) + h / 2 for i in range(len(rows))]
    layout["yaxis"].update(showticklabels=True, tickmode="array", tickvals=ticks, ticktext=list(labels))
    layout["margin"]["l"] = 140
    return figure(data, layout)


def latent_scatter(
    z: np.ndarray,
    labels: np.ndarray,
    label_names: Sequence[str],
    *,
    title: str | None = None,
    axis_titles: tuple[str, str] = ("z1", "z2"),
    selected: int | None = None,
    rows: np.ndarray | None = None,
) -> go.Figure:
    """2-D codes coloured by class, one trace per class so the legend toggles classes.

    `customdata` carries each point's dataset row (`rows`, default its position): a click maps back to the image.
    """
    z, labels = np.asarray(z), np.asarray(labels)
    rows = np.arange(len(z)) if rows is None else np.asarray(rows)
    data = []
    for c, name in enumerate(label_names):
        idx = np.flatnonzero(labels == c)
        data.append({
            "type": "scatter", "x": z[idx, 0], "y": z[idx, 1], "mode": "markers",
            "name": f"{c}: {name}" if name != str(c) else name,
            "marker": {"size": 7, "color": PALETTE[c % 10], "opacity": 0.75},
            "customdata": rows[idx],
            "hovertemplate": f"{name}<br>image #%{{customdata}}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
        })  # fmt: skip
    if selected is not None:
        data.append({
            "type": "scatter", "x": [float(z[selected, 0])], "y": [float(z[selected, 1])], "mode": "markers",
            "name": "selected", "hoverinfo": "skip",
            "marker": {"size": 18, "color": "rgba(0,0,0,0)", "line": {"color": "black", "width": 3}},
        })  # fmt: skip
    grid = {"showgrid": True, "gridcolor": "#eee", "zeroline": True, "zerolinecolor": "#ccc"}
    layout = _layout(
        title,
        560,
        xaxis={**grid, "title": {"text": axis_titles[0]}},
        yaxis={**grid, "title": {"text": axis_titles[1]}},
        clickmode="event+select",
        dragmode="pan",
    )
    return figure(data, layout)


def manifold(images: np.ndarray, extent: tuple[float, float, float, float], *, title: str | None = None) -> go.Figure:
    """Decoded grid (n, n, H, W) over the latent box (x0, x1, y0, y1), axes in latent units.

    Row 0 of `images` is the top of the plot (largest z2).
    """
    n_y, n_x, h, w = images.shape
    z = mosaic(images.reshape(-1, h, w), n_x, gap=0)
    x0, x1, y0, y1 = extent
    trace = {
        "type": "heatmap", "z": z[::-1], "x": np.linspace(x0, x1, n_x * w), "y": np.linspace(y0, y1, n_y * h),
        "zmin": 0, "zmax": 1, "colorscale": GRAY, "showscale": False,
        "hovertemplate": "z = (%{x:.2f}, %{y:.2f})<extra></extra>",
    }  # fmt: skip
    layout = _layout(title, 560, xaxis={"title": {"text": "z1"}}, yaxis={"title": {"text": "z2"}, "scaleanchor": "x"})
    return figure([trace], layout)


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


def _num(x: float, fmt: str) -> str:
    """A cell's text: integers without a decimal point, other numbers with `fmt`, trailing zeros cut."""
    if fmt in ("d", "g") or float(x).is_integer():
        return str(int(x)) if float(x).is_integer() else format(x, "g")
    text = format(x, fmt)
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_grid(values: np.ndarray, *, title: str | None = None, fmt: str = ".2f") -> go.Figure:
    """A small matrix shown as numbers in cells (the slides' worked examples)."""
    v = np.asarray(values, dtype=np.float64)
    trace = {
        "type": "heatmap", "z": v, "text": [[_num(x, fmt) for x in row] for row in v], "texttemplate": "%{text}",
        "textfont": {"size": 18}, "colorscale": BLUES, "showscale": False, "xgap": 2, "ygap": 2, "hoverinfo": "skip",
    }  # fmt: skip
    size = 52
    layout = _image_layout(title, v.shape[0] * size + (60 if title else 20))
    layout["width"] = v.shape[1] * size + 20
    return figure([trace], layout)


def bar(
    names: Sequence[str], values: Sequence[float], *, title: str | None = None, yaxis: str = "", fmt: str = ".4f"
) -> go.Figure:
    trace = {
        "type": "bar", "x": list(names), "y": list(values), "text": [format(v, fmt) for v in values], "textposition": "outside",
    }  # fmt: skip
    return figure([trace], _layout(title, 380, yaxis={"title": {"text": yaxis}}))
