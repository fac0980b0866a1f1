"""Learned filters: encoder weights as images (lecture 000), conv kernels and feature maps, sparse codes."""

import plotly.graph_objects as go
import streamlit as st
import torch

from aeviz import explore, plots
from aeviz.explore import tile_shape
from aeviz.ui import common as ui

dataset, name = st.session_state["dataset"], st.session_state["model"]
model = ui.get_model(name)
fam = ui.family(name)
data = ui.test_set(dataset)

st.header("Learned filters")
st.caption(
    "Each encoder layer's weights W⁽ᵏ⁾ (without bias), one tile per neuron, reshaped to an image. "
    "Red is a positive weight, blue a negative one; each tile is scaled to its own largest weight."
)


@ui.figure_cache
def filters(name: str, layer: int, limit: int, cols: int, tile_px: int) -> go.Figure:
    """The first `limit` filters of the model's encoder layer `layer` (names are unique, session models included)."""
    return plots.filter_grid(explore.encoder_filters(ui.get_model(name))[layer][1][:limit], cols=cols, tile_px=tile_px)


layers = explore.encoder_filters(model)
if not layers:
    st.info("This model has no encoder weights to show.")
    st.stop()

is_conv = fam == "conv" or (fam == "denoising" and ui.info(name)["config"]["backbone"] == "conv")
if not is_conv:
    choice = st.radio("Layer", range(len(layers)), format_func=lambda i: layers[i][0], horizontal=True, key="filt_layer")
    label, w = layers[choice]
    limit = 256
    ui.show(filters(name, choice, limit, 16, 44), key="filt_grid")
    if len(w) > limit:
        st.caption(f"Showing the first {limit} of {len(w)} filters.")
    twins = [ui.representative(dataset, f) for f in ("linear", "mlp")]
    if fam in ("linear", "mlp") and all(twins) and st.toggle("Linear vs nonlinear side by side", key="filt_compare"):
        a, b = st.columns(2)
        for col, n in zip((a, b), twins, strict=True):
            col.markdown(f"**{ui.title(n)}**")
            with col:
                ui.show(filters(n, min(choice, len(layers) - 1), 128, 8, 36), key=f"filt_{n}")
else:
    if ui.view(["Kernels", "Feature maps of one input"], key="filt_view") == "Kernels":
        for i, (label, w) in enumerate(layers):
            st.markdown(f"**{label}**")
            ui.show(filters(name, i, len(w), 16, 40), key=f"filt_conv_{i}")
    else:
        j = st.slider("Test image", 0, len(data) - 1, 0, key="filt_image")
        x = data.floats(slice(j, j + 1))
        # no columns: a chart in a column of fractional width was drawn twice (Streamlit
        # measures the width rounded, then exactly, and plotly.js redraws for the difference)
        fig = plots.image_grid(x.numpy(), 1, tile_px=112)
        fig.layout.width = 150  # Streamlit's narrowest chart
        ui.show(fig, key="filt_input", width="content")
        for k, (stage, maps) in enumerate(explore.feature_maps(model, x)):
            st.markdown(f"{stage} · {maps.shape[0]} maps of {maps.shape[1]}×{maps.shape[2]}")
            fig = plots.image_grid(maps, cols=16, zmax=max(float(maps.max()), 1e-6), tile_px=48)
            ui.show(fig, key=f"filt_maps_{k}")

if fam == "sparse":
    st.subheader("Hidden activations of sample inputs")
    cfg = ui.info(name)["config"]
    st.caption(
        f"Tutorial 10's heat-map view: each input's {cfg['latent']} sigmoid units as a map. "
        f"Target mean activation ρ = {cfg['rho']}; measured ρ̂ = {ui.info(name).get('metrics', {}).get('rho_hat', 0):.3f}."
    )
    x = data.floats(slice(0, 8))
    with torch.no_grad():
        z = model.encode(x)  # (8, K) in (0, 1)
    h, w = tile_shape(z.shape[1])
    a, b = st.columns([1, 3])
    with a:
        ui.show(plots.image_grid(x.numpy(), 2, tile_px=64), key="sparse_inputs")
    with b:
        ui.show(
            plots.image_grid(z.reshape(-1, h, w).numpy(), 4, colorscale="Viridis", showscale=True, tile_px=110),
            key="sparse_codes",
        )
