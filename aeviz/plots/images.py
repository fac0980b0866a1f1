"""Pictures: grids of images, learned filters, rows of reconstructions, and small matrices of numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from aeviz.plots.base import BLUES, CHAR_PX, DIVERGING, GRAY, _layout, figure
from aeviz.plots.pixels import COLORBAR_PX, GAP, _key, colorbar_trace, gray, image_trace, is_colour, levels, mosaic, palette, rgb

IMAGE_AXIS = {"showticklabels": False, "showgrid": False, "zeroline": False, "fixedrange": True, "ticklabelstandoff": 6}


def _image_layout(title: str | None, height: int, size: tuple[int, int], **extra: Any) -> dict:
    """Axes for a picture of `size` (rows, columns) cells centred on integers, row 0 at the top.

    The ranges are given, not autoranged: plotly.js could otherwise find them changed when Streamlit
    hands it the figure's copy mid-draw, and draw the picture a second time.
    """
    rows, cols = size
    return _layout(
        title,
        height,
        xaxis={**IMAGE_AXIS, "constrain": "domain", "range": [-0.5, cols - 0.5]},
        yaxis={**IMAGE_AXIS, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},
        dragmode=False,
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
    showscale: bool = False,
    tile_px: int = 56,
    col_labels: Sequence[str] | None = None,
) -> go.Figure:
    """A grid of (N, H, W) images (or colour, (N, 3, H, W)) as one crisp picture; `col_labels` go
    under the first row's tiles."""
    images = np.asarray(images, dtype=np.float32)
    if is_colour(images):
        n, _, h, w = images.shape
        trace, layout = _picture(rgb(mosaic(images, max(1, min(cols, n))), zmin, zmax), None, (h, w), tile_px, title)
        _label_tiles(layout, (h, w), cols=col_labels)
        return figure([trace], layout)
    images = gray(images)
    n, h, w = images.shape
    idx = levels(mosaic(images, max(1, min(cols, n))), zmin, zmax)
    trace, layout = _picture(idx, palette((_key(colorscale),)), (h, w), tile_px, title)
    _label_tiles(layout, (h, w), cols=col_labels)
    if showscale:
        layout["margin"]["r"] = COLORBAR_PX
    return figure([trace, colorbar_trace(zmin, zmax, colorscale)] if showscale else [trace], layout)


def _picture(idx: np.ndarray, colors: np.ndarray, tile: tuple[int, int], tile_px: int, title: str | None) -> tuple[dict, dict]:
    """The image trace of a mosaic's palette indices and its layout, each tile drawn about `tile_px` pixels tall."""
    px = tile_px / max(tile)
    height = int(idx.shape[0] * px) + (60 if title else 20)
    return image_trace(idx, colors, max(1, round(px))), _image_layout(title, height, idx.shape[:2])


def _label_tiles(
    layout: dict, tile: tuple[int, int], *, rows: Sequence[str] | None = None, cols: Sequence[str] | None = None
) -> None:
    """Labels left of each row and under each column of tiles, with margins sized to fit them."""
    h, w = tile
    if rows is not None:
        ticks = [i * (h + 1) + (h - 1) / 2 for i in range(len(rows))]
        layout["yaxis"].update(showticklabels=True, tickmode="array", tickvals=ticks, ticktext=list(rows))
        layout["margin"]["l"] = 20 + CHAR_PX * max(map(len, rows), default=0)
    if cols is not None:
        ticks = [i * (w + 1) + (w - 1) / 2 for i in range(len(cols))]
        layout["xaxis"].update(showticklabels=True, tickmode="array", tickvals=ticks, ticktext=list(cols), side="bottom")
        layout["margin"]["b"] = 40
        layout["height"] += 30


def filter_grid(weights: np.ndarray, cols: int = 16, *, title: str | None = None, tile_px: int = 40) -> go.Figure:
    """Learned filters (N, h, w) with a diverging scale symmetric about 0 (lecture 000's tiles).

    Each filter is scaled by its own largest |weight| so faint ones stay visible; the colour
    says the sign, which is what the lesson is about.
    """
    w = np.asarray(weights, dtype=np.float32)
    w = w / np.maximum(np.abs(w).reshape(len(w), -1).max(1), 1e-12).reshape(-1, *[1] * (w.ndim - 1))
    if is_colour(w):  # a colour input layer's filters: each channel's weight as that colour, 0 at mid-grey
        return image_grid(w, cols, title=title, zmin=-1, zmax=1, tile_px=tile_px)
    return image_grid(w, cols, title=title, zmin=-1, zmax=1, colorscale=DIVERGING, tile_px=tile_px)


def reconstruction_rows(
    rows: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    title: str | None = None,
    tile_px: int = 64,
    colorscales: Sequence[Any] | None = None,
    col_labels: Sequence[str] | None = None,
) -> go.Figure:
    """Rows of images (each (N, H, W)), e.g. x / x_hat / |x - x_hat|, labelled on the left.

    Each row may have its own colour scale over [0, 1] (gray by default; "Hot" suits errors);
    `col_labels` go under the columns (e.g. each image's MSE).
    """
    keys = [_key(cs) for cs in colorscales or [GRAY] * len(rows)]
    slots = tuple(dict.fromkeys(keys))  # each colour scale once in the palette
    colour = any(is_colour(r) for r in rows)
    rows = [np.asarray(r, dtype=np.float32) if is_colour(r) else gray(r) for r in rows]
    n, h, w = len(rows[0]), *rows[0].shape[-2:]
    parts = []
    for r, k in zip(rows, keys, strict=True):
        if is_colour(r):
            parts.append(rgb(mosaic(r, n)))
        else:  # palette indices; in a colour figure, their colours
            idx = levels(mosaic(r, n), 0.0, 1.0, slots.index(k), len(slots))
            parts.append(palette(slots)[idx] if colour else idx)
    white = np.full((1, *parts[0].shape[1:]), 255 if colour else GAP, np.uint8)
    idx = np.concatenate([p for part in parts for p in (part, white)][:-1])
    trace, layout = _picture(idx, None if colour else palette(slots), (h, w), tile_px, title)
    _label_tiles(layout, (h, w), rows=labels, cols=col_labels)
    return figure([trace], layout)


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
    layout = _image_layout(title, v.shape[0] * size + (60 if title else 20), v.shape)
    layout["width"] = v.shape[1] * size + 20
    return figure([trace], layout)
