"""The browser-side decoder as a Streamlit component (components v2: no build step, nothing fetched).

Three modes share one small JS file (decoder.js): latent sliders that redraw on every `input`
event, a 2-D latent plane that decodes wherever the pointer is, and a drawing pad.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from aeviz import plots
from aeviz.models.base import Autoencoder
from aeviz.ui import state

# sizes in rem: presenter mode enlarges the root font, and these grow with it (pointer maps read the box)
CSS = """
.aez { display: flex; gap: 1.5rem; align-items: flex-start; flex-wrap: wrap; font-family: var(--st-font, sans-serif); }
.aez-canvas { width: 17.5rem; height: 17.5rem; image-rendering: pixelated; background: #000; border-radius: 6px;
  touch-action: none; }
.aez-controls { flex: 1; min-width: 17.5rem; display: flex; flex-direction: column; gap: 0.35rem; }
.aez-row { display: grid; grid-template-columns: 7rem 1fr 3.5rem; align-items: center; gap: 0.6rem; font-size: 1rem; }
.aez-row input { width: 100%; accent-color: var(--st-primary-color, #ff4b4b); }
.aez-value { font-variant-numeric: tabular-nums; }
.aez-plane { width: 22.5rem; height: 22.5rem; border: 1px solid #ccc; border-radius: 6px; cursor: crosshair; touch-action: none; }
.aez-pad { cursor: crosshair; }
"""

_component = st.components.v2.component("aeviz.decoder", css=CSS, js=(Path(__file__).parent / "decoder.js").read_text())


@state.data_cache
def _spec(name: str, _model: Autoencoder) -> dict:
    return _model.export_decoder()  # names are unique (session models included): the name stands for the model


def latent_sliders(name: str, model: Autoencoder, z0, *, key: str, nonce: int = 0, labels=None, lo=-3.0, hi=3.0):
    """Sliders that decode in the browser while dragged; returns z as reported on release (or None)."""
    data = {"mode": "sliders", "spec": _spec(name, model), "z0": [float(v) for v in z0], "nonce": nonce,
            "labels": labels, "lo": lo, "hi": hi}  # fmt: skip
    result = _component(key=key, data=data, on_z_change=lambda: None, height="content")
    return _get(result, "z")


def plane_points(xy: np.ndarray, y: np.ndarray) -> list[list]:
    """2-D codes and their classes as the plane's dots: [[z1, z2, class], ...]."""
    return [[round(float(a), 3), round(float(b), 3), int(c)] for (a, b), c in zip(xy, y, strict=True)]


def latent_plane(name: str, model: Autoencoder, pts: list[list], extent, *, key: str):
    """The 2-D codes as dots (`plane_points`); the pointer's position decodes live. Returns the z last released."""
    data = {"mode": "plane", "spec": _spec(name, model), "z0": [0.0, 0.0], "nonce": 0, "extent": list(extent),
            "points": pts, "palette": plots.PALETTE}  # fmt: skip
    return _get(_component(key=key, data=data, on_z_change=lambda: None), "z")


def drawing_pad(*, key: str, nonce: int = 0) -> str | None:
    """A 280x280 drawing pad; returns the drawing as a PNG data URL once a stroke ends."""
    return _get(_component(key=key, data={"mode": "draw", "nonce": nonce}, on_png_change=lambda: None), "png")


def _get(result, name: str):
    try:
        return result[name]
    except (KeyError, TypeError, AttributeError):
        return getattr(result, name, None)
