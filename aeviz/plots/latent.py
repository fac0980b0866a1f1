"""The latent space: codes as a scatter, the decoded grid over it, and a VAE's q(z|x) drawn in the plane."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from aeviz.plots.base import CHAR_PX, GRAY, LEGEND_PX, PALETTE, SYMBOLS, _layout, figure
from aeviz.plots.pixels import _key, image_trace, levels, mosaic, palette, rgb


def latent_scatter(
    z: np.ndarray,
    labels: np.ndarray,
    label_names: Sequence[str],
    *,
    title: str | None = None,
    axis_titles: tuple[str, str] = ("z1", "z2"),
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
            "type": "scatter", "x": z[idx, 0].round(4), "y": z[idx, 1].round(4), "mode": "markers",
            "name": f"{c}: {name}" if name != str(c) else name,
            "marker": {"size": 8, "color": PALETTE[c % 10], "symbol": SYMBOLS[c % 10], "opacity": 0.85,
                       "line": {"width": 0.5, "color": "#333"}},
            # the clicked point stands out; the others keep their look (restyling them all cost a click ~5 ms more)
            "selected": {"marker": {"size": 16, "opacity": 1}}, "unselected": {"marker": {"opacity": 0.85}},
            "customdata": rows[idx],
            "hovertemplate": f"{name}<br>image #%{{customdata}}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
        })  # fmt: skip
    # ranges given, not autoranged (see images._image_layout); plotly.js's double click returns to them
    lo, hi = (z.min(0), z.max(0)) if len(z) else (np.zeros(2), np.ones(2))
    pad = 0.05 * np.maximum(hi - lo, 1e-6)
    layout = _layout(
        title,
        560,
        xaxis={"title": {"text": axis_titles[0]}, "range": [float(lo[0] - pad[0]), float(hi[0] + pad[0])]},
        yaxis={"title": {"text": axis_titles[1]}, "range": [float(lo[1] - pad[1]), float(hi[1] + pad[1])]},
        clickmode="event+select",
        dragmode="pan",
    )
    layout["margin"]["r"] = LEGEND_PX + CHAR_PX * max((len(t["name"]) for t in data), default=0)
    return figure(data, layout)


def manifold(images: np.ndarray, extent: tuple[float, float, float, float], *, title: str | None = None) -> go.Figure:
    """Decoded grid (n, n, H, W) over the latent box (x0, x1, y0, y1), axes in latent units.

    Row 0 of `images` is the top of the plot (largest z2).
    """
    (n_y, n_x), (h, w) = images.shape[:2], images.shape[-2:]  # (n, n, H, W), (n, n, 1, H, W) or colour (n, n, 3, H, W)
    colour = images.ndim == 5 and images.shape[2] == 3
    z = mosaic(images.reshape(-1, 3, h, w) if colour else images.reshape(-1, h, w), n_x, gap=0)
    x0, x1, y0, y1 = extent
    dx, dy = (x1 - x0) / (n_x * w), (y1 - y0) / (n_y * h)
    # row 0 at the top: pixel (i, j) centred on (x0 + (j + 1/2) dx, y1 - (i + 1/2) dy), z2 growing upwards
    scale = max(1, round(560 / z.shape[0]))
    pixels, colors = (rgb(z), None) if colour else (levels(z, 0, 1), palette((_key(GRAY),)))
    trace = image_trace(pixels, colors, scale, x0 + dx / 2, dx, y1 - dy / 2, -dy)
    layout = _layout(
        title,
        560,
        xaxis={"title": {"text": "z1"}, "range": [x0, x1]},
        yaxis={"title": {"text": "z2"}, "range": [y0, y1], "scaleanchor": "x"},
    )
    return figure([trace], layout)


def gaussian_overlay(fig: go.Figure, mu: Sequence[float], sigma: Sequence[float], z: Sequence[float]) -> go.Figure:
    """A latent scatter with q(z|x) = N(mu, diag(sigma^2)) drawn over it: its 1 and 2 sigma ellipses,
    its mean and the sampled z (lecture 001's reparameterisation, in the plane)."""
    spec = fig.to_plotly_json()
    layout = dict(spec["layout"])
    layout["shapes"] = [
        {"type": "circle", "xref": "x", "yref": "y", "x0": mu[0] - k * sigma[0], "x1": mu[0] + k * sigma[0],
         "y0": mu[1] - k * sigma[1], "y1": mu[1] + k * sigma[1], "line": {"color": "#000", "width": 2, "dash": dash}}
        for k, dash in ((1, "solid"), (2, "dot"))
    ]  # fmt: skip
    marks = [
        {"type": "scatter", "x": [mu[0]], "y": [mu[1]], "mode": "markers", "name": "μ",
         "marker": {"symbol": "cross", "size": 14, "color": "#000"}},
        {"type": "scatter", "x": [z[0]], "y": [z[1]], "mode": "markers", "name": "z = μ + σ ⊙ ε",
         "marker": {"symbol": "star", "size": 16, "color": "#c4122f", "line": {"width": 1, "color": "#000"}}},
    ]  # fmt: skip
    return figure([*spec["data"], *marks], layout)
