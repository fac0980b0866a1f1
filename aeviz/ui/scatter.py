"""The latent scatter as a small component (scatter.js): a plotly figure from `aeviz.plots`, drawn by
the plotly.js that Streamlit ships, with the image of the point under the pointer beside it; a click
reports the point's dataset row.

Not `st.plotly_chart`: its wrapper (two JSON theme passes, a second `Plotly.react` on its deep copy
of the figure, a hidden -> visible flip) made the switch to Latent space slower (docs/performance.md),
and the hover preview had to look for the chart in the page. The figure keeps plotly.js's toolbar,
zoom, pan, legend and PNG download.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from aeviz import plots
from aeviz.ui.assets import plotly_chunk

_component = st.components.v2.component(
    "aeviz.scatter",
    js=(Path(__file__).parent / "scatter.js").read_text(),
    isolate_styles=False,  # plotly.js styles its toolbar and hover labels with rules in the page's <head>
)
COLS = 40  # tiles per row of the sprite sheet


def spec(fig: go.Figure, images: np.ndarray, rows: np.ndarray) -> dict:
    """All that scatter.js is sent for `fig` (points' customdata = dataset rows): the figure as plain
    JSON, its plotly.js config, an id that changes with it, and the preview of rows[i], images[i]
    ((N, H, W) or (N, 1, H, W) uint8), as a tile of one gray PNG sprite sheet of COLS tiles a row.
    Build it once per figure (the page caches it): every run and every click send it as it is."""
    images = np.asarray(images)
    if plots.is_colour(images):  # an RGB sprite sheet
        sprite = plots.png_uri(plots.rgb(plots.mosaic(images.astype(np.float32) / 255, COLS, gap=0)))
    else:
        images = images.reshape(len(rows), *images.shape[-2:])
        sprite = plots.png_uri(np.nan_to_num(plots.mosaic(images, COLS, gap=0)).astype(np.uint8))
    figure = json.loads(fig.to_json())
    return {
        "figure": figure, "config": plots.config_for(fig), "src": plotly_chunk(),
        "id": hashlib.sha1(json.dumps(figure).encode()).hexdigest()[:16],
        "sprite": sprite,
        "rows": [int(r) for r in rows], "tile": images.shape[-1], "cols": COLS,
    }  # fmt: skip


def latent_scatter(payload: dict, *, key: str) -> int | None:
    """Draw `payload` (from `spec()`), the image of the point under the pointer beside it. Returns the
    row of the point clicked last in this chart, None before the first click."""
    result = _component(key=key, data=payload, on_row_change=lambda: None)
    try:
        return int(result["row"])
    except (KeyError, TypeError, ValueError):
        return None
