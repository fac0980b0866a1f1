"""What a simulated student does in `python -m aeviz.bench load`: any widget on the page it is on.

The widgets are read off the page the server sent (aeviz.bench.wsclient), not listed here, so a
widget added to a page is in the next class's bench without an edit. A student moves a control as a
person does (one step of a number box, another option of a picker, the other side of a toggle),
clicks buttons, uploads a drawing on Upload & draw, a checkpoint on Train and a small zip of
drawings on Your images, and opens share links. What is left out, and why:
- the Train and "Read the images" buttons: the training students (`load.train`) press those, so
  the share who train is a setting of the bench, not chance;
- the custom components (the VAE sliders, the latent plane, the scatter): they decode in the
  browser and send the server nothing while they are dragged;
- download buttons: the browser fetches the file over HTTP, the script does not run.
"""

from __future__ import annotations

import asyncio
import io
import math
import random
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from aeviz.bench.wsclient import Student, StudentError, Widget

ROOT = Path(__file__).resolve().parents[2]
NOT_MOVED = {"tr_start", "ud_read", "aeviz_preload", "share_base"}
SKIPPED_TYPES = {"bidi_component", "download_button"}
# links a teacher shares: (URL path, query string); each must open on its page
LINKS = [
    ("vae", "dataset=mnist&model=mnist-conv&z=0.50,-1.20"),
    ("latent", "dataset=fashion&model=fashion-conv&img=12&view=Codes"),
    ("denoise", "noise=gaussian&level=0.3"),
    ("lessons", "lesson=q2"),
    ("lessons", "lesson=applications"),
    ("reconstructions", "view=Bottleneck%20sizes%20%C2%B7%20linear%20AE%20vs%20PCA"),
    ("upload", ""),
    ("data", ""),
    ("lectures", "present=1"),
    ("filters", "dataset=mnist&model=mnist-sparse"),
]


def digit_png(rng: random.Random) -> bytes:
    a = np.zeros((60, 60), np.uint8)
    x = rng.randint(15, 40)
    a[8:52, x : x + 6] = 255
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def drawings_zip(rng: random.Random, per_class: int = 6) -> bytes:
    """Two folders (two classes) of small drawings, as a class's own zip would be."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for label in ("bars", "rings"):
            for i in range(per_class):
                a = np.zeros((40, 40), np.uint8)
                r = rng.randint(8, 16)
                if label == "bars":
                    a[5:35, 20 - r // 3 : 20 + r // 3] = 255
                else:
                    yy, xx = np.mgrid[:40, :40]
                    a[abs(np.hypot(yy - 20, xx - 20) - r) < 2.5] = 255
                img = io.BytesIO()
                Image.fromarray(a).save(img, "PNG")
                z.writestr(f"{label}/{i}.png", img.getvalue())
    return buf.getvalue()


def checkpoint_bytes() -> bytes:
    """The smallest pretrained checkpoint: what a student uploads after downloading one."""
    smallest = min((ROOT / "pretrained").glob("*.safetensors"), key=lambda p: p.stat().st_size)
    return smallest.read_bytes()


def movable(w: Widget) -> bool:
    return w.key not in NOT_MOVED and w.type not in SKIPPED_TYPES


def _step(w: Widget, rng: random.Random) -> float:
    """A number box moved as a person moves it: one to three clicks of its step, or a factor of 2 for a rate."""
    b = w.proto
    lo = b.min if b.has_min else -math.inf
    hi = b.max if b.has_max else math.inf
    now = w.value if isinstance(w.value, (int, float)) else (b.default if b.HasField("default") else lo)
    if b.data_type == 0:  # int
        v = int(now) + rng.choice([-1, 1]) * rng.randint(1, 3) * max(1, int(b.step or 1))
    elif now > 0 and b.step and now / b.step < 2:  # a rate: its step is a tiny share of it
        v = now * rng.choice([0.5, 2.0])
    else:
        v = now + rng.choice([-1, 1]) * rng.randint(1, 3) * (b.step or 0.01)
    return min(hi, max(lo, v))


def value_for(w: Widget, rng: random.Random):
    """A valid new value for `w`, or None when there is nothing to choose."""
    b = w.proto
    others = [o for o in w.options if o != w.value and [o] != w.value]
    if w.kind in ("selectbox", "radio", "select_slider"):
        return rng.choice(others) if others else None
    if w.kind in ("segmented_control", "pills"):
        if b.click_mode == 1:  # multi-select pills
            return rng.sample(w.options, rng.randint(1, len(w.options)))
        return [rng.choice(others)] if others else None
    if w.kind == "multiselect":
        return rng.sample(w.options, rng.randint(1, len(w.options))) if w.options else None
    if w.kind in ("toggle", "checkbox"):
        return not bool(w.value)
    if w.kind == "slider":
        steps = max(1, round((b.max - b.min) / (b.step or 1)))
        return b.min + rng.randint(0, steps) * (b.step or 1)
    if w.kind == "number_input":
        return _step(w, rng)
    if w.kind == "text_input" and w.key == "tr_hidden":
        return rng.choice(["128,64", "256", "64,32", "32"])
    return None


async def move(s: Student, w: Widget, rng: random.Random):
    """Act on one widget; the timed run, or None when the widget offers nothing to do."""
    if w.type == "button":
        return await s.click(w.id)
    if w.type == "file_uploader":
        if w.key == "upload":
            return await s.upload(w.id, "digit.png", digit_png(rng), "image/png")
        if w.key == "tr_upload":
            return await s.upload(w.id, "model.safetensors", checkpoint_bytes(), "application/octet-stream")
        if w.key == "ud_files":
            return await s.upload(w.id, files=[("drawings.zip", drawings_zip(rng), "application/zip")])
        return None
    value = value_for(w, rng)
    if value is None:
        return None
    return await s.set_widget(w.id, value)


async def open_link(url: str, path: str, query: str, name: str, cookies: dict | None = None) -> tuple[Student, object, bool]:
    """A new tab at a shared link: (the student, its first run, whether it opened the linked page).
    `cookies`: the browser's (the same person, in a new tab)."""
    s = Student(url, page=path, query_string=query, auto_reruns=True, timeout=120, name=name)
    s.cookies.update(cookies or {})
    r = await s.connect()
    landed = next((p.url_pathname for p in s.app_pages if p.page_script_hash == s.page_script_hash), None)
    default = next((p.url_pathname for p in s.app_pages if p.is_default), None)
    return s, r, landed == path or (landed == default and path in ("", default))


def lessons_of(s: Student) -> list[str]:
    try:
        return list(s.page.widget("lesson").options)
    except StudentError:
        return []


async def tour(s: Student, record) -> int:
    """Every page, every lesson, every widget on them moved once; `record(kind, page, widget, result)`.
    Returns how many widgets were moved."""
    rng = random.Random(7)
    moved = 0
    for p in s.pages():
        page = p["title"]
        record("page switch", page, "", await s.switch_page(page))
        views = lessons_of(s) if page == "Lessons" else [None]
        for view in views:
            if view is not None:
                record("widget change", page, "lesson", await s.set_widget("lesson", view))
            done: set[str] = set()
            while True:  # the page's widgets change as they are moved (another view, another model)
                todo = [w for w in s.page.widgets if movable(w) and w.id not in done and w.key not in ("lesson",)]
                if not todo:
                    break
                w = todo[0]
                done.add(w.id)
                try:
                    r = await move(s, w, rng)
                except StudentError:
                    continue  # the widget left the page in the run before
                if r is not None:
                    moved += 1
                    record(kind_of(w), page, w.key or w.label, r)
    return moved


def kind_of(w: Widget) -> str:
    return {"button": "click", "file_uploader": "upload"}.get(w.type, "widget change")


# --- a hostile student: crafted inputs, while the class works (issue: bounded cost for crafted inputs) ----


def _one_bit_png(side: int) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (side, side), 0).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _rle_bmp_header(side: int) -> bytes:
    """A BMP header that claims RLE8 and side x side pixels."""
    import struct

    head = b"BM" + struct.pack("<IHHI", 0, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, side, side, 1, 8, 1, 0, 0, 0, 0, 0)
    return head + bytes(64)


def _npz_twins() -> bytes:
    """An .npz whose 'y' and 'y.npy' both answer to y."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, a in (("x.npy", np.zeros((4, 28, 28), np.uint8)), ("y", np.arange(4)), ("y.npy", np.zeros(2**24, np.uint8))):
            npy = io.BytesIO()
            np.save(npy, a)
            z.writestr(name, npy.getvalue())
    return buf.getvalue()


def _crafted_checkpoint() -> bytes:
    """The smallest pretrained checkpoint with its first tensor's shape made a number."""
    import json
    import struct

    data = checkpoint_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    header[next(k for k in header if k != "__metadata__")]["shape"] = 5
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n :]


def _big_pictures_zip(n: int = 40, side: int = 6000) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        png = _one_bit_png(side)
        for i in range(n):
            z.writestr(f"big/{i}.png", png)
    return buf.getvalue()


def hostile_uploads() -> list[tuple[str, str, str, bytes, str]]:
    """(page, widget key, file name, bytes, mime) the hostile student uploads, in turn."""
    return [
        ("Upload & draw", "upload", "bomb.png", _one_bit_png(6320), "image/png"),  # 12 KB, 40 MP
        ("Upload & draw", "upload", "rle.bmp", _rle_bmp_header(6320), "image/bmp"),
        ("Upload & draw", "upload", "cut.png", _one_bit_png(200)[:60], "image/png"),
        ("Train your own", "tr_upload", "shape.safetensors", _crafted_checkpoint(), "application/octet-stream"),
        ("Your images", "ud_files", "twins.npz", _npz_twins(), "application/octet-stream"),
        ("Your images", "ud_files", "big.zip", _big_pictures_zip(), "application/zip"),  # 40 pictures of 36 MP
    ]


HOSTILE_LINKS = [("vae", "z=" + ",".join(["0.5"] * 20_000)), ("latent", "model=[Log in](https://example.org)&img=%C2%B2")]


async def hostile(s: Student, record, rng: random.Random, until: float) -> None:
    """Upload every crafted file, follow every crafted link, in turn, until `until`: each must get a
    message, never an exception (`record` counts them) and never stall the others (their p95 shows it)."""
    import time

    uploads = hostile_uploads()
    i = 0
    while time.monotonic() < until:
        page, key, name, blob, mime = uploads[i % len(uploads)]
        await s.switch_page(page)
        try:
            if key == "ud_files":
                await s.clear_uploads(key)
                record("hostile", page, name, await s.upload(key, files=[(name, blob, mime)]))
                record("hostile", page, name, await s.click("ud_read"))
            else:
                record("hostile", page, name, await s.upload(key, name, blob, mime))
        except StudentError:
            pass  # the widget is not there (the page refused earlier): nothing to upload to
        path, query = HOSTILE_LINKS[i % len(HOSTILE_LINKS)]
        s2 = Student(s.base_url, page=path, query_string=query, timeout=120, name="hostile-link")
        try:
            record("hostile", path, "link", await s2.connect())
        finally:
            await s2.close()
        i += 1
        await asyncio.sleep(rng.uniform(1, 5))  # a student's think time: one student, not a flood
