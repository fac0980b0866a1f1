"""What every figure shares: colours, fonts, the plotly.js config, the figure spec and its layout."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

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
