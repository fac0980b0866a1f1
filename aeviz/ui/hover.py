"""Hover previews for the latent scatter: the image of the point under the pointer (hover.js)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from aeviz import plots

_component = st.components.v2.component("aeviz.hover", js=(Path(__file__).parent / "hover.js").read_text())
COLS = 40  # tiles per row of the sprite sheet


@st.cache_data(show_spinner=False, max_entries=8)
def sprite(images: np.ndarray) -> str:
    """(N, H, W) uint8 images as one gray PNG of COLS tiles a row, no gaps (a data URI)."""
    return plots.png_uri(np.nan_to_num(plots.mosaic(images, COLS, gap=0)).astype(np.uint8))


def image_on_hover(chart_key: str, images: np.ndarray, rows: np.ndarray, *, key: str) -> None:
    """Show images[i] ((N, H, W) or (N, 1, H, W) uint8) beside the pointer while it is over the
    point whose customdata is rows[i], in the plotly chart shown with `key=chart_key`."""
    images = np.asarray(images).reshape(len(rows), *np.shape(images)[-2:])
    data = {"chart": chart_key, "sprite": sprite(images), "rows": [int(r) for r in rows], "tile": images.shape[-1], "cols": COLS}
    _component(key=key, data=data)
