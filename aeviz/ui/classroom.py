"""The class, in the UI: who teaches (the teacher link, or the tabs of whoever opened the class), who
is in it (their resume token), the assignment a student trains, and what the board reads. The store
does the work (aeviz.store.classes); this module caches it briefly per session, and once per class
for every viewer of a board."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import streamlit as st

from aeviz.limits import LIMITS
from aeviz.store import StoreUnavailable
from aeviz.store import classes as book
from aeviz.ui import links, state
from aeviz.ui.nav import PAGE_LIST

TEACH = "class_teach"  # the id of the class this session teaches (opened it, or came by its teacher link)
MINE = "class_mine"  # (checked at, (Class, Member) or None): this person's class, re-read every few seconds
FRESH = 5.0  # seconds a session trusts what it read of its class


def store():
    s = state.store()
    if s is None:
        raise book.ClassError(state.store_error() or "classes need the store, and this server keeps nothing (AEVIZ_DB_URL=off)")
    return s


def teaching() -> book.Class | None:
    """The open class this session teaches, if any."""
    try:
        s = state.store()
        if s is None:
            return None
        if (class_id := st.session_state.get(TEACH)) and (c := book.get(s, class_id)) and c.ended is None:
            return c
        who = state.lasting_person()
        c = book.taught_by(s, who) if who else None
        if c is not None:
            st.session_state[TEACH] = c.id
        return c
    except StoreUnavailable as e:
        state.store_failed(e)
        return None


def mine(force: bool = False) -> tuple[book.Class, book.Member] | None:
    """(this person's class, their membership), read again after a few seconds."""
    checked, value = st.session_state.get(MINE, (-1e9, None))
    if force or time.monotonic() - checked > FRESH:
        try:
            s, who = state.store(), state.lasting_person()
            value = book.membership(s, who) if s is not None and who else None
        except StoreUnavailable as e:
            state.store_failed(e)
        st.session_state[MINE] = (time.monotonic(), value)
    return value


def open_class(preset: str, param: str, lo: float, hi: float) -> str:
    """Open a class for this teacher; returns the teacher link's token (shown once)."""
    who = state.lasting_person()
    if who is None:
        raise book.ClassError("opening a class needs the store and a browser that keeps cookies")
    dataset = _check(preset, param, lo, hi)
    c, token = book.open_class(store(), who, dataset=dataset, preset=preset, param=param, lo=lo, hi=hi,
                               max_classes=LIMITS.max_classes, class_hours=LIMITS.class_hours)  # fmt: skip
    st.session_state[TEACH] = c.id
    return token


def _check(preset: str, param: str, lo: float, hi: float) -> str:
    """The assignment's dataset; ClassError when the preset cannot take the range (both ends are tried)."""
    from aeviz import limits, presets

    book.check_range(param, lo, hi)
    try:
        for v in (lo, hi):
            dataset, model, train = presets.for_assignment(preset, param, v)
            if problems := limits.check_job(model, train, dataset):
                raise ValueError("; ".join(problems))
    except ValueError as e:
        raise book.ClassError(f"this assignment makes no sense: {e}") from None
    return dataset


def set_assignment(c: book.Class, preset: str, param: str, lo: float, hi: float) -> None:
    dataset = _check(preset, param, lo, hi)
    if dataset != c.dataset:
        raise book.ClassError(f"the class works on {state.dataset_title(c.dataset)}: pick a preset on it")
    book.set_assignment(store(), c.id, preset=preset, param=param, lo=lo, hi=hi)


def join(code: str) -> str:
    """Join a class by its code: what to tell the student."""
    who = state.lasting_person()
    if who is None:
        raise book.ClassError("joining a class needs the store and a browser that keeps cookies")
    c, me = book.join(store(), code, who, max_students=LIMITS.max_class_students, max_classes=LIMITS.max_classes,
                       class_hours=LIMITS.class_hours)  # fmt: skip
    mine(force=True)
    name, *_ = book.PARAMS[c.param]
    return f"You joined class {c.code} as “{me.nickname}”: your {name} is {me.value:g}. Train it on the Train page."


def read_link() -> None:
    """A link's `join=CODE` or `teach=TOKEN`, once per link, as links.read reads the rest."""
    if (q := links.fresh()) is None:
        return
    for kind in ("join", "teach"):
        if (v := q.get(kind)) is not None:
            from_link(kind, v)


def from_link(kind: str, value: str) -> None:
    """A link's `join=CODE` or `teach=TOKEN`: joined, or the teacher's session; else a notice."""
    try:
        if kind == "join":
            state.notice(join(value))
        else:
            c = book.by_teacher_token(store(), value)
            st.session_state[TEACH] = c.id
            state.notice(f"You are the teacher of class {c.code or '(no code)'}: the Class board is open to you.")
    except (book.ClassError, StoreUnavailable) as e:
        state.notice(f"{'Can’t join' if kind == 'join' else 'This teacher link does not work'}: {e}.")


def assignment_spec(c: book.Class, value: float):
    """(dataset, model, training) of this class's assignment at `value`."""
    from aeviz import presets

    return presets.for_assignment(c.preset, c.param, value)


# --- the board: one query per class for every viewer, the probe images' reconstructions per model ----------


@st.cache_data(ttl=1.0, max_entries=64, show_spinner=False)
def cards(class_id: str) -> list[book.Card]:
    """The class's shared models (the newest `MAX_CARDS`): read at most once a second per class, however
    many boards are open on it."""
    return book.cards(store(), class_id, LIMITS.max_cards)


@st.cache_resource(max_entries=256, show_spinner=False)
def probe_view(blob: str, dataset: str) -> dict[str, Any]:
    """A shared model's reconstructions of the class's 8 probe images (the first 8 test images of its
    dataset: the same for every card; never a student's own images), its parameter count, its codes of
    600 test images: once per model and server (a model never changes)."""
    import torch

    from aeviz import checkpoint
    from aeviz.models import count_params

    model, _ = checkpoint.from_bytes(store().blob(blob), max_params=LIMITS.max_params)
    model.requires_grad_(False).eval()
    x = state.test_floats(dataset)
    with torch.no_grad():
        x_hat = model.reconstruct(x[:8]).numpy()
        z = model.encode(x[:600])
    z = (z[0] if isinstance(z, tuple) else z).flatten(1).numpy()
    from aeviz import plots

    return {"x_hat": x_hat, "params": count_params(model.config), "z": z.astype(np.float32), "family": model.config.family,
            "png": plots.row_png(x_hat)}  # fmt: skip


@st.cache_resource(max_entries=256, show_spinner=False)
def sparkline(name: str, history: tuple[float, ...]) -> bytes:
    from aeviz import plots

    return plots.sparkline_png(history)


def base_url() -> str:
    return links.public_base([p[3] for p in PAGE_LIST])


def join_url(c: book.Class) -> str:
    return f"{base_url()}/class?join={c.code}"
