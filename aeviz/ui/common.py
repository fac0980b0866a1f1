"""Shared UI parts: cached pretrained models and data, the sidebar pickers, figure display.

Pretrained models are loaded once per server (`st.cache_resource`), in eval mode with gradients
off, and are never trained in place. Models a student trains live in that student's session.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from aeviz import checkpoint, plots
from aeviz.data import LABELS, TITLES, ImageSet, load_test_or_sample
from aeviz.models.base import Autoencoder

DATASETS = list(TITLES)
SESSION_MODELS = "session_models"  # st.session_state key: {name: (model, info)} trained in this session


@st.cache_resource(show_spinner=False)
def pretrained(name: str) -> Autoencoder:
    model = checkpoint.load_pretrained(name)
    model.requires_grad_(False)  # shared across sessions: read-only
    return model


@st.cache_resource(show_spinner=False)
def manifest() -> dict:
    return checkpoint.read_manifest()["models"]


def warm() -> None:
    """Fill the server-wide caches the pages read: test images and pretrained models, default dataset first."""
    for dataset in DATASETS:
        test_floats(dataset)
        for name, entry in manifest().items():
            if entry["dataset"] == dataset:
                pretrained(name)


@st.cache_resource(show_spinner=False)
def test_set(dataset: str) -> ImageSet:
    """The full test split when AEVIZ_DATA_DIR (or the cache) has it, else the shipped sample."""
    return load_test_or_sample(dataset)


@st.cache_resource(show_spinner=False)
def test_floats(dataset: str) -> torch.Tensor:
    return test_set(dataset).floats()


def balanced_indices(labels: torch.Tensor, per_class: int, seed: int = 0) -> np.ndarray:
    """`per_class` random rows of each class, sorted: a legible scatter without 10,000 points."""
    g = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(int(labels.max()) + 1):
        rows = torch.nonzero(labels == c).flatten()
        picks.append(rows[torch.randperm(len(rows), generator=g)[:per_class]])
    return torch.cat(picks).sort().values.numpy()


def session_models() -> dict[str, tuple[Autoencoder, dict]]:
    return st.session_state.setdefault(SESSION_MODELS, {})


def model_names(dataset: str) -> list[str]:
    own = [n for n, (_, info) in session_models().items() if info.get("dataset") == dataset]
    return [n for n, info in manifest().items() if info["dataset"] == dataset] + own


def get_model(name: str) -> Autoencoder:
    own = session_models()
    return own[name][0] if name in own else pretrained(name)


def info(name: str) -> dict:
    own = session_models()
    return own[name][1] if name in own else manifest()[name]


def title(name: str) -> str:
    return f"{info(name).get('title', name)}" + ("  (yours)" if name in session_models() else "")


def names_of_family(dataset: str, family: str) -> list[str]:
    return [n for n in model_names(dataset) if info(n)["config"]["family"] == family]


def representative(dataset: str, family: str) -> str | None:
    """The zoo's model named after the family (mnist-vae, not mnist-vae-2d), else any of that family."""
    names = names_of_family(dataset, family)
    return f"{dataset}-{family}" if f"{dataset}-{family}" in names else (names[0] if names else None)


def sidebar() -> tuple[str, str]:
    """Dataset and model pickers; keeps the same kind of model when the dataset changes."""
    # Each picker's default is its current value, not the first option: the browser shows a widget's
    # default whenever it missed the run that set its value (a page clicked while the app is still
    # loading), and sent that back on the next run, silently switching the model.
    current = st.session_state.get("dataset")
    index = DATASETS.index(current) if current in DATASETS else 0
    dataset = st.sidebar.selectbox("Dataset", DATASETS, index=index, format_func=TITLES.get, key="dataset")
    names = model_names(dataset)
    current = st.session_state.get("model")
    if current not in names:  # e.g. mnist-conv -> fashion-conv after switching datasets
        twin = f"{dataset}-{current.split('-', 1)[1]}" if current and "-" in current else None
        current = twin if twin in names else next((n for n in names if n.endswith("-conv")), names[0])
        # set, not left to the index: Streamlit keeps a value whose label is still an option ("VAE")
        st.session_state["model"] = current
    name = st.sidebar.selectbox("Model", names, index=names.index(current), format_func=title, key="model")
    return dataset, name


def labels(dataset: str) -> list[str]:
    return LABELS[dataset]


# A figure that depends only on its (hashable) arguments, built once per server and shared read-only:
# building a picture's PNG cost 10-15 ms of a page's run. Not st.cache_data: a figure that has been
# pickled comes back with plotly's default template, which makes plotly.js draw it twice (plots.figure).
# Names are unique (session models included), so a name in the arguments stands for its model.
figure_cache = st.cache_resource(show_spinner=False, max_entries=32)


def show(fig, key: str | None = None, **kw):
    """A plotly figure with the PNG download button in its toolbar, as the figure styles itself.

    `theme=None`: Streamlit's theme arrives as a template, which made plotly.js draw every new chart
    twice (see `plots.figure`)."""
    return st.plotly_chart(fig, config=plots.config_for(fig), key=key, theme=None, **kw)


def view(options: list[str], *, key: str) -> str:
    """Which of a page's views to show. One at a time, and only that one runs and is drawn: a page
    switch draws one view's charts, and a teacher shows one idea at a time.

    A segmented control, not `st.tabs(on_change="rerun")`, which did the same, but whose open panel
    re-checked every element in it on each change (react-aria's focus walker): a scatter click got
    11 ms faster at the median (17-19 ms at p95), a page switch to Latent space 3-10 ms."""
    return st.segmented_control("View", options, default=options[0], required=True, key=key, label_visibility="collapsed")


def family(name: str) -> str:
    return info(name)["config"]["family"]
