"""The UI's one state module: the session's keys, the current selection, the session's own models,
and every server-wide cache (each bounded). Pages read what they show from here and from `aeviz`.

Pretrained models and test sets are loaded once per server and shared read-only (eval mode, no
gradients, never trained in place). What a student trains or uploads is theirs: it lives in their
session, and is kept in the store (aeviz.store) under their resume token, so a reload, another
replica or a restart brings it back (`sync`). Writes go through one keeper thread, never a page's.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st
import torch

from aeviz import checkpoint
from aeviz.config import ModelConfig
from aeviz.data import LABELS, TITLES, ImageSet, load, load_test_or_sample
from aeviz.limits import LIMITS
from aeviz.models.base import Autoencoder

# --- session keys --------------------------------------------------------------------------------
DATASET = "dataset"  # the sidebar's dataset
MODEL = "model"  # the sidebar's model (a pretrained name, or one of the session's own)
UPLOAD = "upload_x"  # the last uploaded or drawn image, as the model sees it (28x28 floats)
UPLOAD_STEPS = "upload_steps"  # (file hash, blur, recipe) -> the decoded steps, or why the file was refused
OWN = "own_models"  # {name: OwnModel}: trained or uploaded in this session
OWN_DATA = "own_datasets"  # {name: aeviz.userdata.UserData}: a class's own images, in this session's memory only
JOB = "job"  # the id of this session's training job
NOTICE = "notice"  # a message for the next run of any page
PICK = "pick"  # (dataset, model) for the sidebar to select on the next run (its widgets exist in this one)
SYNCED = "synced_at"  # when this session last read its person's work from the store
DROPPED = "dropped"  # names this session deleted: not brought back while the store catches up

BUILTIN = ("mnist", "fashion")
TOY = {"patterns": "Tutorial 10's five 3×3 patterns", "random": "100 random 10×10 images"}
DATASET_TITLES = {**TITLES, **TOY}


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
SESSION_CACHE = "session_cache"  # {(function, arguments): value} for a session's own images
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


@data_cache
def test_errors(name: str, dataset: str) -> np.ndarray:
    """Per-image MSE of a model on the test set: what an upload's anomaly score is measured against."""
    xs, model = test_floats(dataset), get_model(name)
    with torch.no_grad():
        return torch.cat([(model.reconstruct(b) - b).square().flatten(1).mean(1) for b in xs.split(1000)]).numpy()


def warm() -> None:
    """Fill the server-wide caches the pages read: test images and pretrained models, default dataset first."""
    for dataset in BUILTIN:
        test_floats(dataset)
        for name, entry in manifest().items():
            if entry["dataset"] == dataset:
                pretrained(name)


def warm_more() -> None:
    """The caches that take seconds, filled after start-up: PCA-32 of each training set (what the
    linear AE is compared with) and every pretrained model's test errors (what an upload is scored against)."""
    for dataset in BUILTIN:
        pca_for(dataset, 32)
    for name, entry in manifest().items():
        test_errors(name, entry["dataset"])


# --- models, pretrained and the session's own ----------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    name: str
    title: str
    dataset: str
    config: ModelConfig
    metrics: dict[str, float] = field(default_factory=dict)
    own: bool = False


@dataclass
class OwnModel:
    model: Autoencoder
    info: ModelInfo
    checkpoint: bytes  # float16, what the Download button gives
    history: list = field(default_factory=list)  # the training loss, for a project file
    title: str = ""  # as the student named it (the info's title adds its number and tag)


def own_models() -> dict[str, OwnModel]:
    return st.session_state.setdefault(OWN, {})


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


# --- datasets ------------------------------------------------------------------------------------


def own_datasets() -> dict:
    return st.session_state.setdefault(OWN_DATA, {})


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


def add_dataset(data) -> str:
    """Keep a class's own images in this session and the store (and pick them); a unique name: caches
    key on it. Raises ValueError over the limits (a person's, as for models)."""
    sync(force=True)
    own = own_datasets()
    if len(own) >= LIMITS.max_datasets:
        raise ValueError(f"you have {len(own)} image sets, the most a session keeps: delete one first")
    used = sum(d.train.x.nbytes + d.test.x.nbytes for d in [*own.values(), data])
    if used > LIMITS.max_data_mb * 2**20:
        raise ValueError(f"your image sets would take {used / 2**20:.0f} MB, over this session's {LIMITS.max_data_mb:.0f} MB")
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


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: str) -> str:
    """`text` shown as it is in Streamlit's Markdown: a link, emphasis, an emoji or colour directive
    (":red[...]") or HTML written by a student (a file, folder or label name, a link's value) stays text."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def notice(text: str | None = None) -> str | None:
    """Leave a message for the next run (`text`), or take the waiting one."""
    if text is not None:
        st.session_state[NOTICE] = text
        return None
    return st.session_state.pop(NOTICE, None)


def owner() -> str:
    """Whose job is whose on the training service: this browser session's id, and a random tag kept
    in its state (AppTest gives every session the same id)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return f"{ctx.session_id if ctx else 'none'}:{st.session_state.setdefault('owner_tag', uuid.uuid4().hex[:8])}"


def person() -> str:
    """Who this is across their tabs (the signed id cookie, aeviz.ui.identity), else this session: the
    training service's caps are a person's."""
    from aeviz.ui import identity

    try:
        token = identity.verify(st.context.cookies.get(identity.COOKIE))
    except Exception:  # no request behind this run (AppTest), or cookies unavailable: the session it is
        token = None
    return f"person:{token}" if token else owner()


def job() -> Any:
    """This session's latest job on the training service, or None; a job its person started in a tab
    since reloaded or closed is this session's too."""
    job_id = st.session_state.get(JOB)
    if job_id is None and (found := service().active_for(person(), "train")) is not None:
        st.session_state[JOB] = job_id = found.id
    return service().get(job_id) if job_id else None


# --- what lasts: the store ------------------------------------------------------------------------

SYNC_EVERY = 30.0  # seconds between a session's reads of its person's work (other tabs, other replicas)
_RETRY = 10.0  # an unreachable store is tried again after this long: pages never queue on it
_STORE: dict[str, Any] = {"store": None, "failed": -1e9, "error": None}


def store():
    """The server's store (aeviz.store), or None: persistence is off, or the store is unreachable
    (then `store_error` says why, and it is tried again within seconds)."""
    from aeviz.store import StoreUnavailable, open_store

    if time.monotonic() - _STORE["failed"] < _RETRY:  # it failed a moment ago: no page waits on it again yet
        return None
    if _STORE["store"] is None:
        try:
            _STORE["store"], _STORE["error"] = open_store(), None
        except (StoreUnavailable, ValueError) as e:
            _STORE["failed"], _STORE["error"] = time.monotonic(), str(e)
    return _STORE["store"]


def dropin_hours() -> float:
    from aeviz.store.settings import Settings

    return Settings.from_env().dropin_hours


def store_error() -> str | None:
    """Why work is not being kept now: the store is unreachable, or a write failed in the last minute."""
    failed = keeper().failed if _STORE["store"] is not None else None
    recent = failed[1] if failed and time.monotonic() - failed[0] < 60 else None
    return _STORE["error"] or recent


def store_failed(e: Exception) -> None:
    """A read failed (the database restarting, say): every session works in memory for a few seconds, then tries again."""
    _STORE["failed"], _STORE["error"] = time.monotonic(), str(e)


@st.cache_resource(show_spinner=False)
def keeper():
    """The one thread that writes to the store for every session and the training service."""
    from aeviz.store.keeper import Keeper

    return Keeper(store, why=lambda: _STORE["error"], retention_days=LIMITS.retention_days)


def model_name(job_id: str) -> str:
    from aeviz.store.keeper import model_name as name_of

    return name_of(job_id)


def lasting_person() -> str | None:
    """Whose work is kept past this session: the person of a resume token, when the store is on."""
    who = person()
    return who if who.startswith("person:") and store() is not None else None


def saved(name: str) -> str | None:
    """ "saved", "saving", or why a model or image set is not kept; None when nothing is kept here."""
    return keeper().status(name) if lasting_person() else None


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
        _STORE["error"] = None
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


def export_project() -> bytes:
    """Everything this student keeps, as one project file (aeviz.store.project)."""
    from aeviz.store import project

    models = [dict(title=m.title, dataset=m.info.dataset, metrics=m.info.metrics, history=m.history, checkpoint=m.checkpoint)
              for m in own_models().values()]  # fmt: skip
    sets = [dict(name=n, title=d.name, npz=d.to_npz()) for n, d in own_datasets().items()]
    return project.write(project.Project(models, sets))


def import_project(blob: bytes) -> str:
    """A project file's models and image sets, each checked as an upload is, kept as this student's:
    what to tell them. Raises ProjectError (a file that is not a project) or ValueError (over a limit)."""
    from aeviz import userdata
    from aeviz.store import project

    p = project.read(blob)
    renamed, done = {}, []
    for d in p.datasets:
        try:
            data = userdata.from_npz(d["npz"], d["title"][:24])
        except userdata.UserDataError as e:
            raise project.ProjectError(f"its image set {d['title'][:40]} is damaged: {e}") from None
        renamed[d["name"]] = add_dataset(data)
        done.append(f"image set {data.name}")
    for m in p.models:
        try:
            model, _ = checkpoint.from_bytes(m["checkpoint"], max_params=LIMITS.max_params)
        except checkpoint.CheckpointError as e:
            raise project.ProjectError(f"its model {m['title'][:40]} is damaged: {e}") from None
        dataset = renamed.get(m["dataset"], m["dataset"])
        if shapes().get(dataset) != tuple(model.config.shape):
            dataset = next((n for n, s in shapes().items() if s == tuple(model.config.shape)), None)
        if dataset is None:
            continue  # no images of its shape here: nothing could show it
        add_own(model, title=re.sub(r"[^\w ,.×-]+", "_", m["title"])[:60], dataset=dataset, blob=m["checkpoint"],
                metrics=m["metrics"], history=m["history"])  # fmt: skip
        done.append("model")
    models = sum(x == "model" for x in done)
    return f"Imported {models} models and {len(done) - models} image sets"
