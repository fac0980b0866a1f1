"""Uploads become centred 28x28 digits; every kind of bad image gets a clear ImageError."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from aeviz.preprocess import ImageError, from_bytes


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def stroke(size=(200, 120), box=(20, 10, 60, 100), ink=255, paper=0, mode="L") -> Image.Image:
    """A filled bar (a '1') off-centre on a larger canvas."""
    a = np.full(size[::-1], paper, np.uint8)
    x0, y0, x1, y1 = box
    a[y0:y1, x0:x1] = ink
    return Image.fromarray(a).convert(mode)


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(x.shape)
    return (ys * x).sum() / x.sum(), (xs * x).sum() / x.sum()


def assert_centred_digit(x: np.ndarray) -> None:
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() <= 1 and x.max() > 0.9
    cy, cx = centre_of_mass(x)
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0, (cy, cx)
    rows, cols = np.nonzero(x > 0.1)
    assert max(np.ptp(rows), np.ptp(cols)) <= 21, "fitted into the 20x20 box"
    assert x[0].max() == x[-1].max() == x[:, 0].max() == x[:, -1].max() == 0, "black border"


def test_off_centre_white_on_black():
    steps = from_bytes(encode(stroke()))
    assert not steps.inverted
    assert_centred_digit(steps.x)
    rows, cols = np.nonzero(steps.x > 0.5)
    assert np.ptp(rows) + 1 >= 19 and np.ptp(cols) + 1 < 12, "tall and thin, aspect kept"


def test_dark_ink_on_light_paper_is_inverted():
    steps = from_bytes(encode(stroke(ink=20, paper=235), "JPEG", quality=95))
    assert steps.inverted
    assert_centred_digit(steps.x)


def test_exif_rotation_is_applied():
    img = stroke(size=(120, 200), box=(10, 20, 100, 60))  # a wide bar...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...stored rotated: viewers turn it 90 degrees, so it shows tall
    steps = from_bytes(encode(img, "JPEG", exif=exif.tobytes(), quality=95))
    rows, cols = np.nonzero(steps.x > 0.5)
    assert np.ptp(rows) > np.ptp(cols)


def test_transparent_png_counts_as_paper():
    a = np.zeros((100, 100, 4), np.uint8)
    a[20:80, 45:55] = (0, 0, 0, 255)  # black ink, everything else fully transparent
    steps = from_bytes(encode(Image.fromarray(a, "RGBA")))
    assert steps.inverted
    assert_centred_digit(steps.x)


@pytest.mark.parametrize("mode", ["P", "CMYK", "I;16", "RGB", "LA", "1"])
def test_other_modes(mode):
    img = stroke(mode="L" if mode in ("I;16", "CMYK") else mode)
    if mode == "I;16":
        img = Image.fromarray(np.asarray(stroke(), np.uint16) * 257)
    if mode == "CMYK":
        img = stroke(ink=0, paper=255).convert("CMYK")  # black ink on white paper
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    assert_centred_digit(from_bytes(encode(img, fmt)).x)


def test_animated_gif_uses_the_first_frame():
    frames = [stroke(), stroke(box=(100, 10, 190, 30))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    rows, cols = np.nonzero(from_bytes(data).x > 0.5)
    assert np.ptp(rows) > np.ptp(cols), "the tall first frame, not the wide second"


def test_one_pixel_image_is_refused_not_crashed():
    with pytest.raises(ImageError, match="no ink"):
        from_bytes(encode(Image.new("L", (1, 1), 255)))  # a lone pixel is all border: paper, no ink


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is a text file, not an image", "not an image"),
        (encode(stroke())[: len(encode(stroke())) // 2], "damaged or truncated"),
        (encode(Image.new("L", (64, 64), 0)), "no ink"),
        (encode(Image.new("L", (64, 64), 255)), "no ink"),
    ],
    ids=["empty", "text", "truncated", "black", "white"],
)
def test_bad_inputs_name_the_problem(data, message):
    with pytest.raises(ImageError, match=message):
        from_bytes(data)


def test_decompression_bomb_is_refused():
    data = encode(Image.new("1", (20_000, 20_000)))  # 400 megapixels, a tiny file
    assert len(data) < 2_000_000
    with pytest.raises(ImageError, match="pixels"):
        from_bytes(data)
