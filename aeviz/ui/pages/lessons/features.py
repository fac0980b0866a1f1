"""Lectures 003/004: codes as features for a classifier that has only a few labels."""

import pandas as pd
import streamlit as st

from aeviz.tasks import JobSpec
from aeviz.ui import state
from aeviz.ui.widgets import run

TITLE = "Codes as features"
LECTURE = "003"


def render(sel) -> None:
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
