"""Shareable state: the URL carries the page, dataset, model and each page's main state, so a teacher
can say "open this" and thirty laptops show the same view.

A session's first run reads the link (`read`): every value is checked against what this server has,
and what does not fit (an unknown model, an out-of-range image number) is dropped, with a notice
that says so. Every run then writes the current state back (`write`). Models a student trained or
uploaded live in that student's session only: a link never names them (`own_model_note` says so).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from aeviz.ui import state

PRESENT = state.PRESENT  # presenter mode, a session key and a URL parameter
WRITTEN = state.LINKS_WRITTEN  # the query parameters this session last wrote: others come from a link
MAX_VALUE = 400  # characters: the longest value a link of this app carries is a latent vector (~6 a number)


@dataclass(frozen=True)
class Param:
    """One of a page's URL parameters: `take` applies a link's value to the session (before the page's
    widgets exist), or raises ValueError saying why it was left out; `give` is what this run shows, or None."""

    name: str
    what: str  # how a notice names it
    take: Callable[[str], None]
    give: Callable[[], str | None]


def keyed(name: str, key: str, what: str, check: Callable[[str], Any] = str, show: Callable[[Any], str] = str) -> Param:
    """A parameter that is one session key's value (`check` turns the link's text into it, or raises ValueError)."""

    def take(value: str) -> None:
        st.session_state[key] = check(value)

    def give() -> str | None:
        value = st.session_state.get(key)
        return None if value is None or value == "" else show(value)

    return Param(name, what, take, give)


@dataclass
class Dropped:
    items: list[str]

    def say(self, what: str, value: str, why: str) -> None:
        self.items.append(f"{what} “{state.md(value[:40])}” ({state.md(why)})")  # what a link says is text, never Markdown


def fresh() -> dict[str, str] | None:
    """A link's parameters to read in this run, each no longer than any this app writes; None when the
    parameters are the ones this session wrote itself."""
    if dict(st.query_params) == st.session_state.get(WRITTEN):
        return None
    return {k: v for k, v in st.query_params.items() if len(v) <= MAX_VALUE}


def read() -> None:
    """Before any widget exists: what a link says about the whole app (a new session's URL, or a link
    followed inside the app), as far as it is valid. Each page reads its own parameters (`page`)."""
    if (q := fresh()) is None:
        return
    dropped = Dropped([])
    # a value longer than any this app writes is dropped before it is parsed (a 10 MB z= was 5 M numbers)
    for k in sorted(set(st.query_params) - set(q))[:5]:
        dropped.say(k[:20], st.query_params[k][:20] + "…", f"longer than {MAX_VALUE} characters")
    if (v := q.get("resume")) is not None:
        _resume(v)
    if (v := q.get(PRESENT)) is not None:
        st.session_state[PRESENT] = v in ("1", "true", "on")
    if (v := q.get("dataset")) is not None:
        if v in state.BUILTIN:
            st.session_state[state.DATASET] = v
        else:
            dropped.say("dataset", v, "not on this server")
    if (v := q.get("model")) is not None:
        dataset = st.session_state.get(state.DATASET, state.BUILTIN[0])
        if v in state.manifest() and state.manifest()[v]["dataset"] == dataset:
            st.session_state[state.MODEL] = v
        else:
            dropped.say("model", v, "not on this server for this dataset")
    if dropped.items:
        state.notice("Parts of the link were left out: " + "; ".join(dropped.items) + ".")


def page(*params: Param) -> None:
    """A page's own link parameters, declared at its top: taken from a link the session has not read
    yet, and written back after the page ran (`write`). A new page touches its own file only."""
    path = st.session_state.get(state.PAGE, "")
    # kept in the session: a page's checks close over its run's variables (a model, images), which must
    # go with the session, not stay in a server-wide table
    st.session_state.setdefault(state.LINK_PARAMS, {})[path] = params
    if (q := fresh()) is None:
        return
    dropped = Dropped([])
    for p in params:
        if (v := q.get(p.name)) is not None:
            try:
                p.take(v)
            except ValueError as e:
                dropped.say(p.what, v, str(e))
    if dropped.items:  # the page is running: the toast shows now, not on the next run
        st.toast("Parts of the link were left out: " + "; ".join(dropped.items) + ".", duration="long")


def floats(text: str) -> list[float]:
    """A link's list of numbers; raises ValueError for anything else (a NaN, an empty list)."""
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError:  # float's own message repeats the link's text: never shown
        raise ValueError("not a list of numbers") from None
    if not values or not all(math.isfinite(x) for x in values):
        raise ValueError("not a list of numbers")
    return values


def image_number(dataset: str) -> Callable[[str], int]:
    """A check for a test image's number on `dataset`."""

    def check(text: str) -> int:
        n = len(state.test_set(dataset))
        if not (re.fullmatch(r"[0-9]{1,7}", text) and int(text) < n):  # ASCII digits only: "²".isdigit() is True
            raise ValueError(f"not one of 0 … {n - 1}")
        return int(text)

    return check


def _resume(value: str) -> None:
    """A resume link: the server has set its cookie already (aeviz.ui.identity); say when it could not."""
    from aeviz.store import StoreUnavailable
    from aeviz.ui import identity

    if identity.verify(value) is None:
        state.notice("This resume link is not valid (it was changed, or it is from another server): this is a fresh start.")
        return
    s = state.store()
    try:
        if s is not None and not s.known(f"person:{value.split('.')[0]}"):
            hours = s.settings.dropin_hours
            state.notice(f"Nothing is kept under this resume link: work is deleted {hours:g} h after its last visit.")
    except StoreUnavailable:
        pass  # the sidebar says the store is unavailable


def current(page: str) -> dict[str, str]:
    """The query parameters that say what page `page` (its URL path) shows in this run."""
    ss = st.session_state
    params: dict[str, str] = {}
    dataset, model = ss.get(state.DATASET), ss.get(state.MODEL)
    if dataset in state.BUILTIN:  # a session's own images cannot travel in a link (own_model_note says so)
        params["dataset"] = dataset
    if model and model in state.manifest():  # a student's own model cannot travel in a link
        params["model"] = model
    for p in st.session_state.get(state.LINK_PARAMS, {}).get(page, ()):
        if (v := p.give()) is not None:
            params[p.name] = v
    if ss.get(PRESENT):
        params[PRESENT] = "1"
    return params


def write(page: str) -> None:
    """After the page ran: the URL shows what the page shows (only when it changed: each write is a message)."""
    params = current(page)
    st.session_state[WRITTEN] = params
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def public_base(pages: list[str]) -> str:
    """Where students reach this app: what the teacher typed, AEVIZ_PUBLIC_URL behind a proxy, else
    the address this browser used (its page path taken off; `pages` are the app's URL paths)."""
    from urllib.parse import urlsplit

    base = st.session_state.get(state.SHARE_BASE) or os.environ.get("AEVIZ_PUBLIC_URL")
    if base:
        return base.rstrip("/")
    u = urlsplit(st.context.url or "http://localhost:8501")
    path = u.path.rstrip("/")
    if path.rsplit("/", 1)[-1] in pages:
        path = path.rsplit("/", 1)[0]
    return f"{u.scheme}://{u.netloc}{path}"


def share_url(page: str, pages: list[str], default: bool) -> str:
    """The link that opens this view. Streamlit serves its default page at the root, not at its path."""
    query = urlencode(current(page))
    return f"{public_base(pages)}/{'' if default else page}" + (f"?{query}" if query else "")


def own_model_note() -> str | None:
    """Why the link does not open the model (or the images) the student is looking at, if it does not."""
    dataset, model = st.session_state.get(state.DATASET), st.session_state.get(state.MODEL)
    if dataset in state.own_datasets():
        return (
            f"Your own images ({state.dataset_title(dataset)}) and the models trained on them are not in the link: they "
            "live in your session only. The link opens this page on MNIST; download the images (Your images page) and "
            "your models (Train page) to share them."
        )
    if model and model not in state.manifest():
        return (
            f"Your own model ({state.title(model)}) is not in the link: it lives in your session only. "
            "The link opens this page with a pretrained model instead; download yours (Train page) to share it."
        )
    return None
