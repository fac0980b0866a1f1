"""Streamlit tier for the interactive pages: VAE explorer, upload (good and bad files), denoise."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from test_app import figures, new_app, page


def png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a.astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def digit_one() -> bytes:
    a = np.zeros((60, 60))
    a[8:52, 27:33] = 255
    return png(a)


def open_upload() -> object:
    at = new_app().run()
    at.switch_page(page("upload")).run()
    assert not at.exception
    return at


def upload(at, name: str, data: bytes, mime: str = "image/png"):
    at.file_uploader(key="upload").upload(name, data, mime).run()
    return at


def test_upload_reconstructs_and_scores_a_digit():
    at = upload(open_upload(), "one.png", digit_one())
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert labels == ["reconstruction MSE", "anomaly score"]
    digit_pct = float(at.metric[1].value.split("th")[0])
    # a photo-like texture is not a digit: its error ranks far above the test set's
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (60, 60))
    at = upload(at, "noise.png", png(noise))
    assert not at.exception
    noise_pct = float(at.metric[1].value.split("th")[0])
    assert noise_pct > 95 and noise_pct > digit_pct, (digit_pct, noise_pct)
    assert len(figures(at)) >= 4


BAD = {
    "text.png": (b"hello, not an image", "not an image"),
    "half.png": (digit_one()[: len(digit_one()) // 2], "damaged or truncated"),
    "blank.png": (png(np.zeros((28, 28))), "no ink"),
    "white.png": (png(np.full((28, 28), 255)), "no ink"),
    "empty.png": (b"", "empty"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_uploads_get_a_message_and_the_app_goes_on(name):
    data, message = BAD[name]
    at = upload(open_upload(), name, data)
    assert not at.exception
    assert at.error and message in at.error[0].value and "Can't use this image" in at.error[0].value
    at = upload(at, "one.png", digit_one())  # the session goes on
    assert not at.exception and not at.error and at.metric[0].label == "reconstruction MSE"


def _encoded(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _odd_images() -> dict[str, bytes]:
    a = np.zeros((60, 60), np.uint8)
    a[8:52, 27:33] = 255
    one = Image.fromarray(a)
    rgba = np.zeros((60, 60, 4), np.uint8)
    rgba[8:52, 27:33] = (0, 0, 0, 255)  # black ink on a transparent background
    frames = [one, Image.fromarray(255 - a)]
    return {
        "16bit.png": _encoded(Image.fromarray(a.astype(np.uint16) * 257)),
        "cmyk.jpg": _encoded(Image.fromarray(255 - a).convert("CMYK"), "JPEG"),
        "palette.gif": _encoded(one.convert("P")),
        "animated.gif": _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100),
        "transparent.png": _encoded(Image.fromarray(rgba, "RGBA")),
        "photo.webp": _encoded(one.convert("RGB"), "WEBP"),
        "scan.bmp": _encoded(one, "BMP"),
    }


ODD = _odd_images()


@pytest.mark.parametrize("name", list(ODD))
def test_odd_but_valid_images_are_reconstructed(name):
    at = upload(open_upload(), name, ODD[name], "image/" + name.rsplit(".", 1)[1].replace("jpg", "jpeg"))
    assert not at.exception and not at.error
    assert at.metric[0].label == "reconstruction MSE" and float(at.metric[0].value) < 0.2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("dot.png", _encoded(Image.new("L", (1, 1), 255)), "no ink"),
        ("huge.png", _encoded(Image.new("1", (20_000, 20_000))), "pixels"),
    ],
)
def test_tiny_and_huge_images_get_a_message(name, data, message):
    at = upload(open_upload(), name, data)
    assert not at.exception and at.error and message in at.error[0].value
    at = upload(at, "one.png", digit_one())
    assert not at.exception and not at.error


def test_upload_feeds_the_vae_explorer_and_denoiser():
    at = upload(open_upload(), "one.png", digit_one())
    at.switch_page(page("vae")).run()
    at.radio(key="vae_start").set_value("my upload / drawing").run()
    assert not at.exception and not at.info
    at.switch_page(page("denoise")).run()
    at.toggle(key="dn_upload").set_value(True).run()
    assert not at.exception
    ticks = figures(at)[0]["layout"]["yaxis"]["ticktext"]
    assert [t.split(" · ")[0] for t in ticks] == ["clean x", "noisy x̃", "plain conv AE", "denoising AE"]


def test_vae_explorer_traversal_grid():
    at = new_app().run()
    at.switch_page(page("vae")).run()
    assert not at.exception
    spec = figures(at)[0]
    assert spec["layout"]["yaxis"]["ticktext"][0].startswith("z")
    at.button(key="vae_random").click().run()
    assert not at.exception
    assert "β = 1.0" in at.caption[0].value


def test_denoiser_beats_the_plain_conv_ae_on_gaussian_noise():
    at = new_app().run()
    at.switch_page(page("denoise")).run()
    assert not at.exception
    ticks = figures(at)[0]["layout"]["yaxis"]["ticktext"]
    db = {t.split(" · ")[0]: float(t.split(" · ")[1].split(" dB")[0]) for t in ticks[1:]}
    assert db["denoising AE"] > db["plain conv AE"] and db["denoising AE"] > db["noisy x̃"] + 5, db
    for kind in ("masking", "saltpepper"):
        at.selectbox(key="dn_noise").set_value(kind).run()
        assert not at.exception
    at.selectbox(key="dn_noise").set_value("block").run()  # the infilling AE joins, and fills holes best
    assert not at.exception
    ticks = figures(at)[0]["layout"]["yaxis"]["ticktext"]
    db = {t.split(" · ")[0]: float(t.split(" · ")[1].split(" dB")[0]) for t in ticks[1:]}
    assert db["denoiser for a grey block"] > max(db["denoising AE"], db["plain conv AE"]), db
    assert "gray" not in at.selectbox(key="dn_noise").options, "colouring needs colour images"
