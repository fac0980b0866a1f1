"""aeviz: `streamlit run app.py`. Page config and navigation live in aeviz/ui/app.py, the pages in aeviz/ui/pages.

Each session runs this file as its script (`__main__`). `streamlit run` also imports it once as a
module, and then serves it as an `st.App` whose start-up hook imports torch and loads the pretrained
models in the background while the first browser is still loading Streamlit's front end: the first
page finds them ready instead of waiting ~3 s for them.
"""

import threading
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def warm_up(_app):
    def load() -> None:
        from aeviz.ui.common import warm  # imports torch: in this thread, not before the server listens

        warm()

    threading.Thread(target=load, name="aeviz-warm-up", daemon=True).start()
    yield


if __name__ == "__main__":
    from aeviz.ui.app import main

    main()
else:
    app = st.App(__file__, lifespan=warm_up)
