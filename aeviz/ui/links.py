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
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from aeviz.config import NOISES
from aeviz.ui import state

PRESENT = "present"  # presenter mode, a session key and a URL parameter
WRITTEN = "links_written"  # the query parameters this session last wrote: others come from a link
# a page's view picker, by URL path
VIEWS = {"reconstructions": "rec_view", "filters": "filt_view", "latent": "lat_view"}
LESSON = "lesson"  # the Lessons page's picker (session key) and its URL parameter, a lesson's key
IMAGE = {"latent": "lat_img", "vae": "vae_image"}  # the selected test image
NOISE_LEVEL = "dn_level_{}"
MAX_VALUE = 400  # characters: the longest value a link of this app carries is a latent vector (~6 a number)


@dataclass
class Dropped:
    items: list[str]

    def say(self, what: str, value: str, why: str) -> None:
        self.items.append(f"{what} “{state.md(value[:40])}” ({why})")  # a link's value is text, never Markdown


def read(page: str) -> None:
    """Before any widget exists: take what a link says (a new session's URL, or a link followed
    inside the app), as far as it is valid. Parameters this session wrote itself are not read again."""
    if dict(st.query_params) == st.session_state.get(WRITTEN):
        return
    dropped = Dropped([])
    # a value longer than any this app writes is dropped before it is parsed (a 10 MB z= was 5 M numbers)
    q = {k: v for k, v in st.query_params.items() if len(v) <= MAX_VALUE}
    for k in sorted(set(st.query_params) - set(q))[:5]:
        dropped.say(k[:20], st.query_params[k][:20] + "…", f"longer than {MAX_VALUE} characters")
    if (v := q.get("resume")) is not None:
        _resume(v)
    for kind in ("join", "teach"):  # a class's join link (its QR), or its teacher link
        if (v := q.get(kind)) is not None:
            from aeviz.ui import classroom

            classroom.from_link(kind, v)
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
    if (v := q.get("view")) is not None and page in VIEWS:
        st.session_state[VIEWS[page]] = v  # the page checks it against its views (widgets.view)
    if (v := q.get(LESSON)) is not None and page == "lessons":
        from aeviz.ui.pages.lessons import lessons

        titles = {key: m.TITLE for key, m in lessons().items()}
        st.session_state[LESSON] = titles.get(v, v)  # a key, or a title; the page checks it
    if (v := q.get("img")) is not None and page in IMAGE:
        n = len(state.test_set(st.session_state.get(state.DATASET, state.BUILTIN[0])))
        if re.fullmatch(r"[0-9]{1,7}", v) and int(v) < n:  # ASCII digits only: "²".isdigit() is True
            st.session_state[IMAGE[page]] = int(v)
            if page == "vae":
                st.session_state["vae_start"] = "a test image"
        else:
            dropped.say("test image", v, f"not one of 0 … {n - 1}")
    if page == "vae" and (v := q.get("vae")) is not None:  # the explorer's own VAE, when not the sidebar's model
        dataset = st.session_state.get(state.DATASET, state.BUILTIN[0])
        info = state.manifest().get(v)
        if info and info["dataset"] == dataset and info["config"]["family"] == "vae":
            st.session_state["vae_model"] = v
        else:
            dropped.say("VAE", v, "not a VAE on this server for this dataset")
    if page == "vae" and (v := q.get("z")) is not None:
        z = _floats(v)
        if z is None:
            dropped.say("latent vector", v, "not a list of numbers")
        else:
            st.session_state["vae_link_z"] = [max(-3.0, min(3.0, x)) for x in z]  # the page checks its length
    if page == "denoise" and (v := q.get("noise")) is not None:
        if v in NOISES:
            st.session_state["dn_noise"] = v
            if (lv := q.get("level")) is not None:
                level = _floats(lv)
                if level and len(level) == 1 and 0 <= level[0] <= 1:
                    st.session_state[NOISE_LEVEL.format(v)] = round(level[0] / 0.05) * 0.05
                else:
                    dropped.say("noise level", lv, "not a number in [0, 1]")
        else:
            dropped.say("noise", v, f"choose from {', '.join(NOISES)}")
    if dropped.items:
        state.notice("Parts of the link were left out: " + "; ".join(dropped.items) + ".")


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


def _floats(text: str) -> list[float] | None:
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError:
        return None
    return values if values and all(math.isfinite(x) for x in values) else None


def current(page: str) -> dict[str, str]:
    """The query parameters that say what page `page` (its URL path) shows in this run."""
    ss = st.session_state
    params: dict[str, str] = {}
    dataset, model = ss.get(state.DATASET), ss.get(state.MODEL)
    if dataset in state.BUILTIN:  # a session's own images cannot travel in a link (own_model_note says so)
        params["dataset"] = dataset
    if model and model in state.manifest():  # a student's own model cannot travel in a link
        params["model"] = model
    if page in VIEWS and ss.get(VIEWS[page]):
        params["view"] = str(ss[VIEWS[page]])
    if page == "lessons" and ss.get(LESSON):
        from aeviz.ui.pages.lessons import lessons

        keys = {m.TITLE: key for key, m in lessons().items()}
        params[LESSON] = keys.get(ss[LESSON], str(ss[LESSON]))
    if page in IMAGE and ss.get(IMAGE[page]) is not None and (page != "vae" or ss.get("vae_start") == "a test image"):
        params["img"] = str(ss[IMAGE[page]])
    if page == "vae" and ss.get("vae_model") in state.manifest() and ss.get("vae_model") != model:
        params["vae"] = ss["vae_model"]
    if page == "vae" and ss.get("vae_z"):
        params["z"] = ",".join(f"{x:.2f}" for x in ss["vae_z"])
    if page == "denoise" and ss.get("dn_noise"):
        params["noise"] = ss["dn_noise"]
        level = ss.get(NOISE_LEVEL.format(ss["dn_noise"]))
        if level is not None:
            params["level"] = f"{level:g}"
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

    base = st.session_state.get("share_base") or os.environ.get("AEVIZ_PUBLIC_URL")
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
