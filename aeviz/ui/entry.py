"""What the Streamlit script that serves aeviz does: page config and navigation live in aeviz/ui/app.py,
the pages in aeviz/ui/pages.

Two scripts use it: the checkout's app.py (`streamlit run app.py`) and the packaged
aeviz/ui/script/aeviz_app.py (`aeviz serve`, from any install). Each session runs its script as
`__main__`, which calls `run()`. `streamlit run` also imports the script once as a module and serves it
as an `st.App` built with `app_options()`, whose start-up hook imports torch and loads the pretrained
models in the background while the first browser is still loading Streamlit's front end: the first
page finds them ready instead of waiting for them.

Torch-free: imported before anything heavy.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import streamlit as st

from aeviz.ui import warmup  # torch-free
from aeviz.ui.assets import plotly_chunk  # torch-free


@asynccontextmanager
async def warm_up(_app):
    # pandas here, before the server takes requests: the first run's components import it (Streamlit
    # looks for data frames in a component's data), and two threads importing it at once once gave
    # "partially initialized module 'pandas'"
    import pandas  # noqa: F401

    warmup.start()
    yield
    warmup.stop()


def app_options() -> dict[str, Any]:
    """`st.App`'s keyword arguments: the warm-up, GET /healthz and the person cookie."""
    # imported here, not at the top: a session's run of the script never needs them
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from aeviz.ui.identity import PersonCookie

    return {"lifespan": warm_up, "routes": [Route("/healthz", warmup.healthz)], "middleware": [Middleware(PersonCookie)]}


def run() -> None:
    """One session's run of the script."""
    preload_plotly()
    warmup.wait()  # before importing what the warm-up thread may be importing right now (torch, pandas)
    from aeviz.ui.app import main

    main()


def preload_plotly() -> None:
    """Have the browser load plotly.js now, not when the first chart arrives; and say so when this
    browser tab has lost the session it had.

    Streamlit fetches and runs its plotly.js chunk (megabytes, a noticeable share of the browser's time)
    only when a chart arrives, which on a cold start is after torch and the models have loaded: one
    after the other. Importing the same module first thing makes them overlap; Streamlit's own
    import then finds it loaded (a module runs once per URL). Here, before aeviz.ui.app, which
    imports torch: this should not wait for it.

    The tab keeps its session's id in sessionStorage: a different id on a later run means the old
    session is gone (its replica restarted or died behind the balancer, or the page was reloaded),
    and with it what the student had on their pages (what they trained or uploaded comes back from the
    store, unless persistence is off, and then it is gone). The student is told, not left to wonder. The
    notice is drawn by the component itself: a rerun asked for from here, while the page's first
    run is still arriving, was sent before the browser knew which page the link named, and sometimes
    opened Overview instead.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    from aeviz.store.settings import Settings  # torch-free

    kept = Settings.from_env().db_url is not None
    with st.sidebar:
        _preload(key="aeviz_preload", data={"src": plotly_chunk(), "session": ctx.session_id if ctx else "", "kept": kept})


_preload = st.components.v2.component(
    "aeviz.preload",
    css=""".lost { background: #fff8e1; color: #3d2c00; border-radius: 0.5rem; padding: 0.75rem 1rem;
  font: 0.875rem/1.5 "Source Sans", sans-serif; margin: 0.25rem 0; }""",
    js="""export default function ({ data, parentElement }) {
  if (data.src) import(new URL(data.src, document.baseURI).href).catch(() => {});
  const before = sessionStorage.getItem("aeviz-session");
  sessionStorage.setItem("aeviz-session", data.session);
  if (before && before !== data.session && !parentElement.querySelector(".lost")) {
    const note = document.createElement("div");
    note.className = "lost";
    note.setAttribute("role", "status");
    note.textContent = "This tab's earlier session ended (the server it was on restarted, or the page was reloaded): " +
      (data.kept ? "this is a fresh one, with the models and image sets you kept."
                 : "this is a fresh one. Models you trained or uploaded before are gone; download a model to keep it.");
    parentElement.appendChild(note);
  }
}""",
)
