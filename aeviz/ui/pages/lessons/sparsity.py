"""Lecture 003's sparse autoencoder, seen: the KL penalty, a digit as a sum of strokes, rho_hat measured."""

import numpy as np
import streamlit as st
import torch

from aeviz import plots, slides
from aeviz.models.base import tile_shape
from aeviz.ui import state
from aeviz.ui.widgets import show

TITLE = "Sparsity, seen"
LECTURE = "003"


@state.data_cache
def rho_hats(name: str, dataset: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Each unit's mean activation over the training set (or the sample's training half), and over one batch of 128."""
    from aeviz.data import splits

    if dataset in state.BUILTIN:
        train, _, note = splits(dataset)
    else:  # a toy set or a class's own images (a session's sparse model): the images the page has
        train, note = state.test_set(dataset), "the held-out images"
    x = train.floats()[:20_000]
    with torch.no_grad():
        z = state.get_model(name).codes(x)
    return z.mean(0).numpy(), z[:128].mean(0).numpy(), note or "the training set"


def render(sel) -> None:
    st.markdown(
        "Lecture 003: $J_S = J + \\beta \\sum_j \\mathrm{KL}(\\rho \\| \\hat\\rho_j)$, with $\\hat\\rho_j$ the mean "
        "activation of code unit $j$. The penalty is zero when $\\hat\\rho_j = \\rho$ and grows on either side."
    )
    rho = float(np.clip(st.slider("ρ", 0.01, 0.99, 0.2, 0.01, key="sp_rho"), 0.01, 0.99))
    rho_hat, kl = slides.kl_curve(rho)
    show(
        plots.curves({f"KL({rho:g} ‖ ρ̂)": kl}, title="The sparsity penalty of one unit", x="ρ̂", y="KL", x_values=rho_hat),
        key="sp_kl",
    )
    name = state.representative(sel.dataset, "sparse")
    if name is None:
        st.info("The rest of this lesson uses the pretrained sparse AE: pick MNIST or Fashion-MNIST.")
        return
    model, cfg = state.get_model(name), state.info(name).config
    st.subheader("A digit as a weighted sum of strokes")
    if len(model.decoder_linears()) == 1:
        strokes(sel, model)
    else:
        st.info(
            f"{state.title(name)} decodes through several layers: its picture is no weighted sum of strokes. "
            "A one-layer sparse AE's is."
        )
    rho_hat_section(sel, name, cfg)


def strokes(sel, model) -> None:
    i = int(np.clip(st.number_input("Test image #", 0, len(sel.data) - 1, 0, key="sp_image"), 0, len(sel.data) - 1))
    d = slides.decompose(model, sel.data.floats(slice(i, i + 1))[0], k=9)
    terms = " + ".join(f"{w:.2f} × ▢{u}" for w, u in zip(d.weights, d.units, strict=True))
    st.markdown(f"x̂ ≈ sigmoid({terms} + …)")
    show(
        plots.filter_grid(d.features, cols=9, tile_px=56, title="The 9 most active units' decoder columns (strokes)"),
        key="sp_strokes",
    )
    full = model.reconstruct(sel.data.floats(slice(i, i + 1)))[0].numpy()
    show(
        plots.reconstruction_rows(
            [sel.data.floats(slice(i, i + 1)).numpy(), d.partial[None], full],
            ["input", "from these 9 strokes", "from all units"],
            tile_px=80,
        ),
        key="sp_parts",
    )


def rho_hat_section(sel, name: str, cfg) -> None:
    st.subheader("ρ̂: over the training set, and over one batch")
    over_set, over_batch, where = rho_hats(name, sel.dataset)
    show(
        plots.histograms(
            {"over the training set": over_set, "over one batch of 128": over_batch},
            title=f"Mean activation of each of the {len(over_set)} units",
            x="ρ̂ⱼ",
        ),
        key="sp_rho_hat",
    )
    st.caption(
        f"Lecture 003 defines ρ̂ⱼ over the whole training set (here {where}): mean {over_set.mean():.3f}. Training uses each "
        f"batch's ρ̂ⱼ instead, a noisy estimate of it (one batch: mean {over_batch.mean():.3f}, spread "
        f"{over_batch.std():.3f} against {over_set.std():.3f}), so the penalty follows the data without a pass over all of it."
    )
    h, w = tile_shape(len(over_set))
    if name not in state.manifest():  # a session's own sparse model: its settings are its student's
        return
    st.info(
        f"Where this departs from the lecture: the pretrained sparse AE has ρ = {cfg.rho} and β = {cfg.beta:g}; tutorial 10 "
        "has ρ = 0.02 and β = 0.4 (its own run is the Tutorial 10 · Q3 lesson). β is quoted against the reconstruction "
        "error summed over an image's 784 pixels; at that scale β = 0.4 left ρ̂ near 0.06, so the pretrained model "
        f"takes a firmer β. Its code has {len(over_set)} units ({h}×{w} maps on the Learned filters page)."
    )
