"""The class board's cards: plain PNG bytes, not figures (a card is redrawn every second, and a
figure each would cost the server far more than a PNG)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from aeviz.plots.base import PALETTE


def row_png(images: np.ndarray, scale: int = 3) -> bytes:
    """Images (N, C, H, W) in [0, 1] side by side as one PNG: a board card's reconstructions."""
    imgs = np.asarray(images, np.float32)
    row = np.concatenate(list(imgs[:, 0] if imgs.shape[1] == 1 else imgs.transpose(0, 2, 3, 1)), axis=1)
    pic = Image.fromarray((row.clip(0, 1) * 255).round().astype(np.uint8))
    buf = io.BytesIO()
    pic.resize((pic.width * scale, pic.height * scale), Image.NEAREST).save(buf, "PNG")
    return buf.getvalue()


def sparkline_png(values: Sequence[float], size: tuple[int, int] = (240, 48)) -> bytes:
    """A loss curve at a glance, as a small PNG (log scale): a board card's."""
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
