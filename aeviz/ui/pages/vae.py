"""VAE explorer: one slider per latent dimension, decoded in the browser while you drag."""

import numpy as np
import streamlit as st
import torch

from aeviz import explore, plots
from aeviz.ui import common as ui
from aeviz.ui.decoder import latent_plane, latent_sliders

dataset = st.session_state["dataset"]
st.header("VAE explorer")
vaes = ui.names_of_family(dataset, "vae")
if not vaes:
    st.warning("No variational autoencoder for this dataset yet: train one on the Train page.")
    st.stop()
sidebar_model = st.session_state["model"]
default = sidebar_model if sidebar_model in vaes else ui.representative(dataset, "vae")
name = st.selectbox("VAE", vaes, index=vaes.index(default), format_func=ui.title, key="vae_model")
model = ui.get_model(name)
cfg = ui.info(name)["config"]
data = ui.test_set(dataset)
k = cfg["latent"]
st.caption(
    f"β = {cfg['beta']}: the loss is reconstruction + β·KL(q(z|x) ‖ N(0, I)). A larger β pulls every code "
    "towards the prior, which makes the space smoother and the dimensions more independent, at the cost of "
    "blurrier reconstructions; β = 1 is the plain VAE's evidence lower bound."
)


@st.cache_data(show_spinner=False, max_entries=32)
def dim_kl(name: str, dataset: str) -> np.ndarray:
    return explore.kl_per_dim(ui.get_model(name), ui.test_floats(dataset)[:2000])


kl = dim_kl(name, dataset)
c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
start = c1.radio("Start from", ["zero", "a test image", "my upload / drawing"], horizontal=True, key="vae_start")
idx = c2.number_input("Test image #", 0, len(data) - 1, 0, key="vae_image", disabled=start != "a test image")
nonce = st.session_state.setdefault("vae_nonce", 0)
if c3.button("Reset", key="vae_reset", icon=":material/restart_alt:"):
    st.session_state["vae_sample"] = None
    st.session_state["vae_nonce"] = nonce = nonce + 1
if c4.button("Sample", key="vae_random", icon=":material/casino:", help="z ~ N(0, I)"):
    g = torch.Generator().manual_seed(nonce + 1)
    st.session_state["vae_sample"] = torch.randn(k, generator=g).tolist()
    st.session_state["vae_nonce"] = nonce = nonce + 1

with torch.no_grad():
    if st.session_state.get("vae_sample") is not None:
        z0 = torch.tensor(st.session_state["vae_sample"])
    elif start == "a test image":
        z0 = model.encode(data.floats(slice(idx, idx + 1)))[0]
    elif start == "my upload / drawing" and st.session_state.get("upload_x") is not None:
        z0 = model.encode(torch.tensor(st.session_state["upload_x"]).view(1, 1, 28, 28))[0]
    else:
        if start == "my upload / drawing":
            st.info("Nothing uploaded or drawn yet: use the Upload & draw page. Starting from zero.")
        z0 = torch.zeros(k)
z0 = z0.clamp(-3, 3)
labels = [f"z{i + 1} · KL {kl[i]:.2f}" for i in range(k)]
start_id = f"{name}-{nonce}-{start}-{idx}"  # a new start mounts fresh sliders (and forgets the old z)
z = latent_sliders(name, model, z0.tolist(), key=f"vae_sliders_{start_id}", labels=labels)
st.caption(
    "Drag a slider: the image is decoded in your browser on every step of the drag. KL is how much a dimension "
    "is used on average (near 0: the decoder ignores it). Released values come back to the server:"
)
if z is not None:
    st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")")

st.subheader("Latent perturbation")
st.caption("Lecture 001: sweep one dimension from −3σ to +3σ while the others stay at the starting code.")
dims = list(np.argsort(-kl)[: min(k, 10)])
values = torch.linspace(-3, 3, 9)
grid = explore.traversal(model, torch.as_tensor(z if z is not None else z0, dtype=torch.float32)[None], dims, values)
ui.show(
    plots.reconstruction_rows(list(grid), [f"z{d + 1}" for d in dims], tile_px=56),
    key="vae_traversal",
)

planes = [n for n in ui.model_names(dataset) if ui.info(n)["config"]["latent"] == 2]
if planes:
    st.subheader("The latent plane, decoded under your pointer")
    st.caption("Each dot is a test image's code. Move over the plane: gaps in a plain AE's plane decode to non-digits.")
    rows = ui.balanced_indices(data.y, per_class=60)
    cols = st.columns(len(planes[:2]))
    for col, n in zip(cols, planes[:2], strict=False):
        m = ui.get_model(n)
        xy = explore.codes(m, data.floats(torch.from_numpy(rows)))
        lo, hi = np.percentile(xy, [0.5, 99.5], axis=0)
        pad = 0.1 * (hi - lo)
        extent = (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))
        with col:
            st.markdown(f"**{ui.title(n)}**")
            latent_plane(n, m, xy, data.y[rows].numpy(), extent, key=f"plane_{n}")
