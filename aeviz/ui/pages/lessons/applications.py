"""Lecture 002's applications: infilling, compression, clustering the codes; lecture 001's tied weights."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from aeviz import metrics, plots
from aeviz.noise import gray
from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.nav import PAGES
from aeviz.ui.widgets import run, show

TITLE = "Applications"
LECTURE = "002"


CLUSTERED = 2000  # test images


@state.data_cache
def baselines(dataset: str, k: int) -> list[dict]:
    """k-means on raw pixels and on PCA-k codes: the same for every model of code size k, so computed
    once per server (raw pixels are the costly part), not once per student's model."""
    data = state.test_set(dataset)
    x, y = data.floats()[:CLUSTERED], data.y[:CLUSTERED]
    pca, _ = state.pca_for(dataset, k)
    return metrics.cluster_scores({"raw pixels (784)": x.flatten(1), f"PCA codes ({k})": pca.encode(x)}, y)


@state.data_cache
def clustering(name: str, dataset: str) -> list[dict]:
    """k-means with 10 clusters on 2,000 test images: raw pixels, PCA codes, the model's codes; purity and NMI."""
    data = state.test_set(dataset)
    x, y = data.floats()[:CLUSTERED], data.y[:CLUSTERED]
    k = state.get_model(name).latent_size
    with torch.no_grad():
        codes = {f"{state.info(name).title[:30]} codes ({k})": state.get_model(name).codes(x)}
    return baselines(dataset, min(k, 784)) + metrics.cluster_scores(codes, y)


def render(sel) -> None:
    st.subheader("Infilling: hide a block, let the model fill it in")
    if min(sel.data.shape[-2:]) < 8:
        st.info("Infilling needs pictures of at least 8×8 pixels: pick MNIST, Fashion-MNIST or your own images.")
    else:
        infill(sel)
    other_applications(sel)


def infill(sel) -> None:
    c = st.columns(4)
    i = int(np.clip(c[0].number_input("Test image #", 0, len(sel.data) - 1, 0, key="ap_image"), 0, len(sel.data) - 1))
    h, w = sel.data.shape[-2:]
    size = int(np.clip(c[1].slider("Block size", 2, max(2, h // 2), max(2, h // 4), key="ap_size"), 2, h))
    top = int(np.clip(c[2].slider("Block top", 0, h - size, (h - size) // 2, key="ap_top"), 0, h - size))
    left = int(np.clip(c[3].slider("Block left", 0, w - size, (w - size) // 2, key="ap_left"), 0, w - size))
    x = sel.data.floats(slice(i, i + 1))
    hidden = metrics.hide_block(x, top, left, size)  # grey: a black patch vanishes on the black background
    patch = metrics.hole_mse(hidden, x, top, left, size)
    rows, labels = [x.numpy(), hidden.numpy()], ["image", f"block hidden · hole MSE {float(patch):.3f}"]
    infillers = [n for n in state.names_of_family(sel.dataset, "denoising") if state.info(n).config.noise == "block"]
    names = dict.fromkeys([sel.name, *(state.representative(sel.dataset, f) for f in ("conv", "denoising")), *infillers])
    with torch.no_grad():
        for n in (n for n in names if n and state.fits(state.get_model(n), sel.dataset)):
            x_hat = state.get_model(n).reconstruct(hidden)
            hole = metrics.hole_mse(x_hat, x, top, left, size)
            rows.append(x_hat.numpy())
            labels.append(f"{state.info(n).title[:40]} · hole MSE {float(hole):.3f}")
    show(plots.reconstruction_rows(rows, labels, tile_px=72), key="ap_infill")
    st.caption(
        "The hole's MSE is measured inside the block only; the grey patch's own is the row above. Models trained to "
        "reconstruct whole images (the plain and gaussian-denoising AEs) were never shown a hole: the infilling AE "
        'was trained on grey blocks of up to 11×11 pixels at random places (the Train page\'s "block" noise).'
        if infillers
        else 'No model of this dataset was trained to infill: train one on the Train page with the "block" input noise.'
    )


def colouring(sel) -> None:
    """Lecture 002's colouring: a denoiser whose corruption takes the colour away (the "gray" input noise)."""
    st.subheader("Colouring: gray in, colour out")
    if sel.data.shape[0] != 3:
        st.markdown(
            "Colouring needs colour images, and MNIST and Fashion-MNIST have none: upload a colour set (or fetch "
            "CIFAR-10 when online) on Your images, then train the *colouring* preset on the Train page: a denoising "
            "conv AE whose corruption is the colour taken away."
        )
        st.page_link(PAGES / "data.py", label="Your images", icon=":material/photo_library:")
        return
    x = sel.data.floats(slice(0, 8))
    x_gray = gray(x)
    rows = [x.numpy(), x_gray.numpy()]
    labels = ["image", f"gray · MSE {metrics.mse(x_gray, x):.4f}"]
    colourers = [n for n in state.names_of_family(sel.dataset, "denoising") if state.info(n).config.noise == "gray"]
    with torch.no_grad():
        for n in colourers[:2]:
            x_hat = state.get_model(n).reconstruct(x_gray)
            rows.append(x_hat.numpy())
            labels.append(f"{state.info(n).title[:26]} · MSE {metrics.mse(x_hat, x):.4f}")
    show(plots.reconstruction_rows(rows, labels, tile_px=72), key="ap_colour")
    if not colourers:
        st.markdown("No model of these images colours yet: train the *colouring* preset on the Train page.")
        st.page_link(PAGES / "train.py", label="Train your own", icon=":material/model_training:")
    else:
        st.caption("The MSE is against the colour image: below the gray row's, the model put colour back.")


def other_applications(sel) -> None:
    colouring(sel)
    segmentation(sel)
    st.subheader("Compression")
    k, pixels = sel.model.latent_size, int(np.prod(sel.data.shape))
    mse = sel.info.metrics.get("mse")
    price = f"{mse:.4f} MSE on the test set for this model" if mse is not None else "its test error"
    st.markdown(
        f"{state.title(sel.name)}: {pixels} pixels → a code of {k} numbers, **{pixels / k:.1f}×** fewer numbers. "
        f"In bytes: {pixels} (one byte a pixel) → {4 * k} as float32 (**{pixels / (4 * k):.1f}×**), {2 * k} as float16 "
        f"(**{pixels / (2 * k):.1f}×**); and the decoder must travel too, once. Lossy: the price is the reconstruction "
        f"error, {price} (Reconstructions shows it image by image). "
        "(Lecture 002's 256 × 256 = 262,000 is a slip: 65,536 pixels; Slide errata.)"
    )

    st.subheader("Clustering the codes (k-means, 10 clusters)")
    if sel.data.y is None or sel.dataset not in state.BUILTIN:
        st.info("Clustering is scored against labels: pick MNIST or Fashion-MNIST.")
    else:
        st.dataframe(
            pd.DataFrame(clustering(sel.name, sel.dataset)).set_index("features").style.format("{:.3f}"), width="content"
        )
        st.caption(
            "Purity: the share of images in a cluster whose class is that cluster's most common one. NMI: the "
            "normalised mutual information between clusters and classes (0 none, 1 the same partition)."
        )

    st.subheader("Tied weights (lecture 001: x′ = σ(Wᵀ h + b′))")
    r = run(JobSpec.of("tied", shared=True, dataset="mnist", latent=32), "the tied and untied one-layer AEs")
    if r is not None:
        st.dataframe(
            pd.DataFrame({k: {"test MSE": v["mse"], "parameters": v["params"]} for k, v in r.items()}).T, width="content"
        )
        show(
            plots.filter_grid(
                np.concatenate([r["untied"]["filters"], r["tied"]["filters"]]),
                cols=16,
                tile_px=40,
                title="First 16 encoder filters: untied (top), tied (bottom)",
            ),
            key="ap_tied",
        )
        st.caption(
            "The tied decoder reuses the encoder's weights, transposed: half the parameters. Train one on the Train "
            "page with 'Tied weights'."
        )


def segmentation(sel) -> None:
    """Lecture 003's encoder-decoder for segmentation, live on MNIST or Fashion-MNIST."""
    st.subheader("Segmentation: an encoder-decoder that outputs a mask")
    dataset = sel.dataset if sel.dataset in state.BUILTIN else "mnist"
    st.markdown(
        "Lecture 003 shows encoder-decoders that segment (DeepSmoke): the same shape as an autoencoder, trained to "
        f"output a mask instead of the input. Here on {state.dataset_title(dataset)}: each picture is put on a blotchy "
        "background as bright as its strokes, and a conv encoder-decoder learns the picture's mask (its pixels above "
        "0.5). No threshold of the input can do that, since the background is as bright as the strokes."
    )
    r = run(JobSpec.of("segmentation", shared=True, dataset=dataset), "the segmentation run")
    if r is None:
        return
    rows = [r["x"], r["pred"], (r["pred"] > 0.5).astype(np.float32), r["truth"]]
    labels = ["cluttered input", "output (mask probability)", "mask (> 0.5)", "true mask"]
    show(plots.reconstruction_rows(rows, labels, tile_px=72), key="ap_seg")
    st.caption(
        f"Intersection over union on 1,000 test images: the encoder-decoder {r['iou']:.2f}; the best threshold of the "
        f"input ({r['threshold']:g}) {r['threshold_iou']:.2f}. Trained on {r['images']:,} images, 6 epochs."
        + (f" {r['note']}." if r["note"] else "")
    )
