"""Lecture 002: bottleneck size and depth, one-layer autoencoders with 20, 10 and 2 latents."""

import streamlit as st

from aeviz import checkpoint, metrics, plots
from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.widgets import run, show

TITLE = "Bottleneck & depth"
LECTURE = "002"


@state.data_cache
def one_layer_model(blob: bytes):
    return checkpoint.from_bytes(blob)[0]


def render(sel) -> None:
    st.markdown(
        "Lecture 002: one fully connected layer each way with 20, 10 and 2 latents, and a deeper one, 784-128-64-20, "
        "at the same 20 latents (the lecture's shallow-vs-deep comparison); then the pretrained FC AEs, whose codes "
        "have 32 dimensions."
    )
    if sel.dataset not in state.BUILTIN:
        st.info("This lesson trains on MNIST or Fashion-MNIST: pick one of those in the sidebar.")
        return
    models = {}
    for label, hidden, k in (
        ("1 layer, 20", (), 20),
        ("1 layer, 10", (), 10),
        ("1 layer, 2", (), 2),
        ("deep 128-64, 20", (128, 64), 20),
    ):
        blob = run(JobSpec.of("fc_ae", shared=True, dataset=sel.dataset, hidden=hidden, latent=k), f"the {label} AE")
        if blob is not None:
            models[f"{label} latents"] = one_layer_model(blob)
    if len(models) < 4:
        return
    x = state.test_floats(sel.dataset)[:10]
    rows, labels = [x.numpy()], ["input"]
    for label, model in models.items():
        x_hat = model.reconstruct(x)
        rows.append(x_hat.numpy())
        labels.append(f"{label} · {metrics.mse(x_hat, x):.4f}")
    for name in (f"{sel.dataset}-mlp", f"{sel.dataset}-mlp-deep"):
        if name in state.model_names(sel.dataset):
            x_hat = state.get_model(name).reconstruct(x)
            rows.append(x_hat.numpy())
            labels.append(f"{state.info(name).title[:30]} · {metrics.mse(x_hat, x):.4f}")
    show(plots.reconstruction_rows(rows, labels, tile_px=56), key="bd_rows")
    st.caption(
        "MSE per pixel on these ten test images. The four models above the pretrained ones trained 3 epochs on up to "
        "20,000 images, once per server."
    )
