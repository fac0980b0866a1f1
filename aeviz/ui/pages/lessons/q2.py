"""Tutorial 10, Q2: under- and overcomplete, and sparse, autoencoders on 100 random 10x10 images."""

import numpy as np
import streamlit as st

from aeviz import plots
from aeviz.models.base import tile_shape
from aeviz.tasks import JobSpec
from aeviz.ui.widgets import run, show

TITLE = "Tutorial 10 · Q2"
LECTURE = "004"
# the factor that turns the tutorial's β into the app's scale (error summed over an image's 10 x 10 pixels)
BETA_SCALES = {"the error summed over the pixels": 1.0, "the mean over the pixels (MSE)": 100.0}
VARIANTS = {"a · undercomplete, 49": (49, 0.0), "b · overcomplete, 144": (144, 0.0), "c · sparse, 144": (144, 0.5)}


def render(sel) -> None:
    st.markdown(
        "100 random 10×10 images from U(0, 1), squared error: undercomplete (49), overcomplete (144) "
        "and sparse overcomplete (144, ρ = 0.05, β = 0.5). The app trains with Adam (α = 0.01) on the whole set at once "
        "with a cosine schedule; the tutorial names no optimiser. Its preset on the Train page runs 2,000 epochs; "
        "here 500 by default, so that a class's runs take seconds (pick 2,000 for the preset's)."
    )
    c = st.columns(2)
    epochs = c[0].select_slider("epochs", [200, 500, 1000, 2000], 500, key="q2_epochs")
    scale = c[1].radio("β is weighed against", list(BETA_SCALES), horizontal=True, key="q2_scale")
    variant = st.radio("Autoencoder", list(VARIANTS), horizontal=True, key="q2_variant")
    hidden, beta = VARIANTS.get(variant, VARIANTS["a · undercomplete, 49"])
    beta *= BETA_SCALES.get(scale, 1.0)
    epochs = epochs if epochs in (200, 500, 1000, 2000) else 500
    st.caption(
        "The tutorial asks for mean square error and β = 0.5 without saying over what the error is averaged. "
        "Against the squared error summed over an image's 100 pixels (then averaged over images, as the app's losses "
        "are), β = 0.5 is a light penalty; against the mean over the pixels, the same β weighs 100 times more, which "
        f"is β = 50 on the app's scale. This run: β = {beta:g} on the app's scale."
    )
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
