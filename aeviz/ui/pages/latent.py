"""Latent space: codes coloured by class, click a point to see its image, manifold, interpolation."""

import numpy as np
import streamlit as st
import torch

from aeviz import explore, metrics, plots
from aeviz.ui import errors, links, scatter, state
from aeviz.ui.widgets import show, view

links.page(
    links.keyed("view", state.LATENT_VIEW, "view"),  # `view` checks it against its views
    links.keyed("img", state.LATENT_IMAGE, "test image", links.image_number(st.session_state[state.DATASET])),
)
sel = state.current()
names = state.labels(sel.dataset)
st.header("Latent space")

# 30 test images per class: the clusters show, points stay apart enough to click, and plotly.js
# draws and styles every point one by one (docs/performance.md)
PER_CLASS = 30


@state.data_cache
def scatter_data(name: str, dataset: str) -> tuple[np.ndarray, np.ndarray, explore.Plane]:
    """PER_CLASS test images per class (300 images of an unlabelled set), their codes and the plane
    they are drawn in (names are unique, session models included); shared read-only."""
    data = state.test_set(dataset)
    rows = explore.balanced_rows(data.y, PER_CLASS, len(data))
    z = explore.codes(state.get_model(name), data.floats(torch.from_numpy(rows)))
    return rows, z, explore.plane(z)


@state.figure_cache
def scatter_spec(name: str, dataset: str, present: bool = False) -> dict:
    rows, _, plane = scatter_data(name, dataset)
    test = state.test_set(dataset)
    y = test.y[rows].numpy() if test.y is not None else np.zeros(len(rows), int)
    fig = plots.latent_scatter(plane.xy, y, state.labels(dataset) or ["image"], axis_titles=plane.axes, rows=rows)
    return scatter.spec(plots.scaled(fig, 1.4) if present else fig, test.x[rows].numpy(), rows)


rows, z, plane = scatter_data(sel.name, sel.dataset)
k = z.shape[1]
if plane.projected:
    st.caption(
        f"{state.title(sel.name)} has a {k}-D code: shown projected on its first two principal components "
        "(lecture 002). Pick a 2-D model in the sidebar to see the code itself."
    )
elif k == 1:
    st.caption(f"{state.title(sel.name)} has a 1-D code: each image is a point on a line (the vertical axis is empty).")
else:
    st.caption(f"{state.title(sel.name)} has a 2-D code: these are the codes themselves.")


@errors.fragment
def scatter_and_detail() -> None:
    left, right = st.columns([3, 2])
    with left:
        # drawn once per figure: a click marks its point without redrawing the others
        spec = scatter_spec(sel.name, sel.dataset, bool(st.session_state.get(state.PRESENT)))
        pos = scatter.latent_scatter(spec, key="scatter")
    if pos is None:
        pos = st.session_state.get(state.LATENT_IMAGE)  # a shared link's image, until a point is clicked
    st.session_state[state.LATENT_IMAGE] = pos
    with right:
        if pos is None or not 0 <= pos < len(sel.data):
            st.info("Click a point to see its image, its reconstruction and its code.")
            return
        xi = sel.data.floats(slice(pos, pos + 1))
        x_hat = sel.model.reconstruct(xi)
        code = sel.model.codes(xi).flatten()
        label = f" · class {names[int(sel.data.y[pos])]}" if names else ""
        st.markdown(f"**Image #{pos}**{label} · MSE {metrics.mse(x_hat, xi):.4f}")
        show(plots.reconstruction_rows([xi.numpy(), x_hat.numpy()], ["input", "output"], tile_px=150), key="scatter_detail")
        shown = ", ".join(f"{v:.2f}" for v in code[:16].tolist()) + (" …" if len(code) > 16 else "")
        st.markdown(f"z = ({shown})")


@errors.fragment
def decoded_plane() -> None:
    lo, hi = np.percentile(plane.xy, [1, 99], axis=0)
    if sel.family == "vae":
        lo, hi = np.array([-3.0, -3.0]), np.array([3.0, 3.0])  # the prior's ±3σ
    n = st.slider("Grid size", 8, 25, 15, key="lat_grid")
    if k == 1:  # a line of codes, decoded
        zs = torch.linspace(float(lo[0]), float(hi[0]), n)[:, None]
        show(plots.image_grid(sel.model.decode(zs).detach().numpy(), cols=n, tile_px=56), key="manifold")
        st.caption(f"Decoded at {n} points along the code's one axis, from {lo[0]:.2f} to {hi[0]:.2f}.")
        return
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
    show(plots.manifold(explore.decode_grid(sel.model, extent, n), extent), key="manifold")
    st.caption("Each cell decodes the code at its position. Gaps between the clusters decode to images no class owns.")


@errors.fragment
def walk() -> None:
    twins = [next((m for m in state.names_of_family(sel.dataset, f) if state.get_model(m).latent_shape == (2,)), None)
             for f in ("mlp", "vae")]  # fmt: skip
    c1, c2, c3 = st.columns(3)
    a = c1.number_input("From test image #", 0, len(sel.data) - 1, 0, key="interp_a")
    b = c2.number_input("To test image #", 0, len(sel.data) - 1, min(1, len(sel.data) - 1), key="interp_b")
    steps = c3.slider("Steps", 5, 15, 9, key="interp_steps")
    a, b = (int(np.clip(v, 0, len(sel.data) - 1)) for v in (a, b))  # a crafted client can send any number
    xa, xb = sel.data.floats(slice(a, a + 1))[0], sel.data.floats(slice(b, b + 1))[0]
    rows_i, labels_i = [], []
    for m in dict.fromkeys([sel.name, *twins]):  # the chosen model, then the 2-D plain AE and VAE
        if m:
            rows_i.append(explore.interpolate(state.get_model(m), xa, xb, steps))
            labels_i.append(state.info(m).title[:28])
    show(plots.reconstruction_rows(rows_i, labels_i, tile_px=64), key="interp")
    st.caption("Decoded along the straight line between the two codes. A plain AE's line crosses holes; a VAE's stays on digits.")


shown = view(["Codes", "Decoded plane", "Walk between images"], key=state.LATENT_VIEW)
with torch.no_grad():
    if shown == "Codes":
        scatter_and_detail()
    elif shown == "Walk between images":
        walk()
    elif len(sel.model.latent_shape) == 1 and k <= 2:
        decoded_plane()
    else:
        st.info(f"{state.title(sel.name)} has a {k}-D code: pick a model with a 1-D or 2-D code to decode its plane or line.")
