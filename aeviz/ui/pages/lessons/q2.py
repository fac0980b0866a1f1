"""Tutorial 10, Q2: under- and overcomplete, and sparse, autoencoders on 100 random 10x10 images."""

import numpy as np
import streamlit as st

from aeviz import plots
from aeviz.models.base import tile_shape
from aeviz.tasks import JobSpec
from aeviz.ui.widgets import run, show

TITLE = "Tutorial 10 · Q2"
LECTURE = "004"
VARIANTS = {"a · undercomplete, 49": (49, 0.0), "b · overcomplete, 144": (144, 0.0), "c · sparse, 144": (144, 0.5)}


def render(sel) -> None:
    st.markdown(
        "100 random 10×10 images from U(0, 1), squared error: undercomplete (49), overcomplete (144) "
        "and sparse overcomplete (144, ρ = 0.05, β = 0.5)."
    )
    epochs = st.select_slider("epochs", [200, 500, 1000, 2000], 500, key="q2_epochs")
    variant = st.radio("Autoencoder", list(VARIANTS), horizontal=True, key="q2_variant")
    hidden, beta = VARIANTS.get(variant, VARIANTS["a · undercomplete, 49"])
    epochs = epochs if epochs in (200, 500, 1000, 2000) else 500
    r = run(JobSpec.of("tutorial_q2", shared=True, hidden=hidden, beta=beta, rho=0.05, epochs=epochs), f"the {hidden}-unit run")
    if r is None:
        return
    st.caption(f"MSE {r['mse']:.4f} · mean hidden activation {r['z'].mean():.3f}")
    a, b = st.columns(2)
    with a:
        show(
            plots.filter_grid(r["w"], cols=int(np.sqrt(hidden)), tile_px=32, title=f"10×10 weights of {hidden} filters"),
            key="q2_filters",
        )
    with b:
        h, w = tile_shape(hidden)
        show(
            plots.image_grid(r["z"][:25].reshape(-1, h, w), cols=5, colorscale="Viridis", tile_px=60, showscale=True,
                             title=f"{h}×{w} hidden activations of 25 samples"),
            key="q2_codes",
        )  # fmt: skip
    st.markdown("**Inputs and their reconstructions** (the first 10 images)")
    show(plots.reconstruction_rows([r["x"][:10], r["x_hat"][:10]], ["input x", "output x̂"], tile_px=48), key="q2_recon")
    show(plots.curves({variant: r["loss"]}, title="Training loss", x="epoch", log=True), key="q2_curve")
