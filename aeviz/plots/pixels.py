"""Images as pixels: tiled into one mosaic with white gaps, coloured through a palette of colour
scales, and sent as one PNG in a plotly `image` trace.

The browser draws such a trace as a single pixelated <image> (crisp, nearest-neighbour): a heatmap
made plotly.js colour every cell in JavaScript on each rerun. docs/performance.md has the figures
behind these choices.
"""

from __future__ import annotations

import base64
import io
import math
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.colors
from PIL import Image


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
