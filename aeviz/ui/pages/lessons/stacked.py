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
    if r["note"]:
        st.caption(r["note"] + ".")
