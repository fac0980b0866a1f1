"""Upload & draw: any image becomes an MNIST-like digit (shown step by step), reconstructed and scored."""

import base64
import hashlib

import numpy as np
import streamlit as st
import torch

from aeviz import metrics, plots, preprocess
from aeviz.ui import state
from aeviz.ui.decoder import drawing_pad
from aeviz.ui.widgets import show

sel = state.current()
st.header("Upload & draw")
own = state.own_datasets().get(sel.dataset)  # a class's own images: an upload is made like them
if own is None and not state.fits(sel.model, "mnist"):
    st.info(
        f"{state.title(sel.name)} takes {'×'.join(map(str, sel.info.config.shape))} images; uploads and drawings "
        "are made 28×28 like MNIST. Pick an MNIST or Fashion-MNIST model in the sidebar."
    )
    st.stop()

left, right = st.columns([1, 1])
with left:
    source = st.radio("Image from", ["upload", "drawing"], horizontal=True, key="up_source")
    raw = None
    if source == "upload":
        f = st.file_uploader(
            f"A picture (PNG, JPEG, GIF, BMP or WebP, up to {preprocess.MAX_BYTES // 2**20} MB)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
            key="upload",
            max_upload_size=preprocess.MAX_BYTES // 2**20,
        )
        if f is not None:
            raw = f.getvalue()
    else:
        nonce = st.session_state.setdefault(state.PAD_NONCE, 0)
        if st.button("Clear", key="pad_clear", icon=":material/ink_eraser:"):
            st.session_state[state.PAD_NONCE] = nonce = nonce + 1
        png = drawing_pad(key=f"pad_{nonce}")
        st.caption("Draw a digit with the mouse (or a finger); it is sent when you lift the pen.")
        if isinstance(png, str) and png:
            try:
                raw = base64.b64decode(png.split(",", 1)[1], validate=True) if png.startswith("data:image/png;base64,") else b""
            except ValueError:
                raw = b""  # a crafted value: the decoder says it is no image
    blur = st.slider("Blur (σ in pixels)", 0.0, 2.0, 0.0, 0.25, key="up_blur", help="MNIST digits are anti-aliased")
    blur = float(np.clip(blur, 0, 2))

if raw is None:
    right.info("Upload an image or draw a digit to see how the model sees it.")
    st.stop()


def made_like_the_data(raw: bytes, blur: float, recipe) -> preprocess.Steps:
    """The upload made as the model's images were; raises ImageError with the reason."""
    if recipe is not None and recipe.crop == "resize":
        from aeviz import userdata

        pixels = userdata.convert(preprocess.open_image(raw), recipe)  # (C, S, S) uint8, as the dataset was made
        return preprocess.Steps(pixels.mean(0) / 255, False, pixels.mean(0) / 255, pixels / 255)
    return preprocess.from_bytes(raw, blur=blur)


# decoded once per file and setting, not on every rerun of the page: the last result is kept (or the reason it failed)
key = (hashlib.sha256(raw).digest(), blur, own.recipe if own is not None else None)
kept = st.session_state.get(state.UPLOAD_STEPS)
if kept is None or kept[0] != key:
    try:
        kept = (key, made_like_the_data(raw, blur, key[2]))
    except preprocess.ImageError as e:
        kept = (key, e)
    st.session_state[state.UPLOAD_STEPS] = kept
if isinstance(kept[1], preprocess.ImageError):
    right.error(f"Can't use this image: {kept[1]}.")
    st.stop()
steps = kept[1]

x = torch.from_numpy(np.asarray(steps.x, np.float32)).view(1, *sel.info.config.shape)
if own is None:
    st.session_state[state.UPLOAD] = steps.x.tolist()  # the VAE explorer and Denoise can start from it
x_hat = sel.model.reconstruct(x)
err = (x_hat - x).abs()
mse = metrics.mse(x_hat, x)


errors = state.test_errors(sel.name, sel.dataset)
percentile = 100.0 * float((errors < mse).mean())
with right:
    st.markdown("**The model's-eye view**")
    a, b, c = st.columns(3)
    a.caption("as uploaded" + (" (inverted: dark ink on light)" if steps.inverted else ""))
    h, w = steps.original.shape
    step = max(1, max(h, w) // 200)
    with a:
        show(plots.image_grid(steps.original[None, ::step, ::step], 1, tile_px=150), key="up_original")
    b.caption("cropped to the ink")
    with b:
        show(plots.image_grid(steps.cropped[None], 1, tile_px=150), key="up_cropped")
    c.caption("20×20 box, centred by mass in 28×28" if own is None or own.recipe.crop == "mnist" else "as your images were made")
    with c:
        show(plots.image_grid(steps.x[None], 1, tile_px=150), key="up_final")

st.subheader(f"Reconstructed by {state.title(sel.name)}")
m1, m2 = st.columns(2)
m1.metric("reconstruction MSE", f"{mse:.4f}")
m2.metric(
    "anomaly score",
    f"{percentile:.0f}th percentile",
    help="Where this image's reconstruction error falls among the test set's: a digit the model knows scores low; "
    "a letter, a face or a photo scores high.",
)
st.caption(
    f"Compared with the per-image errors of {len(errors):,} {state.dataset_title(sel.dataset)} test images "
    f"(median {np.median(errors):.4f})."
)
show(plots.reconstruction_rows([x.numpy(), x_hat.numpy()], ["input", "reconstruction"], tile_px=140), key="up_recon")
show(plots.image_grid(err.numpy(), 1, colorscale="Hot", showscale=True, tile_px=140, title="|x − x̂|"), key="up_err")
