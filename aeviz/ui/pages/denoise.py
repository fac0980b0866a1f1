"""Denoise: corrupt an image, then compare the plain conv AE with the denoising AE (PSNR each)."""

import numpy as np
import streamlit as st
import torch

from aeviz import plots
from aeviz.config import NOISES
from aeviz.noise import corrupt
from aeviz.training import psnr
from aeviz.ui import state
from aeviz.ui.widgets import show

sel = state.current()
st.header("Denoise")
st.caption(
    "Lecture 003: a denoising AE sees x̃ = corrupt(x) while training and learns to give back the clean x: "
    "x̂ = Decoder(Encoder(x̃)), scored against x (the slide's Encoder(Decoder(x̃)) is a slip: Lessons › Slide errata)."
)

LABELS = {"gaussian": "gaussian", "masking": "masking (zeroed pixels)", "saltpepper": "salt and pepper"}
c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox("Noise", NOISES, key="dn_noise", format_func=LABELS.get)
level = c2.slider(
    "σ" if kind == "gaussian" else "fraction of pixels",
    0.0,
    1.0,
    0.5 if kind == "gaussian" else 0.3,
    0.05,
    key=f"dn_level_{kind}",
)
upload = st.session_state.get(state.UPLOAD)
use_upload = c3.toggle("Use my upload / drawing", key="dn_upload", disabled=upload is None or sel.dataset not in state.BUILTIN)
seed = c4.number_input("Noise seed", 0, 10_000, 0, key="dn_seed")
level, seed = float(np.clip(level, 0, 1)), int(np.clip(seed, 0, 10_000))  # a crafted client can send any number

if use_upload and upload is not None and sel.dataset in state.BUILTIN:
    x = torch.tensor(upload, dtype=torch.float32).view(1, 1, 28, 28)
else:
    x = sel.data.floats(slice(0, 8))
x_tilde = corrupt(x, kind, level, torch.Generator().manual_seed(seed))

# the plain conv AE and the denoiser of this dataset, and the sidebar's own model if it is neither
names = {
    state.representative(sel.dataset, "conv"): "plain conv AE",
    state.representative(sel.dataset, "denoising"): "denoising AE",
}
names.pop(None, None)
if sel.name not in names and state.fits(sel.model, sel.dataset):
    names[sel.name] = state.title(sel.name)[:28]
rows, labels = [x.numpy(), x_tilde.numpy()], ["clean x", f"noisy x̃ · {psnr(float((x_tilde - x).square().mean())):.1f} dB"]
with torch.no_grad():
    for n, label in names.items():
        x_hat = state.get_model(n).reconstruct(x_tilde)
        rows.append(x_hat.numpy())
        labels.append(f"{label} · {psnr(float((x_hat - x).square().mean())):.1f} dB")
show(plots.reconstruction_rows(rows, labels, tile_px=72), key="dn_grid")
st.caption(
    "PSNR of each row against the clean images (higher is better). The pretrained denoiser is the lecture's conv AE "
    "with 16 channels in its code (the lecture's has 8), a decoder that upsamples by nearest neighbour then a 3×3 "
    "convolution (the lecture's uses transposed convolutions; nearest + conv smooths the noise instead of stamping "
    "its kernel's checkerboard), and a cross-entropy loss, trained 8 epochs on gaussian noise σ = 0.5 (lecture 003's "
    "Keras example: 50 epochs, noise factor 0.5)."
)
