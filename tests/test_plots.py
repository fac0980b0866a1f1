"""Pictures are sent as palette PNGs: the pixels keep their values, each row its colour scale."""

import base64
import io

import numpy as np
import plotly.colors
from PIL import Image

from aeviz import plots


def pixels(trace: dict) -> np.ndarray:
    """An image trace's PNG at the mosaic's own resolution: (H, W, 3) uint8."""
    img = Image.open(io.BytesIO(base64.b64decode(trace["source"].split(",", 1)[1])))
    assert img.mode == "P", "one byte a pixel"
    scale = round(1 / trace["dx"])
    return np.asarray(img.convert("RGB"))[::scale, ::scale].astype(int)


def test_two_colour_scales_in_one_picture_keep_values_and_colours():
    x = np.linspace(0, 1, 28 * 28, dtype=np.float32).reshape(1, 28, 28)
    fig = plots.reconstruction_rows([x, x], ["x", "|x - x_hat|"], colorscales=[plots.GRAY, plots.HOT])
    rgb = pixels(fig.data[0].to_plotly_json())
    assert rgb.shape == (2 * 29 - 1, 28, 3)
    assert (rgb[28] == 255).all(), "a white gap between the rows"
    gray, hot = rgb[:28], rgb[29:]
    assert np.abs(gray - 255 * x[0, :, :, None]).max() <= 2, "gray levels kept (127 levels per scale here)"
    want = plotly.colors.sample_colorscale("Hot", x.flatten().tolist(), colortype="tuple")
    assert np.abs(hot.reshape(-1, 3) - 255 * np.array(want)).max() <= 6, "the error row in plotly's Hot scale"


def test_one_colour_scale_uses_the_whole_palette():
    w = np.linspace(-1, 1, 16 * 9, dtype=np.float32).reshape(16, 3, 3)
    rgb = pixels(plots.image_grid(w, 16, zmin=-1, zmax=1, colorscale=plots.DIVERGING).data[0].to_plotly_json())
    assert rgb.shape == (3, 16 * 4 - 1, 3)
    assert tuple(rgb[0, 0]) == (0x21, 0x66, 0xAC) and tuple(rgb[2, -1]) == (0xB2, 0x18, 0x2B), "ends of the scale exact"
    assert (rgb[:, 3] == 255).all(), "white gaps between tiles"
