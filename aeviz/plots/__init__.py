"""Plot builders: arrays in, plotly figures out. No Streamlit here.

Images are tiled into one mosaic with white gaps, coloured through the figure's colour scale and
sent as one PNG in a plotly `image` trace (`pixels`). Figures are plain plotly JSON specs wrapped
without plotly.py's (slow) validation (`base.figure`). docs/performance.md has the figures behind
these choices. Every name is here, so callers write `plots.image_grid`, whichever module it lives in.
"""

from aeviz.plots.base import (
    AXIS,
    BLUES,
    CHAR_PX,
    DIVERGING,
    FONT,
    GRAY,
    HOT,
    IMAGE_CONFIG,
    LEGEND_PX,
    PALETTE,
    PNG_CONFIG,
    SYMBOLS,
    config_for,
    figure,
    scaled,
)
from aeviz.plots.cards import row_png, sparkline_png
from aeviz.plots.charts import bar, curves, histograms, loss_curve, points_and_fits, sweep
from aeviz.plots.images import IMAGE_AXIS, filter_grid, image_grid, number_grid, reconstruction_rows
from aeviz.plots.latent import gaussian_overlay, latent_scatter, manifold
from aeviz.plots.pixels import (
    COLORBAR_PX,
    GAP,
    colorbar_trace,
    gray,
    image_trace,
    is_colour,
    levels,
    mosaic,
    palette,
    png_uri,
    rgb,
)

__all__ = [
    "AXIS", "BLUES", "CHAR_PX", "COLORBAR_PX", "DIVERGING", "FONT", "GAP", "GRAY", "HOT", "IMAGE_AXIS", "IMAGE_CONFIG",
    "LEGEND_PX", "PALETTE", "PNG_CONFIG", "SYMBOLS", "bar", "colorbar_trace", "config_for", "curves", "figure",
    "filter_grid", "gaussian_overlay", "gray", "histograms", "image_grid", "image_trace", "is_colour", "latent_scatter",
    "levels", "loss_curve", "manifold", "mosaic", "number_grid", "palette", "png_uri", "points_and_fits",
    "reconstruction_rows", "rgb", "row_png", "scaled", "sparkline_png", "sweep",
]  # fmt: skip
