"""Tutorial 10, Q1: five 3x3 binary patterns through a 9-4-9 sigmoid autoencoder, plain and sparse."""

import numpy as np
import streamlit as st

from aeviz import plots, presets
from aeviz.data import patterns_3x3
from aeviz.tasks import JobSpec
from aeviz.ui.widgets import run, show, table

TITLE = "Tutorial 10 · Q1"
LECTURE = "004"


def render(sel) -> None:
    st.markdown(
        "Five 3×3 binary patterns, a 9-4-9 autoencoder with sigmoid units, cross-entropy, "
        "gradient descent with α = 0.1 (lecture 004)."
    )
    c = st.columns(4)
    lr = c[0].number_input("α", 0.001, 5.0, presets.PATTERNS_TRAIN.lr, key="q1_lr")
    epochs = c[1].number_input("iterations", 100, 10_000, presets.PATTERNS_TRAIN.epochs, step=500, key="q1_epochs")
    beta = c[2].number_input("sparsity β", 0.0, 5.0, presets.PATTERNS_SPARSE.beta, key="q1_beta")
    rho = c[3].number_input("ρ", 0.01, 0.99, presets.PATTERNS_SPARSE.rho, key="q1_rho")
    # a crafted client can send any number: back inside what the widgets allow
    lr, beta, rho = float(np.clip(lr, 0.001, 5)), float(np.clip(beta, 0, 5)), float(np.clip(rho, 0.01, 0.99))
    epochs = int(np.clip(epochs, 100, 10_000))
    plain = run(JobSpec.of("tutorial_q1", shared=True, beta=0.0, rho=rho, lr=lr, epochs=epochs), "the plain 9-4-9 run")
    sparse = run(JobSpec.of("tutorial_q1", shared=True, beta=beta, rho=rho, lr=lr, epochs=epochs), "the sparse 9-4-9 run")
    if plain is None or sparse is None:
        return
    x = patterns_3x3().x.flatten(1).numpy()
    show(
        plots.reconstruction_rows(
            [x.reshape(5, 3, 3), plain["y"].reshape(5, 3, 3), plain["o"].reshape(5, 3, 3), sparse["o"].reshape(5, 3, 3)],
            ["patterns x", "plain, outputs y", "plain, y > 0.5", "sparse, y > 0.5"], tile_px=48,
        ),
        key="q1_patterns",
    )  # fmt: skip
    ok = ["✓" if (r["o"] == x).all() else "✗" for r in (plain, sparse)]
    st.caption(f"All five reconstructed exactly (outputs thresholded at 0.5): plain {ok[0]}, sparse {ok[1]}.")
    st.markdown("**Continuous outputs y of the plain net** (the tutorial's table, before thresholding)")
    table(plain["y"], index=[f"x{i + 1}" for i in range(5)], columns=[f"y{j + 1}" for j in range(9)], fmt="{:.3f}")
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Hidden activations, reconstruction loss only** (mean {plain['h'].mean():.3f})")
        table(plain["h"], index=[f"x{i + 1}" for i in range(5)], columns=[f"h{j + 1}" for j in range(4)])
    with b:
        st.markdown(f"**…plus sparsity β = {beta}, ρ = {rho}** (mean {sparse['h'].mean():.3f})")
        table(sparse["h"], index=[f"x{i + 1}" for i in range(5)], columns=[f"h{j + 1}" for j in range(4)])
    show(
        plots.curves(
            {"plain": plain["loss"], f"sparse, β = {beta}": sparse["loss"]}, title="Training loss", x="iteration", log=True
        ),
        key="q1_curve",
    )
    which = st.radio("Weights of", ["plain", "sparse"], horizontal=True, key="q1_weights")
    r = plain if which == "plain" else sparse
    a, b = st.columns(2)
    with a:
        st.markdown("W (9 × 4) and b")
        table(r["W"])
        table(r["b"][None])
    with b:
        st.markdown("W′ (4 × 9) and b′")
        table(r["W'"])
        table(r["b'"][None])
