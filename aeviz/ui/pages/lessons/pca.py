"""Lecture 000: a linear AE with squared error spans PCA's top-K subspace."""

import streamlit as st
import torch

from aeviz import plots, slides
from aeviz.ui import state
from aeviz.ui.widgets import show

TITLE = "Linear AE = PCA"
LECTURE = "000"


@state.data_cache
def decoder_vs_pcs(name: str, dataset: str):
    """The linear AE's decoder against PCA fitted on the same training images the Reconstructions page uses."""
    model = state.get_model(name)
    return slides.compare_with_pca(model, state.pca_for(dataset, model.latent_size)[0])


def render(sel) -> None:
    st.markdown(
        "Lecture 000: a linear autoencoder trained with squared error can at best reach PCA, "
        "$\\hat X = X V_K V_K^T$, and then its decoder spans the same subspace as the top-$K$ principal components."
    )
    lin = state.representative(sel.dataset, "linear")
    if lin is None:
        st.info("This lesson uses the pretrained linear AE: pick MNIST or Fashion-MNIST in the sidebar.")
        return
    cmp, (ae_mse, pca_mse, where) = decoder_vs_pcs(lin, sel.dataset), state.ae_vs_pca(lin, sel.dataset)
    k = cmp.components.shape[0]
    a, b, c = st.columns(3)
    a.metric(f"linear AE ({state.title(lin)})", f"{ae_mse:.4f}")
    b.metric(f"PCA, K = {k}", f"{pca_mse:.4f}")
    c.metric("largest principal angle", f"{float(cmp.angles.max()):.1f}°")
    st.caption(f"Test MSE per pixel; PCA fitted on {where}, as on the Reconstructions page.")
    show(
        plots.bar([f"θ{i + 1}" for i in range(k)], cmp.angles.tolist(),
                  title="Principal angles between the decoder's columns and PCA's top-K subspace", yaxis="degrees", fmt=".1f"),
        key="pca_angles",
    )  # fmt: skip
    st.caption(
        "The first angles are near 0°: the leading components are shared. The last ones are large because "
        "those components explain almost no variance, so the loss barely depends on which of them the AE keeps."
    )
    n = 16
    st.markdown(
        "First 16 principal components (top) and the same components projected onto the AE decoder's "
        "column space (bottom): identical when the subspaces agree."
    )
    tiles = torch.cat([cmp.components[:n], cmp.projected[:n]]).reshape(-1, *sel.data.shape[-2:]).numpy()
    show(plots.filter_grid(tiles, cols=n, tile_px=48), key="pca_components")
