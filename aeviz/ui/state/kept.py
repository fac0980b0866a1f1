"""What lasts: the server's store (aeviz.store) and the one keeper thread that writes to it, seen
from a page. A store that fails is tried again after a few seconds: pages never queue on it."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from aeviz.limits import LIMITS
from aeviz.ui.state.keys import person

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


def fresh(key: str, read, seconds: float = 5.0):
    """`read()`, as this session last read it, if within `seconds`: a store read that a page would
    otherwise make on every rerun (a class fiddling with the Train page) is made at most that often."""
    at, value = st.session_state.get(key, (-1e9, None))
    if time.monotonic() - at > seconds:
        value = read()
        st.session_state[key] = (time.monotonic(), value)
    return value


def store_recovered() -> None:
    _STORE["error"] = None


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
