"""Overview: what an autoencoder is, the chosen model's anatomy, and lecture 000's comparison, live."""

import plotly.graph_objects as go
import streamlit as st

from aeviz import explore, plots
from aeviz.ui import common as ui

FAMILIES = ("linear", "mlp", "conv", "sparse", "denoising", "vae")


@st.cache_data(show_spinner=False, max_entries=64)
def layer_table(name: str) -> str:
    """The model's layers as a Markdown table: static, and no pandas to import on the first visit."""
    rows = explore.summary(ui.get_model(name))  # names are unique, session models included
    lines = ["| layer | type | output | params |", "|---|---|---|--:|"]
    lines += [f"| {r['layer']} | {r['type']} | {' × '.join(map(str, r['output']))} | {r['params']:,} |" for r in rows]
    return "\n".join(lines)


@ui.figure_cache
def comparison(dataset: str, names: tuple[str, ...]) -> go.Figure:
    """Ten test images and each family's reconstruction of them, with its MSE (lecture 000's slide)."""
    x = ui.test_floats(dataset)[:: max(1, len(ui.test_set(dataset)) // 10)][:10]
    rows, labels = [x.numpy()], ["input"]
    for n in names:
        x_hat = ui.get_model(n).reconstruct(x)
        rows.append(x_hat.numpy())
        labels.append(f"{ui.family(n)} · {float((x_hat - x).square().mean()):.4f}")
    return plots.reconstruction_rows(rows, labels, tile_px=64)


dataset, name = st.session_state["dataset"], st.session_state["model"]
model = ui.get_model(name)
meta = ui.info(name)

st.header("Overview")
st.markdown(
    "An **autoencoder** squeezes an image $x$ through a narrow code $z = E_\\theta(x)$ and rebuilds it, "
    "$\\hat x = G_\\phi(z)$. It learns with no labels at all: the only goal is $\\hat x \\approx x$. "
    "What it keeps in $z$ is what it found to matter."
)

left, right = st.columns([2, 3])
with left:
    st.subheader(meta.get("title", name))
    m = meta.get("metrics", {})
    c1, c2, c3 = st.columns(3)
    c1.metric("parameters", f"{explore.n_params(model):,}")
    c2.metric("latent size", "×".join(map(str, model.latent_shape)))
    if "mse" in m:
        c3.metric("test MSE", f"{m['mse']:.4f}")
    cfg = meta["config"]
    st.caption(
        f"family **{cfg['family']}** · input {'×'.join(map(str, cfg['shape']))} · loss {cfg['recon'].upper()}"
        + (f" · β = {cfg['beta']}" if cfg["family"] in ("vae", "sparse") else "")
        + (f" · ρ = {cfg['rho']}" if cfg["family"] == "sparse" else "")
        + (f" · noise {cfg['noise']} {cfg['noise_level']}" if cfg["family"] == "denoising" else "")
    )
with right:
    st.markdown(layer_table(name))

st.subheader("Linear vs nonlinear vs convolutional vs sparse vs denoising vs VAE")
st.caption("Lecture 000's slide on real models: the same test images (top) and each family's reconstruction, with its MSE.")
names = tuple(n for f in FAMILIES if (n := ui.representative(dataset, f)))
ui.show(comparison(dataset, names), key="overview_compare")
st.caption("Numbers are the MSE per pixel on these ten images; the full test-set figures are on the Reconstructions page.")
