"""The training service's Dask cluster, as its dispatcher thread sees it: a small one of its own (a
`dask scheduler` and one-thread `dask worker`s, children of the server that die with it), or the
one at `AEVIZ_SCHEDULER`, which several app replicas share. Dispatcher thread only."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aeviz import processes
from aeviz.service.job import ClusterLost
from aeviz.tasks.registry import TOPIC

log = logging.getLogger("aeviz.service")
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler
WORKERS_TIMEOUT = 180.0  # seconds for the own cluster's workers to import torch and warm up
RECONNECT_GRACE = 10.0  # seconds a client may spend reconnecting to its scheduler before the cluster counts as lost


class Cluster:
    def __init__(self, scheduler: str | None, n_workers: int) -> None:
        self.scheduler, self.n_workers = scheduler, n_workers
        self.client = None
        self.capacity = n_workers  # worker threads in the cluster, refreshed every second
        self.elsewhere = 0  # tasks other servers (replicas) have running on the same cluster
        self._procs: list = []  # the scheduler and workers started here (none with AEVIZ_SCHEDULER)
        self._folders: list[Path] = []  # the own cluster's log folders: removed when the service closes
        self._connecting_since: float | None = None  # when the client lost its scheduler
        self._refresh_failed = False  # the last refresh failed (logged once, not every second)

    def connect(self, on_event: Callable, mine: set[str]) -> None:
        """Reach the cluster (starting our own first, from this thread, which lives as long as it should),
        and subscribe `on_event` to the jobs' progress."""
        from distributed import Client

        if not self.scheduler:
            logs = Path(tempfile.mkdtemp(prefix="aeviz-dask-"))
            self._folders.append(logs)
            cluster = processes.DaskCluster(logs)
            self._procs.append(cluster.start_scheduler())
            self.scheduler = cluster.address
            self._procs += [cluster.start_worker(i) for i in range(self.n_workers)]
        self.client = Client(self.scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
        if self._procs:
            self.client.wait_for_workers(self.n_workers, timeout=WORKERS_TIMEOUT)
        self.client.subscribe_topic(TOPIC, on_event)
        self.refresh(mine)

    def refresh(self, mine: set[str]) -> None:
        """The cluster's threads, and the tasks other replicas (not `mine`) have on it."""
        if self.client.status != "running":  # reconnecting: a call now would wait for the client's whole timeout
            return
        try:
            self.capacity = max(1, sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values()))
            processing = self.client.processing()  # worker -> task keys, every client's
        except Exception:  # the next second asks again; a lost cluster is `check`'s to find
            if not self._refresh_failed:
                log.warning("aeviz: could not read the cluster's size and load", exc_info=True)
            self._refresh_failed = True
            return
        self._refresh_failed = False
        self.elsewhere = sum(1 for keys in processing.values() for key in keys if key not in mine)

    def check(self) -> None:
        """Raise ClusterLost when a process of our own died, or the client has lost its scheduler for good."""
        dead = [p for p in self._procs if p.poll() is not None]
        if dead:  # first: a client whose scheduler died keeps "connecting" for its whole timeout
            raise ClusterLost(f"{len(dead)} of the training service's processes stopped")
        status = getattr(self.client, "status", "gone")
        if status == "connecting":  # the client tries to reach a scheduler that went away: give it a few seconds
            self._connecting_since = self._connecting_since or time.monotonic()
            if time.monotonic() - self._connecting_since > RECONNECT_GRACE:
                raise ClusterLost(f"the Dask scheduler has not answered for {RECONNECT_GRACE:.0f} s")
            return
        self._connecting_since = None
        if status not in ("running", "newly-created"):
            raise ClusterLost(f"the Dask client is {status}")

    def stop(self) -> None:
        """Close the client and stop our own processes; the next `connect` starts a new cluster of our
        own, on a new port."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=5)
        self.client = None
        processes.stop(self._procs, timeout=10)
        if self._procs:
            self._procs = []
            self.scheduler = None

    def remove_logs(self) -> None:  # a closed service leaves nothing behind (a crash keeps its logs)
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
