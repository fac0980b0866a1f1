"""Lectures 003/004: a stacked autoencoder, pretrained layer by layer, then a classifier with few labels."""

import pandas as pd
import streamlit as st

from aeviz import plots
from aeviz.tasks import JobSpec
from aeviz.ui.widgets import run, show

TITLE = "Stacked AE & few labels"
LECTURE = "004"


def render(sel) -> None:
    st.markdown(
        "Lecture 003 and tutorial 10 Q3(b, c): **step 1**, without labels, train a 784 → 625 autoencoder on the images, "
        "then a 625 → 100 one on its codes (greedy, layer by layer, with Q3's noise and sparsity); **step 2**, stack the "
        "two encoders, put a softmax on top and fine-tune the whole network with the labels there are. Lecture 004's "
        "semi-supervised case: many images, few labels."
    )
    st.caption(
        "Settings the tutorial does not give, or the app changed: pretraining uses SGD with momentum 0.9 at Q3's "
        "α = 0.1 (an effective step about 10× plain SGD's, so that 3 epochs a layer suffice), and fine-tuning uses "
        "Adam at 10⁻³ with weight decay 10⁻⁴. Q3's own run, plain SGD at α = 0.1, is the Tutorial 10 · Q3 lesson."
    )
    r = run(JobSpec.of("stacked", shared=True, dataset="mnist", per_class=(10, 100, 0)), "the pretraining and the classifiers")
    if r is None:
        return
    df = pd.DataFrame(r["rows"]).set_index("labels")
    st.dataframe(df.style.format("{:.1%}"), width="stretch")
    st.caption(
        f"Test accuracy on 5,000 MNIST test images; pretraining saw {r['images']:,} training images and no label. "
        "The softmax columns are the same classifier (multinomial logistic regression) on other inputs; the "
        "no-pretraining column is the same 784-625-100-10 network from random weights."
    )
    a, b = st.columns(2)
    with a:
        show(
            plots.curves(
                {f"layer {k + 1}": c for k, c in enumerate(r["pretrain"])},
                title="Step 1: pretraining, layer by layer",
                x="epoch",
                y="reconstruction loss",
                log=True,
            ),
            key="st_pretrain",
        )
    with b:
        show(
            plots.curves(
                {label: [e["test"] for e in c] for label, c in r["finetune"].items()},
                title="Step 2: fine-tuning, test accuracy",
                x="epoch",
                y="accuracy",
            ),
            key="st_finetune",
        )
    if "views" in r:
        q3b(r)
    if r["note"]:
        st.caption(r["note"] + ".")


def q3b(r: dict) -> None:
    """Tutorial 10 Q3(b) as set for the 100-unit layer, then its last slides' third layer and the unrolled AE."""
    views, x = r["views"], r["samples"]
    st.subheader("Q3(b): the 100-unit layer")
    a, b = st.columns(2)
    with a:
        show(
            plots.filter_grid(views["weights2"].reshape(-1, 28, 28), cols=10, tile_px=34,
                              title="Its weights projected to pixels, W₂W₁ (100 of 28×28)"),
            key="st_w2",
        )  # fmt: skip
    with b:
        show(
            plots.image_grid(views["acts2"].reshape(-1, 10, 10), cols=5, colorscale="Viridis", tile_px=60, showscale=True,
                             title="Its activations on 10 test images (10×10 each)"),
            key="st_acts2",
        )  # fmt: skip
    st.markdown("**Feature maps**: each test image, then its codes on the three hidden layers as pictures")
    maps = [("image x", x.reshape(-1, 28, 28), "Greys_r"),
            ("layer 1 · 625 units as 25×25", views["acts1"].reshape(-1, 25, 25), "Viridis"),
            ("layer 2 · 100 as 10×10", views["acts2"].reshape(-1, 10, 10), "Viridis"),
            ("layer 3 · 49 as 7×7", views["acts3"].reshape(-1, 7, 7), "Viridis")]  # fmt: skip
    for i, (title, images, scale) in enumerate(maps):
        show(plots.image_grid(images, cols=10, colorscale=scale, tile_px=64, title=title), key=f"st_maps{i}")
    st.subheader("A third layer, and the unrolled deep autoencoder")
    st.markdown(
        "The tutorial's last slides: a third hidden layer trained on the second's codes (the tutorial gives no size: "
        "49 units here), then the encoders and their mirror decoders unrolled into one deep autoencoder. Each row "
        "reconstructs the test images through that many layers (the learning curves above include the third layer)."
    )
    u = r["unrolled"]
    show(
        plots.reconstruction_rows([x, u[1], u[2], u[3]], ["image x", "784-625-784", "784-625-100-625-784",
                                                         "784-625-100-49-100-625-784"], tile_px=64),
        key="st_unrolled",
    )  # fmt: skip
