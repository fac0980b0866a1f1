"""Denoise: corrupt an image, then compare the plain conv AE with the denoising AE (PSNR each)."""

import numpy as np
import streamlit as st
import torch

from aeviz import metrics, plots
from aeviz.config import NOISES
from aeviz.noise import corrupt
from aeviz.training import psnr
from aeviz.ui import links, state
from aeviz.ui.widgets import show


def _noise(text: str) -> str:
    if text not in NOISES:
        raise ValueError(f"choose from {', '.join(NOISES)}")
    return text


def _take_level(text: str) -> None:  # after the noise it belongs to
    if (kind := (links.fresh() or {}).get("noise")) not in NOISES:
        return  # a level belongs to the link's own noise: without a valid one (said so), it is left out
    level = links.floats(text)
    if len(level) != 1 or not 0 <= level[0] <= 1:
        raise ValueError("not a number in [0, 1]")
    st.session_state[state.NOISE_LEVEL.format(kind)] = round(level[0] / 0.05) * 0.05


def _give_level() -> str | None:
    level = st.session_state.get(state.NOISE_LEVEL.format(st.session_state.get(state.NOISE)))
    return None if level is None else f"{level:g}"


links.page(links.keyed("noise", state.NOISE, "noise", _noise), links.Param("level", "noise level", _take_level, _give_level))
sel = state.current()
st.header("Denoise")
st.caption(
    "Lecture 003: a denoising AE sees x̃ = corrupt(x) while training and learns to give back the clean x: "
    "x̂ = Decoder(Encoder(x̃)), scored against x (the slide's Encoder(Decoder(x̃)) is a slip: Lessons › Slide errata)."
)

LABELS = {"gaussian": "gaussian", "masking": "masking (zeroed pixels)", "saltpepper": "salt and pepper",
          "block": "a grey block (infilling)", "gray": "colour taken away (colouring)"}  # fmt: skip
# (slider label, default level) per noise
LEVELS = {"gaussian": ("σ", 0.5), "block": ("block side, share of the image's", 0.4), "gray": ("colour taken away", 1.0)}
kinds = [k for k in NOISES if k != "gray" or sel.data.shape[0] == 3]  # colouring needs colour images
if st.session_state.get(state.NOISE) not in kinds:
    st.session_state.pop(state.NOISE, None)
c1, c2, c3, c4 = st.columns(4)
kind = c1.selectbox("Noise", kinds, key=state.NOISE, format_func=LABELS.get)
label, default = LEVELS.get(kind, ("fraction of pixels", 0.3))
level = c2.slider(label, 0.0, 1.0, default, 0.05, key=state.NOISE_LEVEL.format(kind))
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
# the dataset's denoiser trained on this very noise, if it has one (the infilling AE for a block)
trained_on = [n for n in state.names_of_family(sel.dataset, "denoising") if state.info(n).config.noise == kind]
names = {
    state.representative(sel.dataset, "conv"): "plain conv AE",
    state.representative(sel.dataset, "denoising"): "denoising AE",
}
if trained_on and trained_on[0] not in names:
    names[trained_on[0]] = f"denoiser for {LABELS[kind].split(' (')[0]}"
names.pop(None, None)
if sel.name not in names and state.fits(sel.model, sel.dataset):
    names[sel.name] = state.title(sel.name)[:28]
rows, labels = [x.numpy(), x_tilde.numpy()], ["clean x", f"noisy x̃ · {psnr(metrics.mse(x_tilde, x)):.1f} dB"]
with torch.no_grad():
    for n, label in names.items():
        x_hat = state.get_model(n).reconstruct(x_tilde)
        rows.append(x_hat.numpy())
        labels.append(f"{label} · {psnr(metrics.mse(x_hat, x)):.1f} dB")
show(plots.reconstruction_rows(rows, labels, tile_px=72), key="dn_grid")
st.caption(
    "PSNR of each row against the clean images (higher is better). The pretrained denoiser is the lecture's conv AE "
    "with 16 channels in its code (the lecture's has 8), a decoder that upsamples by nearest neighbour then a 3×3 "
    "convolution (the lecture's uses transposed convolutions; nearest + conv smooths the noise instead of stamping "
    "its kernel's checkerboard), and a cross-entropy loss, trained 8 epochs on gaussian noise σ = 0.5 (lecture 003's "
    "Keras example: 50 epochs, noise factor 0.5)."
)
