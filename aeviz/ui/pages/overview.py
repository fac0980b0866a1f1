"""Overview: what an autoencoder is, the chosen model's anatomy, and lecture 000's comparison, live."""

import plotly.graph_objects as go
import streamlit as st

from aeviz import explore, metrics, plots
from aeviz.config import FAMILIES
from aeviz.ui import state
from aeviz.ui.widgets import show


@state.data_cache
def layer_table(config) -> str:
    """The model's layers as a Markdown table: static, and no pandas to import on the first visit."""
    lines = ["| layer | type | output | params |", "|---|---|---|--:|"]
    lines += [
        f"| {r['layer']} | {r['type']} | {' × '.join(map(str, r['output']))} | {r['params']:,} |" for r in explore.summary(config)
    ]
    return "\n".join(lines)


@state.data_cache
def keras_accuracy(dataset: str) -> dict[str, float]:
    """Lecture 003's Keras metric on 2,000 test images (the bench measures all 10,000)."""
    models = (state.get_model(f"{dataset}-conv"), state.get_model(f"{dataset}-denoising"))
    return metrics.keras_results(*models, state.test_floats(dataset)[:2000])


@state.figure_cache
def comparison(dataset: str, names: tuple[str, ...]) -> go.Figure:
    """Ten test images and each family's reconstruction of them, with its MSE (lecture 000's slide)."""
    x = state.test_floats(dataset)[:: max(1, len(state.test_set(dataset)) // 10)][:10]
    rows, labels = [x.numpy()], ["input"]
    for n in names:
        x_hat = state.get_model(n).reconstruct(x)
        rows.append(x_hat.numpy())
        labels.append(f"{state.info(n).config.family} · {metrics.mse(x_hat, x):.4f}")
    return plots.reconstruction_rows(rows, labels, tile_px=64)


sel = state.current()
cfg = sel.info.config
st.header("Overview")
st.markdown(
    "An **autoencoder** squeezes an image $x$ through a narrow code $z = E_\\theta(x)$ and rebuilds it, "
    "$\\hat x = G_\\phi(z)$. It learns with no labels at all: the only goal is $\\hat x \\approx x$. "
    "What it keeps in $z$ is what it found to matter. Lecture 001 writes the loss as "
    "$\\lVert X - (f \\circ g)X \\rVert^2$; encoding first, it is $(g \\circ f)(X) = g(f(X))$ (Lessons › Slide errata)."
)

left, right = st.columns([2, 3])
with left:
    st.subheader(sel.info.title)
    c1, c2, c3 = st.columns(3)
    c1.metric("parameters", f"{metrics.n_params(sel.model):,}")
    c2.metric("code size", " × ".join(map(str, sel.model.latent_shape)))
    if "mse" in sel.info.metrics:
        c3.metric("test MSE", f"{sel.info.metrics['mse']:.4f}")
    extras = {"beta": "β", "rho": "ρ", "noise": "noise", "noise_level": "noise level", "sparsity": "sparsity"}
    used = cfg.to_dict()
    st.caption(
        f"family **{cfg.family}** · input {' × '.join(map(str, cfg.shape))} · loss {cfg.recon.upper()}"
        + "".join(f" · {label} {used[k]}" for k, label in extras.items() if k in used)
    )
with right:
    st.markdown(layer_table(cfg))

st.subheader("Linear vs nonlinear vs convolutional vs sparse vs denoising vs VAE")
names = tuple(n for f in FAMILIES if (n := state.representative(sel.dataset, f)))
if len(names) < 2:
    st.info(
        f"The family comparison needs the pretrained models of {state.dataset_title(sel.dataset)}: pick MNIST or Fashion-MNIST."
    )
else:
    st.caption("Lecture 000's slide on real models: the same test images (top) and each family's reconstruction, with its MSE.")
    show(comparison(sel.dataset, names), key="overview_compare")
    st.caption("Numbers are the MSE per pixel on these ten images; the full test-set figures are on the Reconstructions page.")

if sel.dataset == "mnist":
    st.subheader("Lecture 000's MSE slide, beside this app's models")
    pca_mse = state.baselines()["mnist"]["pca32_mse"]  # measured by the zoo on the full splits: no fit here
    ours = {f: state.info(f"mnist-{f}").metrics.get("mse", float("nan")) for f in ("linear", "mlp", "conv")}
    st.markdown(
        "| model | the slide's MSE | this app's test MSE |\n|---|--:|--:|\n"
        f"| FC linear 784-128-64-32 | 0.0677 | {ours['linear']:.4f} |\n"
        f"| FC nonlinear 784-128-64-32 | 0.0306 | {ours['mlp']:.4f} |\n"
        f"| Conv AE (Conv16-pool-Conv8-pool) | 0.0130 | {ours['conv']:.4f} |\n"
        f"| PCA with 32 components (no training) | — | {pca_mse:.4f} |"
    )
    st.caption(
        "The order is the slide's: linear, then nonlinear, then convolutional. The gap is training: PCA-32 (fitted on "
        f"the 60,000 training images) reaches {pca_mse:.4f} on the test set, the best any linear autoencoder with a 32-D "
        f"code can do; this app's linear AE reaches it. The slide's 0.0677 is about 4 × that ({4 * pca_mse:.4f}): it may "
        "have been measured on another scale (images in [−1, 1] quadruple every squared error) or another subset; the "
        "lecture does not say. The app's recipes (Adam, a cosine schedule) are in pretrained/manifest.json."
    )
    st.subheader("Lecture 003's Keras results, beside this app's models")
    k = keras_accuracy("mnist")
    st.markdown(
        "| model | the slide's accuracy (50 epochs) | this app's, same metric |\n|---|--:|--:|\n"
        f"| Conv AE | 88 % | {k['conv']:.1%} |\n"
        f"| Denoising conv AE (noise factor 0.5) | 92 % | {k['denoising']:.1%} |\n"
        f"| the most any model can reach | — | {k['cap']:.1%} |"
    )
    st.caption(
        "Keras's “accuracy” for an autoencoder with a sigmoid output is its binary accuracy: the share of pixels where "
        "the rounded output equals the input exactly. MNIST's pixels are grey levels, and a grey pixel (0.4, say) "
        f"never equals a rounded 0 or 1: only the {k['cap']:.1%} of pixels that are exactly black or white can count, "
        "so no model can beat that. The slide's 88 % and 92 % cannot come from MNIST's own pixels (Keras's example may "
        "have binarised them, or reported another split): a lesson about metrics, not a number to chase. On 2,000 "
        "test images; `python -m aeviz.bench lectures` measures all 10,000."
    )
