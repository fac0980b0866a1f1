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
    warmup.start()
    yield
    warmup.stop()


def preload_plotly() -> None:
    """Have the browser load plotly.js now, not when the first chart arrives.

    Streamlit fetches and runs its plotly.js chunk (4.7 MB, ~1 s of the browser's time here) only
    when a chart arrives, which on a cold start is after torch and the models have loaded: one
    after the other. Importing the same module first thing makes them overlap; Streamlit's own
    import then finds it loaded (a module runs once per URL). Here, before aeviz.ui.app, which
    imports torch: this should not wait for it.
    """
    chunk = plotly_chunk()
    if chunk:  # another Streamlit build may name or split it differently: then nothing to do
        with st.sidebar:
            _preload(key="aeviz_preload_plotly", data={"src": chunk})


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
