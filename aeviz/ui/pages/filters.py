"""Learned filters: encoder weights as images (lecture 000), conv kernels and feature maps, sparse codes."""

import plotly.graph_objects as go
import streamlit as st
import torch

from aeviz import plots
from aeviz.models.base import tile_shape
from aeviz.ui import links, state
from aeviz.ui.widgets import show, view

links.page(links.keyed("view", state.FILTERS_VIEW, "view"))  # `view` checks it against its views
sel = state.current()
st.header("Learned filters")
st.caption(
    "Each encoder layer's weights W⁽ᵏ⁾ (without bias), one tile per neuron, reshaped to an image. "
    "Red is a positive weight, blue a negative one; each tile is scaled to its own largest weight."
)


@state.figure_cache
def filters(name: str, layer: int, limit: int, cols: int, tile_px: int) -> go.Figure:
    """The first `limit` tiles of encoder layer `layer` (names are unique, session models included)."""
    return plots.filter_grid(state.get_model(name).encoder_filters()[layer].weights[:limit], cols=cols, tile_px=tile_px)


def weights() -> None:
    layers = sel.model.encoder_filters()
    choice = st.radio("Layer", range(len(layers)), format_func=lambda i: layers[i].label, horizontal=True, key="filt_layer")
    choice = choice if choice is not None and choice < len(layers) else 0
    layer = layers[choice]
    limit = 256
    show(filters(sel.name, choice, limit, 16, 44 if layer.kind == "fc" else 40), key="filt_grid")
    if len(layer.weights) > limit:
        st.caption(f"Showing the first {limit} of {len(layer.weights)} filters.")
    twins = [state.representative(sel.dataset, f) for f in ("linear", "mlp")]
    if sel.family in ("linear", "mlp") and all(twins) and st.toggle("Linear vs nonlinear side by side", key="filt_compare"):
        a, b = st.columns(2)
        for col, n in zip((a, b), twins, strict=True):
            their = state.get_model(n).encoder_filters()
            col.markdown(f"**{state.title(n)}** · {their[min(choice, len(their) - 1)].label}")
            with col:
                show(filters(n, min(choice, len(their) - 1), 128, 8, 36), key=f"filt_{n}")


def feature_maps() -> None:
    j = st.slider("Test image", 0, len(sel.data) - 1, 0, key="filt_image")
    x = sel.data.floats(slice(j, j + 1))
    # no columns: a chart in a column of fractional width was drawn twice (Streamlit
    # measures the width rounded, then exactly, and plotly.js redraws for the difference)
    fig = plots.image_grid(x.numpy(), 1, tile_px=112)
    fig.layout.width = 150  # Streamlit's narrowest chart
    show(fig, key="filt_input", width="content")
    for k, (stage, maps) in enumerate(sel.model.feature_stages(x)):
        st.markdown(f"{stage} · {maps.shape[0]} maps of {maps.shape[1]}×{maps.shape[2]}")
        show(plots.image_grid(maps, cols=16, zmax=max(float(maps.max()), 1e-6), tile_px=48), key=f"filt_maps_{k}")


def sparse_codes() -> None:
    """Tutorial 10's heat-map view of a code whose units should be mostly off."""
    cfg = sel.info.config
    x = sel.data.floats(slice(0, 8))
    z = sel.model.codes(x)  # (8, K) in (0, 1)
    rho_hat = sel.info.metrics.get("rho_hat")
    st.caption(
        f"Tutorial 10's heat-map view: each input's {z.shape[1]} sigmoid units as a map. Target mean activation "
        f"ρ = {cfg.rho}" + (f"; measured on the test set ρ̂ = {rho_hat:.3f}" if rho_hat is not None else "")
        + f"; on these 8 images ρ̂ = {float(z.mean()):.3f}."
        + (" Where this departs from tutorial 10 (ρ = 0.02, β = 0.4): the pretrained sparse AE is trained with "
           f"ρ = {cfg.rho}, β = {cfg.beta:g}; the tutorial's own run is the Q3 lesson."
           if sel.name in state.manifest() and cfg.sparsity == "kl" else "")
    )  # fmt: skip
    h, w = tile_shape(z.shape[1])
    a, b = st.columns([1, 3])
    with a:
        show(plots.image_grid(x.numpy(), 2, tile_px=64), key="sparse_inputs")
    with b:
        show(
            plots.image_grid(z.reshape(-1, h, w).numpy(), 4, colorscale="Viridis", showscale=True, tile_px=110),
            key="sparse_codes",
        )


views = {"Weights": weights}
if sel.info.config.is_conv:  # conv stages: the conv AE, and the denoiser and VAE on the conv backbone
    views["Feature maps of one input"] = feature_maps
if sel.info.config.sparsity == "kl":
    views["Sparse codes"] = sparse_codes
with torch.no_grad():
    views[view(list(views), key=state.FILTERS_VIEW)]()
