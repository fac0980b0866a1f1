"""What a session holds: its own models and image sets (kept in the store under the student's resume
token, and brought back by `sync`), its training job, and the sidebar's current selection."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
import torch

from aeviz import checkpoint, metrics
from aeviz.config import ModelConfig
from aeviz.data import LABELS, ImageSet
from aeviz.limits import LIMITS
from aeviz.models.base import Autoencoder
from aeviz.ui.state.kept import SYNC_EVERY, keeper, lasting_person, model_name, store, store_failed, store_recovered
from aeviz.ui.state.keys import (
    BUILTIN,
    DATA_JOB,
    DATA_PREVIEW,
    DATASET,
    DATASET_TITLES,
    DROPPED,
    JOB,
    MODEL,
    PICK,
    RECENT_JOBS,
    SESSION_CACHE,
    SHARED_FLAGS,
    SYNCED,
    TOY,
    ModelInfo,
    OwnModel,
    notice,
    own_datasets,
    own_models,
    person,
)  # fmt: skip
from aeviz.ui.state.shared import data_cache, manifest, pca_for, pretrained, service, test_floats, test_set


@st.cache_resource(show_spinner=False)
def _pretrained_info() -> dict[str, ModelInfo]:
    return {
        n: ModelInfo(n, e.get("title", n), e["dataset"], ModelConfig.from_dict(e["config"]), e.get("metrics", {}))
        for n, e in manifest().items()
    }


def info(name: str) -> ModelInfo:
    own = own_models()
    return own[name].info if name in own else _pretrained_info()[name]


def get_model(name: str) -> Autoencoder:
    own = own_models()
    return own[name].model if name in own else pretrained(name)


def model_names(dataset: str) -> list[str]:
    """The models for `dataset`: the zoo's, then this session's own."""
    own = [n for n, m in own_models().items() if m.info.dataset == dataset]
    return [n for n, i in _pretrained_info().items() if i.dataset == dataset] + own


def title(name: str) -> str:
    i = info(name)
    return f"{i.title}  (yours)" if i.own else i.title


def names_of_family(dataset: str, family: str) -> list[str]:
    return [n for n in model_names(dataset) if info(n).config.family == family]


def representative(dataset: str, family: str) -> str | None:
    """The zoo's model named after the family (mnist-vae, not mnist-vae-2d), else any of that family."""
    names = names_of_family(dataset, family)
    return f"{dataset}-{family}" if f"{dataset}-{family}" in names else (names[0] if names else None)


def _weight_bytes(model: Autoencoder) -> int:
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


def add_own(model: Autoencoder, *, title: str, dataset: str, blob: bytes, metrics: dict | None = None,
            name: str | None = None, history: list | None = None, save: bool = True) -> str:  # fmt: skip
    """Keep a model in this session, and in the store unless `save` is off (the training service
    keeps its jobs' models itself), and pick it in the sidebar; raises ValueError over the limits,
    which are a person's: every model they keep, from any tab, counts."""
    sync(force=True)
    own = own_models()
    if name in own:  # the store had it already (the service kept it while this page was away)
        st.session_state[PICK] = (dataset, name)
        return name
    if len(own) >= LIMITS.max_models:
        raise ValueError(f"you have {len(own)} models, the most a student keeps: delete one first")
    # what a model really holds here: its float16 checkpoint (kept for downloads) and its float32 weights
    used = sum(len(m.checkpoint) + _weight_bytes(m.model) for m in own.values()) + len(blob) + _weight_bytes(model)
    if used > LIMITS.max_session_mb * 2**20:
        raise ValueError(f"your models would take {used / 2**20:.0f} MB, over this session's {LIMITS.max_session_mb:.0f} MB")
    name = name or f"yours-{uuid.uuid4().hex}"
    _hold(model, name, title, dataset, blob, metrics or {}, history or [])
    if save and (who := lasting_person()):
        keeper().save_model(who, name, title=title, dataset=dataset, config=model.config.to_dict(), metrics=metrics or {},
                            blob=blob, history=history or [])  # fmt: skip
    st.session_state[PICK] = (dataset, name)
    return name


def _hold(model: Autoencoder, name: str, title: str, dataset: str, blob: bytes, metrics: dict, history: list) -> None:
    own = own_models()
    model.requires_grad_(False).eval()
    # the name keys every cache of the model: a full random id, so two sessions' models never share an entry;
    # its first 6 characters are in the title, so a student can tell (and the load bench can check) whose it is
    tag = name.removeprefix("yours-")[:6]
    info = ModelInfo(name, f"#{len(own) + 1} {title} · {tag}", dataset, model.config, metrics, True)
    own[name] = OwnModel(model, info, blob, history, title)


def shapes() -> dict[str, tuple[int, int, int]]:
    """Every dataset this session can train on, with its images' shape: built-in, toy, its own."""
    return checkpoint.SHAPES | {name: d.shape for name, d in own_datasets().items()}


def keep_trained(job) -> str:
    """A finished training job's model, kept in the session (and picked): what to tell the student.
    Raises ValueError over the session's limits."""
    for key in (SHARED_FLAGS, RECENT_JOBS):  # a new model, a finished job: read them again
        st.session_state.pop(key, None)
    r = job.result
    how = "hit the time limit" if r["timed_out"] else "stopped" if r["stopped"] else "done"
    model, _ = checkpoint.from_bytes(r["checkpoint"])
    from aeviz.store.keeper import loss_history

    history = loss_history(job.steps)
    add_own(model, title=job.spec.title, dataset=job.spec.kwargs()["dataset"], blob=r["checkpoint"], metrics=r["metrics"],
            name=model_name(job.id), history=history, save=not job.lasting)  # fmt: skip
    return f"Training {how} after {r['seconds']:.1f} s · test MSE {r['metrics']['mse']:.4f}: your model is picked in the sidebar"


def adopt_checkpoint(filename: str, blob: bytes) -> str:
    """An uploaded checkpoint, checked before anything is built, kept for the dataset it was made
    for (or one of its shape): what to tell the student. Raises CheckpointError or ValueError."""
    model, meta = checkpoint.from_bytes(blob, max_params=LIMITS.max_params)
    fits, shape = shapes(), tuple(model.config.shape)
    dataset = meta.get("dataset")
    if fits.get(dataset) != shape:  # its own dataset, or one of this shape
        dataset = next((n for n, s in fits.items() if s == shape), None)  # built-in first, then the session's own
    if dataset is None:
        raise checkpoint.CheckpointError(f"its {'×'.join(map(str, shape))} input fits no dataset here")
    # a title is shown in Markdown on many pages: the file's name keeps its letters, digits, dots and dashes only
    safe = re.sub(r"[^\w .-]+", "_", filename)[:40]
    add_own(model, title=f"uploaded {safe}", dataset=dataset, blob=blob, metrics=meta.get("metrics"))
    return f"Loaded {filename}: a {model.config.family} model for {dataset_title(dataset)}, picked in the sidebar"


def remove_own(name: str) -> None:
    st.session_state.setdefault(DROPPED, set()).add(name)
    if own_models().pop(name, None) is not None and (who := lasting_person()):
        keeper().delete_model(who, name)
    if st.session_state.get(MODEL) == name:
        st.session_state.pop(MODEL, None)


def remove_dataset(name: str) -> int:
    """Forget a session's image set, what was computed from it, and the models trained on it
    (nothing could show them): how many models went."""
    st.session_state.setdefault(DROPPED, set()).add(name)
    if own_datasets().pop(name, None) is not None and (who := lasting_person()):
        keeper().delete_dataset(who, name)
    store = st.session_state.get(SESSION_CACHE, {})
    for key in [k for k in store if name in k[2] or name in dict(k[3]).values()]:
        del store[key]
    models = [m for m, own in own_models().items() if own.info.dataset == name]
    for m in models:
        remove_own(m)
    if st.session_state.get(DATASET) == name:
        st.session_state.pop(DATASET, None)
    return len(models)


def datasets() -> list[str]:
    """The sidebar's datasets: MNIST and Fashion-MNIST, a toy set once this session has a model for
    it, and this session's own images."""
    own = {m.info.dataset for m in own_models().values()}
    return [*BUILTIN, *(d for d in TOY if d in own), *own_datasets()]


def dataset_title(dataset: str) -> str:
    own = own_datasets().get(dataset)
    return f"{own.name} (yours)" if own is not None else DATASET_TITLES.get(dataset, dataset)


def check_data_budget(data, held: list) -> None:
    """Raise ValueError when `data` with the image sets `held` would be over a session's budget: what
    an ingest brings back counts from its preview on, as it sits in the session's memory."""
    used = sum(d.train.x.nbytes + d.test.x.nbytes for d in [*held, data])
    if used > LIMITS.max_data_mb * 2**20:
        raise ValueError(f"your image sets would take {used / 2**20:.0f} MB, over this session's {LIMITS.max_data_mb:.0f} MB")


def take_ingested(job) -> None:
    """An ingest job's end (Your images): its image set becomes the preview, counted in the session's
    budget from now on, or the student is told why not (on the next run: a rerun follows)."""
    if job.state == "failed":
        notice(f"Can't use these images: {job.error}.")
    elif job.result is not None:
        try:
            check_data_budget(job.result, [*own_datasets().values()])
            st.session_state[DATA_PREVIEW] = job.result
        except ValueError as e:
            notice(f"Can't keep these images: {e}. Delete one of your image sets first.")
    service().forget(job.id)
    st.session_state.pop(DATA_JOB, None)


def add_dataset(data) -> str:
    """Keep a class's own images in this session and the store (and pick them); a unique name: caches
    key on it. Raises ValueError over the limits (a person's, as for models)."""
    sync(force=True)
    own = own_datasets()
    if len(own) >= LIMITS.max_datasets:
        raise ValueError(f"you have {len(own)} image sets, the most a session keeps: delete one first")
    check_data_budget(data, [*own.values()])
    tag = uuid.uuid4().hex[:6]
    name = f"own-{data.name[:24]}-{tag}"
    data.name = name
    data.train, data.test = (ImageSet(s.x, s.y, name) for s in (data.train, data.test))
    own_datasets()[name] = data
    if who := lasting_person():  # compressed and written by the keeper's thread: 100 MB of images take seconds
        keeper().save_dataset(who, name, title=name, blob=data.to_npz)
    return name


def labels(dataset: str) -> list[str] | None:
    """Class names, or None for a set without labels."""
    own = own_datasets().get(dataset)
    if own is not None:
        return own.labels
    if dataset in LABELS:
        return LABELS[dataset]
    y = test_set(dataset).y
    return None if y is None else [f"x{i + 1}" for i in range(int(y.max()) + 1)]


def job() -> Any:
    """This session's latest job on the training service, or None; a job its person started in a tab
    since reloaded or closed is this session's too."""
    job_id = st.session_state.get(JOB)
    if job_id is None and (found := service().active_for(person(), "train")) is not None:
        st.session_state[JOB] = job_id = found.id
    return service().view(job_id) if job_id else None


def sync(force: bool = False) -> None:
    """Bring back what this person keeps in the store that this session does not hold yet: at a
    session's first run (after a reload, on another replica, after a restart), then every 30 s
    (another tab's work), and before a limit is checked. A store that fails is said once, in the
    sidebar; the session goes on in memory."""
    from aeviz.store import StoreUnavailable

    who = lasting_person()
    now = time.monotonic()
    if who is None or (not force and now - st.session_state.get(SYNCED, -1e9) < SYNC_EVERY):
        return
    first = SYNCED not in st.session_state
    st.session_state[SYNCED] = now
    s, dropped = store(), st.session_state.setdefault(DROPPED, set())
    try:
        if first:
            s.touch(who)  # the expiry counts from the last visit
        for rec in s.datasets(who):
            if rec.name not in own_datasets() and rec.name not in dropped:
                _restore_dataset(s, rec)
        for rec in s.models(who):
            if rec.name not in own_models() and rec.name not in dropped and rec.dataset in shapes():
                _restore_model(s, rec)
        store_recovered()
    except StoreUnavailable as e:
        store_failed(e)


def _restore_dataset(s, rec) -> None:
    from aeviz import userdata

    try:
        data = userdata.from_npz(s.blob(rec.blob), rec.name)
    except userdata.UserDataError:  # damaged in the store: left out, not fatal to the session
        return
    own_datasets()[rec.name] = data
    keeper().mark_saved(rec.name)


def _restore_model(s, rec) -> None:
    blob = s.blob(rec.blob)
    try:
        model, _ = checkpoint.from_bytes(blob, max_params=LIMITS.max_params)
    except checkpoint.CheckpointError:
        return
    _hold(model, rec.name, rec.title, rec.dataset, blob, rec.metrics, rec.history)
    keeper().mark_saved(rec.name)


# --- the current selection -----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    dataset: str
    name: str
    model: Autoencoder
    info: ModelInfo
    data: ImageSet  # the test images of `dataset`

    @property
    def family(self) -> str:
        return self.info.config.family


def current() -> Selection:
    """The sidebar's dataset and model; a page stops with a note when the dataset has no model yet."""
    dataset, name = st.session_state[DATASET], st.session_state[MODEL]
    if name is None:
        st.info(f"No model for {dataset_title(dataset)} yet: train one on the Train page, then come back.")
        st.stop()
    return Selection(dataset, name, get_model(name), info(name), test_set(dataset))


def fits(model: Autoencoder, dataset: str) -> bool:
    """The model takes this dataset's images."""
    return tuple(model.config.shape) == tuple(test_set(dataset).shape)


# --- caches of what a name stands for (a pretrained model, or this session's own) -----------------


@data_cache
def test_errors(name: str, dataset: str) -> np.ndarray:
    """Per-image MSE of a model on the test set: what an upload's anomaly score is measured against."""
    xs, model = test_floats(dataset), get_model(name)
    with torch.no_grad():
        return torch.cat([metrics.per_image_mse(model.reconstruct(b), b) for b in xs.split(1000)]).numpy()


@data_cache
def ae_vs_pca(name: str, dataset: str) -> tuple[float, float, str]:
    """Test MSE of a model and of PCA with as many components as its code, and what PCA was fitted on:
    the comparison lecture 000 makes (the Reconstructions page, the PCA lesson, the class board)."""
    x, model = test_floats(dataset), get_model(name)
    return metrics.mse(model.reconstruct(x), x), pca_mse(dataset, model.latent_size), pca_for(dataset, model.latent_size)[1]


@data_cache
def pca_mse(dataset: str, k: int) -> float:
    """PCA's test MSE with k components."""
    pca, _ = pca_for(dataset, k)
    x = test_floats(dataset)
    return metrics.mse(pca.reconstruct(x), x)


def warm_more() -> None:
    """The caches that take seconds, filled after start-up: PCA-32 of each training set (what the
    linear AE is compared with) and every pretrained model's test errors (what an upload is scored against)."""
    for dataset in BUILTIN:
        pca_for(dataset, 32)
    for name, entry in manifest().items():
        test_errors(name, entry["dataset"])
