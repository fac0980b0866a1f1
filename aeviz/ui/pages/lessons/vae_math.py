"""Lecture 001: a VAE's computation for one image, step by step: mu, sigma, eps, z, x_hat, the loss's parts."""

import numpy as np
import streamlit as st
import torch

from aeviz import explore, plots, slides
from aeviz.ui import state
from aeviz.ui.widgets import show, table

TITLE = "VAE, computed"
LECTURE = "001"


def render(sel) -> None:
    vaes = [n for n in state.names_of_family(sel.dataset, "vae") if state.fits(state.get_model(n), sel.dataset)]
    if not vaes:
        st.info("No VAE for this dataset: pick MNIST or Fashion-MNIST, or train one.")
        return
    c1, c2, c3 = st.columns([3, 2, 1])
    titles = {n: state.title(n) for n in vaes}
    name = c1.radio("VAE", vaes, format_func=titles.__getitem__, horizontal=True, key="vm_model")
    name = name if name in vaes else vaes[0]
    i = int(np.clip(c2.number_input("Test image #", 0, len(sel.data) - 1, 0, key="vm_image"), 0, len(sel.data) - 1))
    if c3.button("Draw ε again", key="vm_eps", icon=":material/casino:"):
        st.session_state[state.VAE_MATH_SEED] = st.session_state.get(state.VAE_MATH_SEED, 0) + 1
    model = state.get_model(name)
    x = sel.data.floats(slice(i, i + 1))[0]
    s = slides.vae_step(model, x, seed=st.session_state.get(state.VAE_MATH_SEED, 0))
    st.markdown(
        "The encoder gives a Gaussian $q(z|x) = \\mathcal N(\\mu, \\operatorname{diag}\\sigma^2)$, not a point. "
        "Sampling is not differentiable, so the reparameterisation trick draws $\\varepsilon \\sim \\mathcal N(0, I)$ "
        "and computes $z = \\mu + \\sigma \\odot \\varepsilon$: gradients flow through $\\mu$ and $\\sigma$."
    )
    k = len(s.mu)
    shown = min(k, 10)
    table(
        np.stack([s.mu, s.sigma, s.eps, s.z])[:, :shown],
        index=["μ", "σ", "ε", "z = μ + σ ⊙ ε"],
        columns=[f"z{j + 1}" for j in range(shown)],
        fmt="{:.3f}",
    )
    a, b = st.columns(2)
    with a:
        show(plots.reconstruction_rows([x[None].numpy(), s.x_hat[None]], ["input x", "decode(z)"], tile_px=110), key="vm_images")
    with b:
        elbo = -(s.recon + s.kl)
        st.markdown(
            f"**The loss, for this image** (nats)\n\n| part | value |\n|---|--:|\n"
            f"| reconstruction, −log p(x\\|z) | {s.recon:.1f} |\n| KL(q(z\\|x) ‖ N(0, I)) | {s.kl:.2f} |\n"
            f"| loss = reconstruction + β·KL (β = {model.config.beta:g}) | {s.recon + model.config.beta * s.kl:.1f} |\n"
            f"| ELBO = −(reconstruction + KL) | {elbo:.1f} |"
        )
    st.latex(
        r"\mathrm{KL}\big(\mathcal N(\mu, \sigma^2) \,\|\, \mathcal N(0, 1)\big) = "
        r"\tfrac12 \sum_j \left(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\right) \;\ge 0"
    )
    st.caption(
        "Lecture 001's slide writes it with a leading minus, −½ Σ (σ_j + μ_j² − 1 − log σ_j), σ_j standing for the variance: "
        "the minus is a typo (a KL divergence is never negative; with it, the loss would reward codes far from the prior). "
        f"Per dimension here: {', '.join(f'{v:.2f}' for v in s.kl_per_dim[:shown])}."
    )
    if k == 2:
        rows, z, _ = _codes(name, sel.dataset)
        y = sel.data.y[rows].numpy() if sel.data.y is not None else np.zeros(len(rows), int)
        fig = plots.latent_scatter(
            z, y, state.labels(sel.dataset) or ["image"], rows=rows, title="q(z|x) over the test codes (μ)"
        )
        show(plots.gaussian_overlay(fig, s.mu, s.sigma, s.z), key="vm_plane")
        st.caption("The ellipses are 1σ and 2σ of this image's Gaussian; the star is the z drawn from it, the cross its mean.")


@state.data_cache
def _codes(name: str, dataset: str):
    data = state.test_set(dataset)
    rows = explore.balanced_rows(data.y, 30, len(data))
    with torch.no_grad():
        return rows, explore.codes(state.get_model(name), data.floats(torch.from_numpy(rows))), None
