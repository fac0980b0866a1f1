"""Dask worker preload: `dask worker --preload aeviz.worker` (the embedded cluster does the same).

A worker imports torch and aeviz once, when it starts, so that a job starts training at once
instead of paying ~3 s of imports; it runs one torch thread (one job per worker process, one
process per core) at a lower priority than the web server, whose pages are being clicked.
"""

from __future__ import annotations

import contextlib
import os

# at import, before torch: a worker starting up (torch, the warm-up run) yields the cores to the
# web server and to the browsers it serves; so does every job it runs
with contextlib.suppress(OSError):
    os.nice(10)


def dask_setup(worker) -> None:
    # imported here, not at the top: `dask worker --preload` also imports this module in the nanny
    # process, which would then hold a second copy of torch (~470 MB) for nothing
    import threading

    import torch

    import aeviz.tasks.lessons
    import aeviz.tasks.train  # noqa: F401
    from aeviz.data import splits

    torch.set_num_threads(1)
    # a tiny run through the whole training path: the first optimizer imports torch._dynamo (~2 s here)
    from aeviz.tasks import JobSpec, run_here

    run_here(JobSpec.of("tutorial_q1", beta=0.0, rho=0.1, lr=0.1, epochs=1))
    # the default dataset read in the background: the worker is ready at once, and the first job
    # rarely waits for the files (load_dataset caches them for the worker's life)
    threading.Thread(target=splits, args=("mnist",), name="aeviz-warm-data", daemon=True).start()
    # a worker started by hand (`dask worker --preload aeviz.worker`) also dies with its nanny (Linux: elsewhere
    # there is no libc.so.6, and the nanny alone looks after it)
    with contextlib.suppress(OSError, AttributeError):
        from aeviz.processes import die_with_parent

        die_with_parent()
