"""aeviz: `streamlit run app.py`. Page config and navigation live in aeviz/ui/app.py, the pages in aeviz/ui/pages.

Each session runs this file as its script (`__main__`). `streamlit run` also imports it once as a
module, and then serves it as an `st.App` whose start-up hook imports torch and loads the pretrained
models in the background while the first browser is still loading Streamlit's front end: the first
page finds them ready instead of waiting ~3 s for them.
"""

import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st


@asynccontextmanager
async def warm_up(_app):
    def load() -> None:
        from aeviz.ui.common import warm  # imports torch: in this thread, not before the server listens

        warm()
        # Streamlit imports pandas the first time a component is given a list or a dict (it looks for
        # data frames in it): 0.2-0.4 s that the first visit to Latent space or the VAE explorer paid
        import pandas  # noqa: F401

    threading.Thread(target=load, name="aeviz-warm-up", daemon=True).start()
    yield


def preload_plotly() -> None:
    """Have the browser load plotly.js now, not when the first chart arrives.

    Streamlit fetches and runs its plotly.js chunk (4.7 MB, ~1 s of the browser's time here) only
    when a chart arrives, which on a cold start is after torch and the models have loaded: one
    after the other. Importing the same module first thing makes them overlap; Streamlit's own
    import then finds it loaded (a module runs once per URL). Here, not in aeviz: importing aeviz
    imports torch, which is what this should not wait for.
    """
    chunk = _plotly_chunk()
    if chunk:  # another Streamlit build may name or split it differently: then nothing to do
        with st.sidebar:
            _preload(key="aeviz_preload_plotly", data={"src": f"static/js/{chunk}"})


@st.cache_resource(show_spinner=False)
def _plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly.js chunk: looked up once, not on every run of this script."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    return next((p.name for p in sorted(js.glob("PlotlyChart.*.js"))), None)


_preload = st.components.v2.component(
    "aeviz.preload",
    js="export default function ({ data }) { import(new URL(data.src, document.baseURI).href).catch(() => {}); }",
)

if __name__ == "__main__":
    preload_plotly()
    from aeviz.ui.app import main

    main()
else:
    app = st.App(__file__, lifespan=warm_up)
