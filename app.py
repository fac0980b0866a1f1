"""aeviz: `streamlit run app.py`. Page config and navigation live in aeviz/ui/app.py, the pages in aeviz/ui/pages.

Each session runs this file as its script (`__main__`). `streamlit run` also imports it once as a
module, and then serves it as an `st.App` whose start-up hook imports torch and loads the pretrained
models in the background while the first browser is still loading Streamlit's front end: the first
page finds them ready instead of waiting ~3 s for them.
"""

from contextlib import asynccontextmanager

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


def preload_plotly() -> None:
    """Have the browser load plotly.js now, not when the first chart arrives; and say so when this
    browser tab has lost the session it had.

    Streamlit fetches and runs its plotly.js chunk (4.7 MB, ~1 s of the browser's time here) only
    when a chart arrives, which on a cold start is after torch and the models have loaded: one
    after the other. Importing the same module first thing makes them overlap; Streamlit's own
    import then finds it loaded (a module runs once per URL). Here, before aeviz.ui.app, which
    imports torch: this should not wait for it.

    The tab keeps its session's id in sessionStorage: a different id on a later run means the old
    session is gone (its replica restarted or died behind the balancer, or the page was reloaded),
    and with it what the student had on their pages (what they trained or uploaded comes back from the
    store, unless persistence is off, and then it is gone). The student is told, not left to wonder. The
    notice is drawn by the component itself: a rerun asked for from here, while the page's first
    run is still arriving, was sent before the browser knew which page the link named, and opened
    Overview instead (about 1 reload in 20).
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

if __name__ == "__main__":
    preload_plotly()
    warmup.wait()  # before importing what the warm-up thread may be importing right now (torch, pandas)
    from aeviz.ui.app import main

    main()
else:
    from starlette.middleware import Middleware
    from starlette.routing import Route

    from aeviz.ui.identity import PersonCookie

    app = st.App(__file__, lifespan=warm_up, routes=[Route("/healthz", warmup.healthz)], middleware=[Middleware(PersonCookie)])
