"""Lecture 001's failures, and lecture 000's data-specificity: when an autoencoder learns nothing useful."""

import numpy as np
import streamlit as st
import torch

from aeviz import plots
from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.widgets import run, show

TITLE = "Capacity and failure"
LECTURE = "001"


@state.data_cache
def errors(name: str, dataset: str) -> np.ndarray:
    """Per-image MSE of a model on a dataset's test images (a model of one dataset, images of another)."""
    x, model = state.test_floats(dataset)[:2000], state.get_model(name)
    with torch.no_grad():
        return (model.reconstruct(x) - x).square().flatten(1).mean(1).numpy()


def render(sel) -> None:
    st.markdown(
        "Lecture 001: an autoencoder that *can* copy its input learns nothing about the data. Three ways to get there, "
        "trained once per server on the training service, then lecture 000's *data-specific*: a model of one dataset on another."
    )
    r = run(JobSpec.of("capacity", shared=True, dataset="mnist"), "the three experiments")
    if r is not None:
        _overcomplete(r["under"], r["over"])
        _memorised(r["memorise"])
        _one_image(r["one"])
    _data_specific()


def _rows(rows: list[np.ndarray], labels: list[str], tile_px: int, key: str) -> None:
    """Rows of images (the inputs, then what a model made of them), labelled on the left."""
    show(plots.reconstruction_rows(rows, labels, tile_px=tile_px), key=key)


def _overcomplete(under: dict, over: dict) -> None:
    st.subheader("Overcomplete: a code larger than the input")
    a, b = st.columns(2)
    a.metric("linear 784 → 32 → 784: MSE on digits / on noise", f"{under['digits']:.4f} / {under['noise']:.4f}")
    b.metric("linear 784 → 1000 → 784: MSE on digits / on noise", f"{over['digits']:.4f} / {over['noise']:.4f}")
    noise = [under["noise_images"][:6], under["noise_images"][6:], over["noise_images"][6:]]
    _rows(noise, ["uniform noise", "784 → 32", "784 → 1000"], 56, "cap_noise")
    st.caption(
        f"With more code units than pixels nothing forces a summary: the overcomplete AE passes test digits through "
        f"almost unchanged (MSE {over['digits']:.4f}, against {under['digits']:.4f} through 32 units). It copies only "
        f"where the digits lie, though: on noise, directions it never had to pass, it fails too ({over['noise']:.3f}). "
        "Lecture 001's cure is regularisation: sparsity, noise (the Sparsity and Q3 lessons)."
    )


def _memorised(m: dict) -> None:
    st.subheader("A 1-D code and a powerful encoder (512-256)")
    a, b = st.columns(2)
    a.metric("MSE on its 32 training images", f"{m['train_mse']:.4f}")
    b.metric("MSE on test images", f"{m['test_mse']:.4f}")
    images = [m["train"][:8], m["train"][8:], m["test"][:8], m["test"][8:]]
    _rows(images, ["training images", "their outputs", "test images", "their outputs"], 48, "cap_mem")
    order = np.argsort(m["codes"])
    show(
        plots.bar(
            [f"#{i}" for i in order], m["codes"][order].tolist(), title="Each training image's one code, sorted", fmt=".1f"
        ),
        key="cap_codes",
    )
    st.caption(
        f"Each training image gets a place of its own on the line and the decoder learns to give it back (MSE "
        f"{m['train_mse']:.4f} on them): the lecture's 'map x⁽ⁱ⁾ to code i'. New images fall between those places and "
        f"come out as one of the training digits or a blend of two ({m['test_mse']:.4f}): memorised, not learned."
    )


def _one_image(o: dict) -> None:
    st.subheader("One training image")
    images = [np.repeat(o["image"], 8, 0), o["test"][:8], o["test"][8:]]
    _rows(images, ["the one training image", "test images", "their outputs"], 48, "cap_one")


def _data_specific() -> None:
    st.subheader("Data-specific: a model of one dataset, images of another")
    # the class's own gray 28 x 28 images too: what the MNIST model makes of pictures it never saw the like of
    own = [d for d, shape in state.shapes().items() if d in state.own_datasets() and shape == (1, 28, 28)]
    pairs = [(n, d) for n in ("mnist-conv", "fashion-conv") for d in (*state.BUILTIN, *own) if n in state.manifest()]
    if pairs:
        series = {f"{state.info(n).dataset} model on {state.dataset_title(d)}": errors(n, d) for n, d in pairs}
        show(
            plots.histograms(
                {k: np.log10(v) for k, v in series.items()}, title="Per-image MSE (log10), 2,000 test images each", x="log10 MSE"
            ),
            key="cap_specific",
        )
        st.caption(
            "Lecture 001: an autoencoder for cats does poorly on trees. Each conv AE reconstructs its own dataset's "
            "images far better than the other's"
            + ("" if own else " (upload gray images on Your images and they join this comparison)")
            + ": "
            + ", ".join(f"{k}: median {np.median(v):.4f}" for k, v in series.items())
            + "."
        )
