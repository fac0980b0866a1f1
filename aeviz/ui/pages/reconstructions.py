"""Reconstructions: inputs vs outputs with per-image error, bottleneck sizes, linear AE vs PCA."""

import plotly.graph_objects as go
import streamlit as st
import torch

from aeviz import metrics, plots
from aeviz.ui import errors, links, state
from aeviz.ui.widgets import show, view

links.page(links.keyed("view", state.REC_VIEW, "view"))  # `view` checks it against its views
sel = state.current()
names = state.labels(sel.dataset)
st.header("Reconstructions")


@errors.fragment
def grids() -> None:
    """Widgets here rerun only this part of the page."""
    data = sel.data
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    n = c1.slider("Images", 4, 20, 10, key="rec_n")
    mode = c2.radio("Pick", ["random", "by class"], horizontal=True, key="rec_mode", disabled=names is None)
    # never disabled: a disabled box's grey text is too faint to read (and fails WCAG contrast)
    cls = c3.selectbox("Class (picking by class)", range(len(names or [])), format_func=lambda c: names[c], key="rec_class")
    if c4.button(":material/casino: New", key="rec_shuffle", help="draw other images"):
        st.session_state[state.REC_SEED] = st.session_state.get(state.REC_SEED, 0) + 1
    g = torch.Generator().manual_seed(st.session_state.get(state.REC_SEED, 0))
    by_class = mode == "by class" and names is not None and cls is not None
    pool = torch.nonzero(data.y == cls).flatten() if by_class else torch.arange(len(data))
    idx = pool[torch.randperm(len(pool), generator=g)[:n]].sort().values
    x = data.floats(idx)
    x_hat = sel.model.reconstruct(x)
    err = (x_hat - x).abs()
    mse = err.square().flatten(1).mean(1)

    st.caption(f"{state.title(sel.name)} · mean MSE on these {len(idx)}: **{mse.mean():.4f}**")
    show(
        plots.reconstruction_rows(
            [x.numpy(), x_hat.numpy(), err.numpy()], ["input x", "output x̂", "|x − x̂|"], tile_px=64,
            colorscales=[plots.GRAY, plots.GRAY, plots.HOT], col_labels=[f"{v:.4f}" for v in mse.tolist()],
        ),
        key="rec_grid",
    )  # fmt: skip
    st.caption("Bottom row: the error per pixel, black 0 → white 1; under each column, that image's MSE.")


@state.figure_cache
def comparison(dataset: str, fc: tuple[str, ...], lin: str | None) -> go.Figure:
    """One test image of each class through each fully connected AE, narrowest code first, then
    through the linear AE and PCA with the same K (names are unique, session models included)."""
    d = state.test_set(dataset)
    x = d.floats(torch.stack([torch.nonzero(d.y == c)[0, 0] for c in d.y.unique()]))
    rows, labels = [x.numpy()], ["input"]

    def add(x_hat: torch.Tensor, label: str) -> None:
        rows.append(x_hat.numpy())
        labels.append(f"{label} · {metrics.mse(x_hat, x):.4f}")

    for name in fc:
        cfg = state.info(name).config
        add(state.get_model(name).reconstruct(x), f"z={cfg.latent}, {len(cfg.hidden)} hidden")
    if lin:
        k = state.get_model(lin).latent_size
        add(state.get_model(lin).reconstruct(x), f"linear AE, K={k}")
        add(state.pca_for(dataset, k)[0].reconstruct(x).clamp(0, 1), f"PCA, K={k}")
    return plots.reconstruction_rows(rows, labels, tile_px=56)


def bottleneck() -> None:
    if sel.dataset not in state.BUILTIN:
        st.info("The bottleneck comparison uses the pretrained MNIST and Fashion-MNIST models: pick one of those datasets.")
        return
    st.caption(
        "One test image of each class. Lecture 002: fully connected autoencoders with smaller and larger codes. "
        "Lecture 000: a linear autoencoder can at best match PCA with the same K, X̂ = X V_K V_Kᵀ."
    )
    fc = tuple(sorted(state.names_of_family(sel.dataset, "mlp"), key=lambda k: state.get_model(k).latent_size))
    lin = state.representative(sel.dataset, "linear")
    show(comparison(sel.dataset, fc, lin), key="rec_compare")  # one figure: the browser draws each chart anew
    if lin:
        k = state.get_model(lin).latent_size
        (ae_mse, pca_mse, where), n_test = state.ae_vs_pca(lin, sel.dataset), len(state.test_floats(sel.dataset))
        a, b, c = st.columns(3)
        a.metric(f"linear AE, K = {k}", f"{ae_mse:.4f}")
        b.metric(f"PCA, K = {k}", f"{pca_mse:.4f}")
        c.metric("AE / PCA", f"{ae_mse / pca_mse:.3f}")
        st.caption(f"MSE on all {n_test:,} test images; PCA fitted on {where}.")


if view(["Inputs vs outputs", "Bottleneck sizes · linear AE vs PCA"], key=state.REC_VIEW) == "Inputs vs outputs":
    grids()
else:
    bottleneck()
