"""Turn any uploaded or drawn image into what an MNIST model expects, step by step.

MNIST's own recipe (LeCun et al.): white ink on black, the digit's bounding box fitted into 20x20
keeping its aspect ratio, then placed in 28x28 so that its centre of mass is at the centre.
Every step is kept so the app can show the model's-eye view.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 2**20  # uploads larger than this are refused before decoding
MAX_PIXELS = 40_000_000  # Pillow's decompression-bomb guard, made an error (its default only warns)
MAX_SCANS = 64  # a progressive JPEG has ~10; thousands of scans made a 1.3 MB file decode for a minute
# What the pages work on: a digit needs a few megapixels at most. Larger images are shrunk as they are
# opened (JPEG decodes at 1/2, 1/4 or 1/8 scale), before any float copy: a 12 KB 1-bit PNG of
# 6320 x 6320 cost 3.5 s of CPU and 1.1 GB as floats
WORK_PIXELS = 4_000_000
# Pillow decodes RLE-compressed BMPs in Python: 40 MP took 5.1 s
MAX_RLE_PIXELS = 2_000_000
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")


class ImageError(ValueError):
    """An upload that cannot become a digit; the message is meant for the student."""


class Steps(NamedTuple):
    original: np.ndarray  # grayscale as uploaded, in [0, 1]
    inverted: bool  # dark ink on a light background was flipped
    cropped: np.ndarray  # the ink's bounding box
    x: np.ndarray  # (28, 28) in [0, 1]: what the model sees


def open_image(data: bytes) -> Image.Image:
    """Decode an upload safely: size caps, format allow-list, first frame only, EXIF orientation."""
    if not data:
        raise ImageError("the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageError(f"the file is {len(data) / 2**20:.1f} MB; images up to {MAX_BYTES // 2**20} MB are accepted")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    # JPEG scans start with the SOS marker FF DA, which byte stuffing keeps out of the coded data
    scans = data.count(b"\xff\xda") if data[:2] == b"\xff\xd8" else 0
    if scans > MAX_SCANS:
        raise ImageError(f"this JPEG has {scans:,} scans; at most {MAX_SCANS} are decoded")
    _check_rle_bmp(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            if img.width * img.height > MAX_PIXELS:
                raise ImageError(f"the image is {img.width}x{img.height} pixels; at most {MAX_PIXELS:,} pixels are accepted")
            img.seek(0)  # animated GIF / WebP: the first frame
            if img.format == "JPEG":
                img.draft(img.mode, _work_size(img.size))  # DCT scaling: decoded small, not shrunk after
            declared = img.width * img.height
            img.load()
            img = shrink(img)
            img.info["decoded_pixels"] = declared  # what decoding it cost: a job's budget counts it
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"the image is too large to decode safely (over {MAX_PIXELS:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError(f"this is not an image Pillow can read as {', '.join(FORMATS)}") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, struct.error, IndexError, TypeError, ZeroDivisionError) as e:
        raise ImageError(f"the image file is damaged or truncated ({e})") from None
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # broken EXIF (not a TIFF, non-hex text chunks...): the pixels are fine, keep them as they are
        return img


def _work_size(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    f = max(1.0, (w * h / WORK_PIXELS) ** 0.5)
    return max(1, int(w / f)), max(1, int(h / f))


def shrink(img: Image.Image) -> Image.Image:
    """At most WORK_PIXELS: box-averaged where the mode allows it, else every n-th pixel (1-bit,
    palette): either is far finer than the 20 x 20 box a digit ends in."""
    if img.width * img.height <= WORK_PIXELS:
        return img
    factor = int(np.ceil((img.width * img.height / WORK_PIXELS) ** 0.5))
    if img.mode in ("L", "LA", "RGB", "RGBA", "RGBa", "La", "I", "F"):
        return img.reduce(factor)
    return img.resize((max(1, img.width // factor), max(1, img.height // factor)), Image.Resampling.NEAREST)


def _check_rle_bmp(data: bytes) -> None:
    if data[:2] != b"BM" or len(data) < 34:
        return
    width, height, _, _, compression = struct.unpack_from("<iiHHI", data, 18)
    if compression in (1, 2) and abs(width) * abs(height) > MAX_RLE_PIXELS:  # BI_RLE8, BI_RLE4
        raise ImageError(
            f"this BMP is run-length compressed and {abs(width)}x{abs(height)} pixels; compressed BMPs up to "
            f"{MAX_RLE_PIXELS:,} pixels are accepted (save it as PNG)"
        )


def to_gray(img: Image.Image) -> np.ndarray:
    """(H, W) float in [0, 1] from any mode: palette, CMYK, 16-bit, with alpha composited on white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    if img.mode in ("P", "PA", "LA", "RGBA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)  # transparent areas count as paper
    return np.asarray(img.convert("L"), dtype=np.float32) / 255.0


def to_mnist(gray: np.ndarray, blur: float = 0.0, threshold: float = 0.2, invert: bool | None = None) -> Steps:
    """MNIST-like 28x28 from a grayscale image in [0, 1]; `invert` None decides from the border."""
    if gray.ndim != 2 or min(gray.shape) < 1:
        raise ImageError("the image has no pixels")
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    # a light background means dark ink: flip to white-on-black
    inverted = bool(np.median(border) > 0.5) if invert is None else invert
    g = 1.0 - gray if inverted else gray
    g = g - np.median(np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]]))  # the paper's own shade becomes 0
    g = np.clip(g, 0, None)
    if g.max() <= 1e-3:
        raise ImageError("no ink found: the image (or canvas) is blank")
    g = g / g.max()
    rows, cols = np.nonzero(g > threshold)
    cropped = g[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = cropped.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    box = Image.fromarray((cropped * 255).astype(np.uint8)).resize(size, Image.Resampling.LANCZOS)
    if blur > 0:
        box = box.filter(ImageFilter.GaussianBlur(blur))
    small = np.asarray(box, dtype=np.float32) / 255.0
    # place by centre of mass (rounded), clamped so the 20x20 box stays inside 28x28
    cy, cx = _centre_of_mass(small)
    top = int(np.clip(round(14 - cy), 0, 28 - small.shape[0]))
    left = int(np.clip(round(14 - cx), 0, 28 - small.shape[1]))
    x = np.zeros((28, 28), np.float32)
    x[top : top + small.shape[0], left : left + small.shape[1]] = small
    return Steps(gray, inverted, cropped, np.clip(x, 0, 1))


def _centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    total = a.sum()
    if total <= 0:
        return (a.shape[0] - 1) / 2, (a.shape[1] - 1) / 2
    ys, xs = np.indices(a.shape)
    return float((ys * a).sum() / total), float((xs * a).sum() / total)


def from_bytes(data: bytes, blur: float = 0.0) -> Steps:
    img = open_image(data)
    try:
        gray = to_gray(img)
    except (OSError, ValueError, TypeError, MemoryError) as e:  # a mode Pillow opened but cannot convert
        raise ImageError(f"the image's pixels cannot be read ({e})") from None
    return to_mnist(gray, blur=blur)
