"""VAE explorer: one slider per latent dimension, decoded in the browser while you drag."""

import numpy as np
import streamlit as st
import torch

from aeviz import explore, plots
from aeviz.ui import decoder, links, state
from aeviz.ui.decoder import latent_plane, latent_sliders
from aeviz.ui.widgets import show

dataset = st.session_state[state.DATASET]


def _take_image(text: str) -> None:
    st.session_state[state.VAE_IMAGE] = links.image_number(dataset)(text)
    st.session_state[state.VAE_START] = "a test image"


def _take_vae(text: str) -> None:  # the explorer's own VAE, when not the sidebar's model
    info = state.manifest().get(text)
    if not (info and info["dataset"] == dataset and info["config"]["family"] == "vae"):
        raise ValueError("not a VAE on this server for this dataset")
    st.session_state[state.VAE_MODEL] = text


def _take_z(text: str) -> None:  # the page checks its length against the VAE's code
    st.session_state[state.VAE_LINK_Z] = [max(-3.0, min(3.0, x)) for x in links.floats(text)]


def _give(key: str, when: bool, show=str):
    value = st.session_state.get(key)
    return show(value) if when and value is not None and value != [] else None


ss = st.session_state
links.page(
    links.Param("img", "test image", _take_image, lambda: _give(state.VAE_IMAGE, ss.get(state.VAE_START) == "a test image")),
    links.Param("vae", "VAE", _take_vae, lambda: _give(state.VAE_MODEL, ss.get(state.VAE_MODEL) in state.manifest()
                                                       and ss.get(state.VAE_MODEL) != ss.get(state.MODEL))),
    links.Param("z", "latent vector", _take_z, lambda: _give(state.VAE_Z, True, lambda z: ",".join(f"{x:.2f}" for x in z))),
)  # fmt: skip
data = state.test_set(dataset)
st.header("VAE explorer")
vaes = state.names_of_family(dataset, "vae")
if not vaes:
    st.warning("No variational autoencoder for this dataset yet: train one on the Train page.")
    st.stop()
sidebar_model = st.session_state[state.MODEL]
default = sidebar_model if sidebar_model in vaes else state.representative(dataset, "vae")
if st.session_state.get(state.VAE_MODEL) not in vaes:
    st.session_state.pop(state.VAE_MODEL, None)
titles = {n: state.title(n) for n in vaes}
name = st.selectbox("VAE", vaes, index=vaes.index(default), format_func=titles.__getitem__, key=state.VAE_MODEL)
model = state.get_model(name)
cfg = state.info(name).config
k = cfg.latent
st.caption(
    f"β = {cfg.beta}: the loss is reconstruction + β·KL(q(z|x) ‖ N(0, I)), the reconstruction summed over "
    "the image's pixels. A larger β pulls every code towards the prior, which makes the space smoother and the "
    "dimensions more independent, at the cost of blurrier reconstructions; β = 1 is the plain VAE's evidence lower bound."
)


@state.data_cache
def dim_kl(name: str, dataset: str) -> np.ndarray:
    with torch.no_grad():
        return explore.kl_per_dim(state.get_model(name), state.test_floats(dataset)[:2000])


@state.data_cache
def plane_points(name: str, dataset: str) -> tuple[list, tuple]:
    """The dots of a 2-D model's latent plane (60 test images a class) and the plane's extent: once per
    model and dataset, not on every run of the page."""
    data = state.test_set(dataset)
    rows = explore.balanced_rows(data.y, 60, len(data))
    xy = explore.codes(state.get_model(name), data.floats(torch.from_numpy(rows)))
    lo, hi = np.percentile(xy, [0.5, 99.5], axis=0)
    pad = 0.1 * (hi - lo)
    extent = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
    y = data.y[rows].numpy() if data.y is not None else np.zeros(len(rows), int)
    return decoder.plane_points(xy, y), extent


kl = dim_kl(name, dataset)
c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
start = c1.radio("Start from", ["zero", "a test image", "my upload / drawing"], horizontal=True, key=state.VAE_START)
idx = c2.number_input("Test image #", 0, len(data) - 1, 0, key=state.VAE_IMAGE, disabled=start != "a test image")
idx = int(np.clip(idx, 0, len(data) - 1))  # a crafted client can send any number
nonce = st.session_state.setdefault(state.VAE_NONCE, 0)
samples = st.session_state.setdefault(state.VAE_SAMPLES, {})  # model name -> a sampled z: a 10-D z is no 2-D VAE's
if c3.button("Reset", key="vae_reset", icon=":material/restart_alt:"):
    samples.pop(name, None)
    st.session_state[state.VAE_NONCE] = nonce = nonce + 1
if c4.button("Sample", key="vae_random", icon=":material/casino:", help="z ~ N(0, I)"):
    samples[name] = torch.randn(k, generator=torch.Generator().manual_seed(nonce + 1)).tolist()
    st.session_state[state.VAE_NONCE] = nonce = nonce + 1

upload = st.session_state.get(state.UPLOAD)
if (link_z := st.session_state.pop(state.VAE_LINK_Z, None)) is not None:  # a shared link's latent vector
    if len(link_z) == k:
        samples[name] = link_z
    else:
        st.toast(f"The link's latent vector has {len(link_z)} numbers; {state.title(name)} has {k}: starting from zero.")
with torch.no_grad():
    if samples.get(name) is not None:
        z0 = torch.tensor(samples[name])
    elif start == "a test image":
        z0 = model.encode(data.floats(slice(idx, idx + 1)))[0]
    elif start == "my upload / drawing" and upload is not None and state.fits(model, "mnist"):
        z0 = model.encode(torch.tensor(upload).view(1, *cfg.shape))[0]
    else:
        if start == "my upload / drawing":
            st.info("Nothing uploaded or drawn yet (or this VAE does not take 28×28 images): starting from zero.")
        z0 = torch.zeros(k)
z0 = z0.clamp(-3, 3)
labels = [f"z{i + 1} · KL {kl[i]:.2f}" for i in range(k)]
start_id = f"{name}-{nonce}-{start}-{idx}"  # a new start mounts fresh sliders (and forgets the old z)
z = latent_sliders(name, model, z0.tolist(), key=f"vae_sliders_{start_id}", labels=labels)
if z is not None and (len(z) != k or not all(isinstance(v, int | float) and np.isfinite(v) for v in z)):
    z = None  # a crafted or stale value
st.caption(
    "Drag a slider: the image is decoded in your browser on every step of the drag. KL is how much a dimension "
    "is used on average (near 0: the decoder ignores it). Released values come back to the server:"
)
if z is not None:
    st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")")
st.session_state[state.VAE_Z] = list(z) if z is not None else z0.tolist()  # what a shared link carries

st.subheader("Latent perturbation")
st.caption("Lecture 001: sweep one dimension from −3σ to +3σ while the others stay at the starting code.")
dims = list(np.argsort(-kl)[: min(k, 10)])
with torch.no_grad():
    zt = torch.as_tensor(z if z is not None else z0, dtype=torch.float32).clamp(-10, 10)[None]
    grid = explore.traversal(model, zt, dims, torch.linspace(-3, 3, 9))
show(plots.reconstruction_rows(list(grid), [f"z{d + 1}" for d in dims], tile_px=56), key="vae_traversal")

planes = [n for n in state.model_names(dataset) if state.get_model(n).latent_shape == (2,)]
if planes:
    st.subheader("The latent plane, decoded under your pointer")
    st.caption("Each dot is a test image's code. Move over the plane: gaps in a plain AE's plane decode to non-digits.")
    cols = st.columns(len(planes[:2]))
    for col, n in zip(cols, planes[:2], strict=False):
        with col:
            st.markdown(f"**{state.title(n)}**")
            latent_plane(n, state.get_model(n), *plane_points(n, dataset), key=f"plane_{n}")
