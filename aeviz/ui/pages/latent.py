"""Latent space: codes coloured by class, click a point to see its image, manifold, interpolation."""

import numpy as np
import streamlit as st
import torch

from aeviz import explore, plots
from aeviz.ui import common as ui
from aeviz.ui import scatter

dataset, name = st.session_state["dataset"], st.session_state["model"]
model = ui.get_model(name)
data = ui.test_set(dataset)
names = ui.labels(dataset)

st.header("Latent space")


# 30 test images per class: the clusters show, points stay apart enough to click, and plotly.js
# draws and styles every point one by one (300 points instead of 500 took ~6-14 ms off the median
# page switch here, ~25 ms off its p95)
PER_CLASS = 30


@st.cache_resource(show_spinner=False, max_entries=64)
def scatter_data(name: str, dataset: str) -> tuple[np.ndarray, np.ndarray, explore.Plane]:
    """PER_CLASS test images per class, their codes and the plane they are drawn in (names are
    unique, session models included); shared read-only."""
    data = ui.test_set(dataset)
    rows = ui.balanced_indices(data.y, per_class=PER_CLASS)
    z = explore.codes(ui.get_model(name), data.floats(torch.from_numpy(rows)))
    return rows, z, explore.plane(z)


@ui.figure_cache
def scatter_spec(name: str, dataset: str) -> dict:
    rows, _, plane = scatter_data(name, dataset)
    test = ui.test_set(dataset)
    fig = plots.latent_scatter(plane.xy, test.y[rows].numpy(), ui.labels(dataset), axis_titles=plane.axes, rows=rows)
    return scatter.spec(fig, test.x[rows].numpy(), rows)


rows, z, plane = scatter_data(name, dataset)
if plane.projected:
    st.caption(
        f"{ui.title(name)} has a {z.shape[1]}-D code: shown projected on its first two principal components "
        "(lecture 002). Pick a 2-D model in the sidebar to see the code itself."
    )
else:
    st.caption(f"{ui.title(name)} has a 2-D code: these are the codes themselves.")


@st.fragment
def scatter_and_detail() -> None:
    left, right = st.columns([3, 2])
    with left:
        # drawn once per figure: a click marks its point without redrawing the others
        pos = scatter.latent_scatter(scatter_spec(name, dataset), key="scatter")
    with right:
        if pos is None:
            st.info("Click a point to see its image, its reconstruction and its code.")
            return
        xi = data.floats(slice(pos, pos + 1))
        x_hat = model.reconstruct(xi)
        with torch.no_grad():
            code = model.encode(xi).flatten()
        label = names[int(data.y[pos])]
        st.markdown(f"**Image #{pos}** · class {label} · MSE {float((x_hat - xi).square().mean()):.4f}")
        ui.show(plots.reconstruction_rows([xi.numpy(), x_hat.numpy()], ["input", "output"], tile_px=150), key="scatter_detail")
        shown = ", ".join(f"{v:.2f}" for v in code[:16].tolist()) + (" …" if len(code) > 16 else "")
        st.markdown(f"z = ({shown})")


@st.fragment
def decoded_plane() -> None:
    lo, hi = np.percentile(plane.xy, [1, 99], axis=0)
    if ui.family(name) == "vae":
        lo, hi = np.array([-3.0, -3.0]), np.array([3.0, 3.0])  # the prior's ±3σ
    n = st.slider("Grid size", 8, 25, 15, key="lat_grid")
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    ui.show(plots.manifold(explore.decode_grid(model, extent, n), extent), key="manifold")
    st.caption("Each cell decodes the code at its position. Gaps between the clusters decode to images no class owns.")


@st.fragment
def walk() -> None:
    ae2, vae2 = (
        next((k for k in ui.names_of_family(dataset, f) if ui.info(k)["config"]["latent"] == 2), None) for f in ("mlp", "vae")
    )
    c1, c2, c3 = st.columns(3)
    a = c1.number_input("From test image #", 0, len(data) - 1, 0, key="interp_a")
    b = c2.number_input("To test image #", 0, len(data) - 1, 1, key="interp_b")
    steps = c3.slider("Steps", 5, 15, 9, key="interp_steps")
    xa, xb = data.floats(slice(a, a + 1))[0], data.floats(slice(b, b + 1))[0]
    rows_i, labels_i = [], []
    for k in dict.fromkeys([name, ae2, vae2]):  # the chosen model, then the 2-D plain AE and VAE
        if k:
            rows_i.append(explore.interpolate(ui.get_model(k), xa, xb, steps))
            labels_i.append(ui.info(k).get("title", k)[:28])
    ui.show(plots.reconstruction_rows(rows_i, labels_i, tile_px=64), key="interp")
    st.caption("Decoded along the straight line between the two codes. A plain AE's line crosses holes; a VAE's stays on digits.")


shown = ui.view(["Codes", "Decoded plane", "Walk between images"], key="lat_view")
if shown == "Codes":
    scatter_and_detail()
elif shown == "Walk between images":
    walk()
elif z.shape[1] == 2:
    decoded_plane()
else:
    st.info(f"{ui.title(name)} has a {z.shape[1]}-D code: pick a model with a 2-D code to decode its plane.")
