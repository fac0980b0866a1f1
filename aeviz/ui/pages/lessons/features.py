"""Lectures 003/004: codes as features for a classifier that has only a few labels."""

import pandas as pd
import streamlit as st

from aeviz import plots, slides
from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.widgets import run, show

TITLE = "Codes as features"
LECTURE = "003"


def render(sel) -> None:
    representation()
    st.subheader("Codes as a classifier's features")
    st.markdown(
        "Lectures 003/004: train an encoder without labels, then a softmax classifier on its frozen codes with only a few labels."
    )
    if state.labels(sel.dataset) is None or sel.dataset not in state.BUILTIN:
        st.info("This lesson needs a labelled dataset with a training split: pick MNIST or Fashion-MNIST.")
        return
    choice = st.multiselect("Labels per class", [10, 30, 100, 300], [10, 100], key="cf_n")
    choice = tuple(sorted(n for n in choice if n in (10, 30, 100, 300)))
    if not (st.toggle(f"Compare (codes of {state.title(sel.name)})", key="cf_go") and choice):
        return
    own = state.own_models().get(sel.name)
    ref = own.checkpoint if own is not None else sel.name  # the worker loads a pretrained model by name
    r = run(JobSpec.of("features", shared=own is None, model=ref, dataset=sel.dataset, per_class=choice), "the classifiers")
    if r is None:
        return
    df = pd.DataFrame(r["rows"]).set_index("labels per class")
    st.dataframe(df.style.format("{:.1%}"), width="content")
    st.caption(
        "Test accuracy of the same multinomial logistic regression on three kinds of input."
        + (f" {r['note']}." if r["note"] else "")
    )


def representation() -> None:
    """Lecture 002's "representation matters": the same straight line, in x and in φ(x) = x²."""
    st.subheader("Representation matters: φ(x) = x²")
    r = slides.representation_demo()
    a, b = st.columns(2)
    with a:
        show(plots.points_and_fits(r.x, r.y, {"a + b·x": r.line_in_x, "a + b·φ(x)": r.line_in_phi},
                                   title="y = x² + noise, two straight lines"), key="cf_phi_x")  # fmt: skip
    with b:
        show(plots.points_and_fits(r.x**2, r.y, {"a + b·φ(x)": r.line_in_phi}, x_label="φ(x) = x²",
                                   title="The same data against φ(x)"), key="cf_phi")  # fmt: skip
    st.caption(
        f"Lecture 002: fit a quadratic with a straight line, and the best line in x still misses (MSE {r.mse_x:.2f}); "
        f"the same straight line in the feature φ(x) = x² fits (MSE {r.mse_phi:.2f}, the noise's own 0.09). "
        "With the right representation a simple model is enough: an autoencoder learns a representation, its code, "
        "without labels, and a simple classifier on the code can then do what it could not on the pixels (below)."
    )
