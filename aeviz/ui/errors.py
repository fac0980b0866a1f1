"""What a student sees when a page has a bug: a message with an error id to tell the teacher, while the
server's log keeps the traceback under the same id. The error then goes on to Streamlit, which counts it
(the tests and the load bench see it) and, served to a class, shows no details."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable

import streamlit as st

log = logging.getLogger("aeviz.ui")


def guarded(run: Callable[[], None], where: str) -> None:
    try:
        run()
    except Exception:  # st.stop and st.rerun raise BaseExceptions: they pass
        error_id = uuid.uuid4().hex[:8]
        log.exception("aeviz: error %s on %s", error_id, where)
        st.error(
            f"Something went wrong on this page (error {error_id}). What you trained or uploaded is kept: try again, "
            "or open another page. If it happens again, tell your teacher the error number.",
            icon=":material/error:",
        )
        raise


def fragment(fn=None, *, run_every: float | None = None):
    """`st.fragment`, whose reruns (which run without the page around them) are guarded too."""

    def wrap(body):
        @functools.wraps(body)  # a fragment is known by its function's name: the body's
        def run(*args, **kwargs):
            guarded(lambda: body(*args, **kwargs), f"a part of the page ({body.__qualname__})")

        return st.fragment(run, run_every=run_every)

    return wrap(fn) if fn is not None else wrap
