"""Generated images for the own-data tests and `bench own`: letters drawn with Pillow's font in class folders, and
coloured shapes. Seeded: every run makes the same files."""

from __future__ import annotations

import io
import random
import zipfile

from PIL import Image, ImageDraw, ImageFont

LETTERS = "AEKOX"
SHAPES = {"circle": (220, 40, 40), "square": (40, 160, 60), "triangle": (40, 80, 220)}


def _png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def letter(ch: str, rng: random.Random) -> Image.Image:
    """A dark letter on light paper, as a student photographs or scans it: size, place, angle vary."""
    img = Image.new("L", (64, 64), rng.randint(215, 255))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=rng.randint(34, 46))
    d.text((rng.randint(8, 22), rng.randint(0, 12)), ch, font=font, fill=rng.randint(0, 50))
    return img.rotate(rng.uniform(-12, 12), fillcolor=255)


def shape(kind: str, rng: random.Random) -> Image.Image:
    """A coloured shape on a light background."""
    img = Image.new("RGB", (48, 48), tuple(rng.randint(210, 255) for _ in range(3)))
    d = ImageDraw.Draw(img)
    r, cx, cy = rng.randint(10, 16), rng.randint(18, 30), rng.randint(18, 30)
    colour = tuple(max(0, min(255, c + rng.randint(-30, 30))) for c in SHAPES[kind])
    if kind == "circle":
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    elif kind == "square":
        d.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        d.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    return img


def letters_zip(per_class: int = 40, seed: int = 0, formats: tuple[str, ...] = ("PNG",)) -> bytes:
    """letters/A/0.png ... in one wrapper folder, the formats taken in turn."""
    rng, buf = random.Random(seed), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for ch in LETTERS:
            for i in range(per_class):
                fmt = formats[i % len(formats)]
                z.writestr(f"letters/{ch}/{i}.{fmt.lower().replace('jpeg', 'jpg')}", _png(letter(ch, rng), fmt))
    return buf.getvalue()


def shapes_zip(per_class: int = 40, seed: int = 0) -> bytes:
    rng, buf = random.Random(seed), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for kind in SHAPES:
            for i in range(per_class):
                z.writestr(f"{kind}/{i}.png", _png(shape(kind, rng)))
    return buf.getvalue()
