"""The server's start-up work, in the background while the first browser loads Streamlit's front end.
Torch-free itself: app.py imports it before anything heavy.

Pages wait for its imports (`wait`): two threads importing the same heavy modules at once (torch,
pandas) once gave "partially initialized module 'pandas'" (2 of 6 cold starts); app.py imports
pandas before the server starts. Pages do not wait for the models: each loads what it shows
(`st.cache_resource`, one load per key)."""

from __future__ import annotations

import gc
import threading
import time

AFTER_FIRST_PAGE = 5.0  # seconds between the models being ready and the workers starting
_imported = threading.Event()
_started = threading.Event()


def start() -> None:
    """Import torch, aeviz and pandas; load the pretrained models and test sets; start the training service."""
    if _started.is_set():
        return
    _started.set()

    def load() -> None:
        try:
            from aeviz.ui import app, state  # noqa: F401 - torch, the models, the pages' modules
        finally:
            _imported.set()
        state.warm()  # what the first page shows: models and test sets, the default dataset first
        # then, while the first students look around: the training service's workers (each imports
        # torch: started with the first page, they competed with it for the cores and made a cold
        # start ~2 s slower), and the slower caches
        time.sleep(AFTER_FIRST_PAGE)
        state.service().wait_ready(180)
        state.warm_more()
        # what start-up made (the service's client, the caches) is there for good: the collector
        # need not walk it again on every collection while the pages are clicked
        gc.collect()
        gc.freeze()

    threading.Thread(target=load, name="aeviz-warm-up", daemon=True).start()


def wait(timeout: float = 120) -> None:
    """Block until the start-up imports are done (at once when there was no start-up, as under AppTest)."""
    if _started.is_set():
        _imported.wait(timeout)


def stop() -> None:
    """The server is stopping: stop the training service, so no worker outlives the server."""
    if _started.is_set():
        from aeviz.ui import state

        state.service().close()


async def healthz(request):
    """GET /healthz: the web server and its training service. 200 while both work (or the service is
    still starting), 503 with the reason while the service is down (it restarts by itself), so that a
    balancer or Kubernetes can tell a replica whose training is down: /_stcore/health only says the web
    server answers."""
    import sys

    from starlette.responses import JSONResponse

    # the warm-up thread may be importing it right now (in sys.modules, not yet whole): still starting
    status = getattr(sys.modules.get("aeviz.ui.state"), "service_status", lambda: "starting")()
    down = status not in ("ok", "starting")
    return JSONResponse({"web": "ok", "training": status}, status_code=503 if down else 200)
