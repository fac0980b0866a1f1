"""Denoise: corrupt an image, then compare the plain conv AE with the denoising AE (PSNR each)."""

import streamlit as st
import torch

from aeviz import plots
from aeviz.config import NOISES
from aeviz.noise import corrupt
from aeviz.train import psnr
from aeviz.ui import common as ui

dataset = st.session_state["dataset"]
data = ui.test_set(dataset)
st.header("Denoise")
st.caption("Lecture 003: a denoising AE sees x̃ = corrupt(x) while training and learns to give back the clean x.")

c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox(
    "Noise",
    NOISES,
    key="dn_noise",
    format_func={"gaussian": "gaussian", "masking": "masking (zeroed pixels)", "saltpepper": "salt and pepper"}.get,
)
level = c2.slider(
    "σ" if kind == "gaussian" else "fraction of pixels",
    0.0,
    1.0,
    0.5 if kind == "gaussian" else 0.3,
    0.05,
    key=f"dn_level_{kind}",
)
use_upload = c3.toggle("Use my upload / drawing", key="dn_upload", disabled=st.session_state.get("upload_x") is None)
seed = c4.number_input("Noise seed", 0, 10_000, 0, key="dn_seed")

if use_upload and st.session_state.get("upload_x") is not None:
    x = torch.tensor(st.session_state["upload_x"], dtype=torch.float32).view(1, 1, 28, 28)
else:
    x = data.floats(slice(0, 8))
x_tilde = corrupt(x, kind, level, torch.Generator().manual_seed(int(seed)))

rows, labels = [x.numpy(), x_tilde.numpy()], ["clean x", f"noisy x̃ · {psnr(float((x_tilde - x).square().mean())):.1f} dB"]
for family in ("conv", "denoising"):
    n = ui.representative(dataset, family)
    if n is None:
        continue
    x_hat = ui.get_model(n).reconstruct(x_tilde)
    rows.append(x_hat.numpy())
    labels.append(
        f"{'plain conv AE' if family == 'conv' else 'denoising AE'} · {psnr(float((x_hat - x).square().mean())):.1f} dB"
    )
ui.show(plots.reconstruction_rows(rows, labels, tile_px=72), key="dn_grid")
st.caption("PSNR of each row against the clean images (higher is better). The denoiser was trained on gaussian noise σ = 0.5.")
