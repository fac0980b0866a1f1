"""The server's start-up work, in the background while the first browser loads Streamlit's front end.
Torch-free itself: app.py imports it before anything heavy.

Pages wait for it (`wait`): a first visitor's script importing pandas or torch at the same moment
as this thread once got "partially initialized module 'pandas'" (2 of 6 cold starts)."""

from __future__ import annotations

import threading

_done = threading.Event()
_started = threading.Event()


def start() -> None:
    """Import torch and aeviz, load the pretrained models and test sets, start the training service."""
    if _started.is_set():
        return
    _started.set()

    def load() -> None:
        try:
            from aeviz.ui import state

            state.service()  # the training service and its Dask workers start with the server
            state.warm()
            # Streamlit imports pandas the first time a component is given a list or a dict (it looks
            # for data frames in it): 0.2-0.4 s that the first visit to Latent space paid
            import pandas  # noqa: F401
        finally:
            _done.set()

    threading.Thread(target=load, name="aeviz-warm-up", daemon=True).start()


def wait(timeout: float = 120) -> None:
    """Block until the start-up work is done (at once when there was none, as under AppTest)."""
    if _started.is_set():
        _done.wait(timeout)


def stop() -> None:
    """The server is stopping: stop the training service, so no worker outlives the server."""
    if _started.is_set():
        from aeviz.ui import state

        state.service().close()
