"""The server-wide caches, each bounded: pretrained models and test sets (loaded once per server and
shared read-only: eval mode, no gradients, never trained in place), the training service, and
what depends only on its arguments. What is computed from a session's own images stays in that session."""

from __future__ import annotations

import functools
import time

import streamlit as st
import torch

from aeviz import checkpoint
from aeviz.data import ImageSet, load, load_test_or_sample
from aeviz.models.base import Autoencoder
from aeviz.ui.state.kept import keeper
from aeviz.ui.state.keys import BUILTIN, SESSION_CACHE, TOY, own_datasets, own_models

# --- server-wide caches --------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def pretrained(name: str) -> Autoencoder:
    return checkpoint.load_pretrained(name)  # eval mode, requires_grad off: read-only for every session


@st.cache_resource(show_spinner=False)
def _manifest() -> dict:
    return checkpoint.read_manifest()


def manifest() -> dict[str, dict]:
    return _manifest()["models"]


def baselines() -> dict[str, dict[str, float]]:
    """PCA's test MSE per dataset and K, measured by the zoo on the full splits (pretrained/manifest.json)."""
    return _manifest().get("baselines", {})


@st.cache_resource(show_spinner=False, max_entries=8)
def _builtin_test_set(dataset: str) -> ImageSet:
    return load(dataset, "test") if dataset in TOY else load_test_or_sample(dataset)


@st.cache_resource(show_spinner=False, max_entries=8)
def _builtin_test_floats(dataset: str) -> torch.Tensor:
    return _builtin_test_set(dataset).floats()


def test_set(dataset: str) -> ImageSet:
    """The test images a page shows: the full test split when it is on disk, else the shipped
    sample; the toy sets themselves; a session's own images' held-out split."""
    own = own_datasets().get(dataset)
    return own.test if own is not None else _builtin_test_set(dataset)


def test_floats(dataset: str) -> torch.Tensor:
    own = own_datasets().get(dataset)
    return own.test.floats() if own is not None else _builtin_test_floats(dataset)


@st.cache_resource(show_spinner=False)
def service():
    """The server's training service (aeviz.service), started on first use; app.py starts it with the server."""
    import atexit

    from aeviz.service import TrainingService

    # a finished job's model goes to the store from here, through the keeper: kept even when its tab has gone
    svc = TrainingService(is_alive=_session_alive, on_change=keeper().job_changed).start()
    atexit.register(svc.close)
    _SERVICE.append(svc)
    return svc


_SERVICE: list = []  # the service, once started: what `service_down` reads without starting one


def service_down() -> str | None:
    """Why the training service cannot take jobs now (it restarts by itself), or None."""
    return _SERVICE[0].error if _SERVICE else None


def service_status() -> str:
    """ "ok", "starting", or why the training service is down: for /healthz."""
    if not _SERVICE:
        return "starting"
    return _SERVICE[0].error or ("ok" if _SERVICE[0].connected else "starting")


_inactive_since: dict[str, float] = {}


def _session_alive(owner: str) -> bool:
    """A session is gone once it has had no connection for a minute (a student on shaky Wi-Fi
    reconnects to the same session well within that: Streamlit keeps it for two)."""
    from streamlit.runtime import Runtime

    session_id = owner.split(":", 1)[0]
    if not Runtime.exists() or Runtime.instance().is_active_session(session_id):
        _inactive_since.pop(session_id, None)
        return True
    since = _inactive_since.setdefault(session_id, time.monotonic())
    return time.monotonic() - since < 60


# Figures, and arrays and numbers, that depend only on their (hashable) arguments: built once per
# server and shared read-only (a picture's PNG is most of a page's run). Not st.cache_data: a figure
# that has been pickled comes back with plotly's default template, which makes plotly.js draw it
# twice (plots.figure). Names are unique (session models included), so a name in the arguments
# stands for its model. What is computed from a class's own images stays in its session, and goes with it.
SESSION_CACHE_ENTRIES = 32


def _shared_cache(fn):
    shared = st.cache_resource(show_spinner=False, max_entries=64)(fn)

    @functools.wraps(fn)
    def cached(*args, **kwargs):
        own = own_datasets().keys() | own_models().keys()  # a session's images and models: cached in the session
        if not any(isinstance(a, str) and a in own for a in (*args, *kwargs.values())):
            return shared(*args, **kwargs)
        store = st.session_state.setdefault(SESSION_CACHE, {})
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in store:
            while len(store) >= SESSION_CACHE_ENTRIES:
                store.pop(next(iter(store)))
            store[key] = fn(*args, **kwargs)
        return store[key]

    cached.clear = shared.clear
    return cached


figure_cache = data_cache = _shared_cache


@data_cache
def pca_for(dataset: str, k: int):
    """(PCA with k components, what it was fitted on): fitted on the training split, else the shipped
    sample's training half. The one baseline every page compares a linear AE with."""
    from aeviz.data import splits
    from aeviz.pca import fit_pca

    train, _, note = splits(dataset)
    return fit_pca(train.floats(), k), note or "the training set"


def warm() -> None:
    """Fill the server-wide caches the pages read: test images and pretrained models, default dataset first."""
    for dataset in BUILTIN:
        test_floats(dataset)
        for name, entry in manifest().items():
            if entry["dataset"] == dataset:
                pretrained(name)
