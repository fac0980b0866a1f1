"""Plot builders: arrays in, plotly figures out. No Streamlit here.

Images are tiled into one mosaic with white gaps, coloured here through the figure's colour scale
and sent as one PNG in a plotly `image` trace: the browser draws it as a single pixelated <image>
(crisp, nearest-neighbour): a heatmap made plotly.js colour every cell in JavaScript on each
rerun. Figures are plain plotly JSON specs wrapped without plotly.py's (slow) validation.
docs/performance.md has the figures behind these choices.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from PIL import Image

GRAY = [[0.0, "#000000"], [1.0, "#ffffff"]]  # ink is white on black, as the models see it
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]  # weights: blue negative, white 0, red positive
HOT = "Hot"  # plotly.js: black -> red -> yellow -> white
BLUES = [[0.0, "#f7fbff"], [1.0, "#6baed6"]]  # light cells for numbers
# Classes: Tableau's colour-blind-safe ten (Color Blind 10), and a marker shape each, so that no
# class is told from another by hue alone
PALETTE = [
    "#1170aa", "#fc7d0b", "#a3acb9", "#57606c", "#5fa2ce", "#c85200", "#7b848f", "#a3cce9", "#ffbc79", "#c8d0d9",
]  # fmt: skip
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "triangle-down", "cross", "star", "pentagon", "hexagon"]
FONT = {"size": 16, "family": '"Source Sans", sans-serif'}  # the app's font, readable from the back of a classroom
PNG_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "aeviz"},
    # plotly.js 3 counts two clicks 500 ms apart as a double click, which resets the axes and makes
    # Streamlit clear the selection: a student clicking one point after another lost every second one
    "doubleClickDelay": 300,
}
# Pictures need no zoom, pan or axis drag handles: only the PNG button, and fewer elements to redraw
IMAGE_CONFIG = {**PNG_CONFIG, "modeBarButtons": [["toImage"]], "showAxisDragHandles": False, "doubleClick": False}


def config_for(fig: go.Figure) -> dict:
    """The plotly.js config a figure should be shown with: picture-only figures get IMAGE_CONFIG."""
    return IMAGE_CONFIG if fig.layout.dragmode is False else PNG_CONFIG


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from a ready spec, without plotly.py's (slow) validation.

    Streamlit hands plotly.js a deep copy of every chart right after drawing it. plotly.js diffs the
    copy against what it drew, and three things made it redraw the whole chart a second time: a
    template (an object that plotly.js never diffs, only compares by identity) and data arrays
    (new objects count as new data unless `datarevision` is set), typed arrays even then (plotly.js
    took the copy's typed arrays for new data and drew the scatter twice). So the
    figures carry no template (plotly.js's plain defaults; show them with `theme=None`), a fixed
    `datarevision`, and their traces' numpy arrays as plain lists (numpy arrays reach plotly.js as
    typed arrays): a changed figure always arrives as a new chart element, drawn afresh.
    """
    data = [{k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in trace.items()} for trace in data]
    fig = go.Figure({"data": data, "layout": {**layout, "datarevision": 1}}, _validate=False)
    fig.layout.template = None  # also 7 kB less per chart on the wire
    return fig


def scaled(fig: go.Figure, k: float) -> go.Figure:
    """The same figure k times as large, type included (presenter mode); the original stays as it is."""
    spec = fig.to_plotly_json()
    layout = dict(spec["layout"])
    for size in ("height", "width"):
        if layout.get(size):
            layout[size] = round(layout[size] * k)
    layout["font"] = {**layout.get("font", FONT), "size": round(FONT["size"] * k)}
    layout["margin"] = {m: round(v * k) if isinstance(v, int | float) and not isinstance(v, bool) else v
                        for m, v in layout.get("margin", {}).items()}  # fmt: skip
    return figure(spec["data"], layout)


def mosaic(images: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """(N, H, W) -> one (rows*(H+gap)-gap, cols*(W+gap)-gap) array, NaN between tiles and after the
    last; colour (N, 3, H, W) -> the same with a last axis of 3."""
    if images.ndim == 4:  # colour: each channel's mosaic, stacked last
        return np.stack([mosaic(images[:, k], cols, gap) for k in range(images.shape[1])], -1)
    n, h, w = images.shape
    rows = max(1, math.ceil(n / cols))
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i]
    return out


def is_colour(images: np.ndarray) -> bool:
    """(N, 3, H, W): colour images (gray ones are (N, H, W) or (N, 1, H, W))."""
    return np.ndim(images) == 4 and np.shape(images)[1] == 3


def gray(images: np.ndarray) -> np.ndarray:
    """(N, H, W) from (N, H, W) or (N, 1, H, W)."""
    images = np.asarray(images, dtype=np.float32)
    return images.reshape(len(images), *images.shape[-2:])


def rgb(m: np.ndarray, zmin: float = 0.0, zmax: float = 1.0) -> np.ndarray:
    """A colour mosaic (H, W, 3) of values in [zmin, zmax] as uint8 pixels, the NaN gaps white."""
    t = np.clip((m - zmin) / max(zmax - zmin, 1e-12), 0, 1)
    return np.where(np.isnan(m), 255, np.round(np.nan_to_num(t) * 255)).astype(np.uint8)


def _key(colorscale: Any) -> Any:
    """A colour scale as a hashable value: a name, or a tuple of (position, colour) pairs."""
    return colorscale if isinstance(colorscale, str) else tuple(tuple(c) for c in colorscale)


GAP = 255  # the palette index of the white gaps between tiles


@lru_cache(maxsize=32)
def palette(colorscales: tuple) -> np.ndarray:
    """(256, 3) uint8: the colour scales (`_key`s) in turn, an equal run of entries each, then white (GAP)."""
    n = 255 // len(colorscales)
    out = np.full((256, 3), 255, np.uint8)
    for i, key in enumerate(colorscales):
        scale = plotly.colors.get_colorscale(key) if isinstance(key, str) else [list(c) for c in key]
        rgb = plotly.colors.sample_colorscale(scale, np.linspace(0, 1, n).tolist(), colortype="tuple")
        out[i * n : (i + 1) * n] = np.round(np.array(rgb) * 255)
    return out


def levels(z: np.ndarray, zmin: float, zmax: float, slot: int = 0, slots: int = 1) -> np.ndarray:
    """(H, W) values -> (H, W) uint8 palette indices into the run of colour scale `slot` of `slots`
    (see `palette`), over [zmin, zmax]; NaN (the gaps) -> GAP."""
    n = 255 // slots
    t = (np.nan_to_num(z, nan=zmin) - zmin) / max(zmax - zmin, 1e-12)
    idx = (slot * n + np.clip(np.round(t * (n - 1)), 0, n - 1)).astype(np.uint8)
    idx[np.isnan(z)] = GAP
    return idx


def png_uri(pixels: np.ndarray, scale: int = 1, colors: np.ndarray | None = None) -> str:
    """A data URI of (H, W) uint8 pixels, each repeated `scale` times along both axes (nearest):
    gray levels, or indices into `colors` ((256, 3) uint8, a `palette`). One byte a pixel: a third
    of the RGB image's work to deflate and to send, and the colours are exact all the same. Colour
    pictures ((H, W, 3) uint8) are RGB PNGs."""
    if scale > 1:
        pixels = pixels.repeat(scale, 0).repeat(scale, 1)
    img = Image.fromarray(pixels)
    if colors is not None:
        img.putpalette(colors.tobytes())
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)  # fast: the mosaic is flat colour
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def image_trace(
    idx: np.ndarray, colors: np.ndarray, scale: int, x0: float = 0.0, dx: float = 1.0, y0: float = 0.0, dy: float = 1.0
) -> dict:
    """An `image` trace of palette indices, in units of the unscaled pixels (pixel (i, j) centred on (x0 + j dx, y0 + i dy))."""
    offset = (1 - scale) / (2 * scale)  # upscaled pixel centres average to the original pixel's centre
    return {
        "type": "image", "source": png_uri(idx, scale, colors), "x0": x0 + offset * dx, "dx": dx / scale,
        "y0": y0 + offset * dy, "dy": dy / scale, "hoverinfo": "skip",
    }  # fmt: skip


COLORBAR_PX = 110  # the colour bar (30 px) and its tick labels, right of the picture


def colorbar_trace(zmin: float, zmax: float, colorscale: Any) -> dict:
    """A transparent one-cell heatmap whose only job is to draw the colour bar beside an image."""
    return {
        "type": "heatmap", "z": [[zmin, zmax]], "x": [0, 0.5], "y": [0], "colorscale": colorscale, "zmin": zmin,
        "zmax": zmax, "opacity": 0, "showscale": True, "hoverinfo": "skip",
    }  # fmt: skip


# What a template would otherwise set (the figures carry none, see `figure`): light grid lines, no
# tick marks. Margins are set here, never grown by plotly.js: when axis labels, a legend or a colour
# bar ask for more room than the margin has (`automargin`, `margin.autoexpand`), plotly.js lays the
# figure out again and draws every trace a second time.
AXIS = {"automargin": False, "gridcolor": "#eee", "zerolinecolor": "#ccc", "ticks": ""}
CHAR_PX = 9  # about how wide a character of FONT's 16 px is, to size margins for labels
LEGEND_PX = 60  # a legend entry's symbol and padding, beside its text


def _layout(title: str | None, height: int, width: int | None = None, **extra: Any) -> dict:
    """A figure's layout; cartesian axes (tick labels shown) get room for their tick labels and title."""
    ticks = {axis: extra.get(axis, {}).get("showticklabels", True) for axis in ("xaxis", "yaxis")}
    margin = {"l": 80 if ticks["yaxis"] else 10, "r": 20, "t": 50 if title else 10, "b": 60 if ticks["xaxis"] else 10}
    layout = {
        "height": height,
        "margin": {**margin, "autoexpand": False},
        "font": FONT,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        **extra,
    }
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**AXIS, **extra.get(axis, {})}
    if title:
        layout["title"] = {"text": title}
    if width:
        layout["width"] = width
    return layout


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
    # ranges given, not autoranged (see _image_layout); plotly.js's double click returns to them
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


def row_png(images: np.ndarray, scale: int = 3) -> bytes:
    """Images (N, C, H, W) in [0, 1] side by side as one PNG: a board card's reconstructions, sent as a
    picture (a card is redrawn every second; a figure each would cost the server tens of ms)."""
    import io

    from PIL import Image

    imgs = np.asarray(images, np.float32)
    row = np.concatenate(list(imgs[:, 0] if imgs.shape[1] == 1 else imgs.transpose(0, 2, 3, 1)), axis=1)
    pic = Image.fromarray((row.clip(0, 1) * 255).round().astype(np.uint8))
    buf = io.BytesIO()
    pic.resize((pic.width * scale, pic.height * scale), Image.NEAREST).save(buf, "PNG")
    return buf.getvalue()


def sparkline_png(values: Sequence[float], size: tuple[int, int] = (240, 48)) -> bytes:
    """A loss curve at a glance, as a small PNG (log scale): a board card's."""
    import io

    from PIL import Image, ImageDraw

    y = np.log(np.asarray([v for v in values if v > 0], np.float64))
    w, h = size
    pic = Image.new("RGB", size, "white")
    if len(y) >= 2:
        span = float(y.max() - y.min()) or 1.0
        xs = np.linspace(2, w - 3, len(y))
        ys = 3 + (h - 6) * (y.max() - y) / span
        ImageDraw.Draw(pic).line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=PALETTE[0], width=2)
    buf = io.BytesIO()
    pic.save(buf, "PNG")
    return buf.getvalue()
