"""Lecture 002: bottleneck size and depth, one-layer autoencoders with 20, 10 and 2 latents."""

import streamlit as st

from aeviz import checkpoint, plots
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
        "Lecture 002: one fully connected layer each way with 20, 10 and 2 latents, against a deeper network "
        "784-128-64-32 (the pretrained FC AE; lecture 002 compares at 20 latents, its own row below)."
    )
    if sel.dataset not in state.BUILTIN:
        st.info("This lesson trains on MNIST or Fashion-MNIST: pick one of those in the sidebar.")
        return
    models = {}
    for k in (20, 10, 2):
        blob = run(JobSpec.of("one_layer", shared=True, dataset=sel.dataset, latent=k), f"the one-layer AE with {k} latents")
        if blob is not None:
            models[f"1 layer, {k} latents"] = one_layer_model(blob)
    if len(models) < 3:
        return
    x = state.test_floats(sel.dataset)[:10]
    rows, labels = [x.numpy()], ["input"]
    for label, model in models.items():
        x_hat = model.reconstruct(x)
        rows.append(x_hat.numpy())
        labels.append(f"{label} · {float((x_hat - x).square().mean()):.4f}")
    for name in (f"{sel.dataset}-mlp", f"{sel.dataset}-mlp-deep"):
        if name in state.model_names(sel.dataset):
            x_hat = state.get_model(name).reconstruct(x)
            rows.append(x_hat.numpy())
            labels.append(f"{state.info(name).title[:30]} · {float((x_hat - x).square().mean()):.4f}")
    show(plots.reconstruction_rows(rows, labels, tile_px=56), key="bd_rows")
    st.caption(
        "MSE per pixel on these ten test images. Each one-layer model trained 3 epochs on up to 20,000 images, once per server."
    )
