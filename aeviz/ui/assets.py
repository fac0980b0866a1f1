"""Where Streamlit keeps the plotly.js it ships. Torch-free: app.py reads it before torch loads."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st


@functools.cache
def plotly_chunk() -> str | None:
    """The URL path of Streamlit's plotly.js chunk, None if this Streamlit build has none by that
    name (tests/test_app.py says so: a Streamlit upgrade that renames it fails a test)."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    return next((f"static/js/{p.name}" for p in sorted(js.glob("PlotlyChart.*.js"))), None)
