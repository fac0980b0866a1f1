"""A job as the training service keeps it (`Job`), why it may refuse or fail one, and its place in
the queue with an ETA. Torch-free and Dask-free: the pages import this."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aeviz.tasks.registry import JobSpec

STEP_KEEP = 2000  # loss points kept per job (a long job keeps every other one, and so on)
RESTARTED = "the training service restarted: try again"
TYPICAL = 30.0  # seconds a task of a kind never timed here is expected to take
EARLY = 0.02  # below this share done, a job's own pace says too little: its kind's typical duration counts


class Refused(Exception):
    """A job the server will not take; the message is for the student."""


class ClusterLost(RuntimeError):
    """The Dask cluster the service used is gone."""


@dataclass
class Job:
    id: str
    owner: str  # the browser session (its jobs are cancelled when it has gone)
    spec: JobSpec
    person: str = ""  # who, across tabs (the identity cookie): the caps are theirs; the owner when unknown
    keep: bool = True  # a cancelled job keeps what its task learnt so far (Stop), or ends "cancelled"
    lasting: bool = False  # its result is kept in the store: it runs on when its session has gone
    submitted: float = field(default_factory=time.monotonic)
    state: str = "queued"  # queued -> running -> done | failed | cancelled
    dispatched: float | None = None  # handed to Dask (a shared cluster may still hold it for a free thread)
    started: float | None = None  # began on a worker
    finished: float | None = None
    steps: list[dict] = field(default_factory=list)
    epochs: list[dict] = field(default_factory=list)
    preview: dict | None = None
    notes: list[str] = field(default_factory=list)
    result: Any = None
    error: str | None = None
    position: int | None = None  # 0 = next to start
    eta: float | None = None  # seconds until it is done, as far as the service can tell

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running", "cancelling")

    @property
    def progress(self) -> float:
        if self.state == "done":
            return 1.0
        last = self.steps[-1] if self.steps else None
        return last["step"] / last["total_steps"] if last and last.get("total_steps") else 0.0

    def take(self, msg: dict) -> None:
        """A message from the running task."""
        kind = msg.pop("type", None)
        if kind == "step":
            self.steps.append(msg)
            if len(self.steps) > STEP_KEEP:
                self.steps = self.steps[::2]
        elif kind == "epoch":
            self.preview = msg.pop("preview", self.preview)
            self.epochs.append(msg)
            if len(self.epochs) > STEP_KEEP:
                self.epochs = self.epochs[::2]
        elif kind == "begin":
            self.started = time.monotonic()
        elif kind == "start":
            self.preview = msg.get("preview")
        elif kind == "note":
            self.notes.append(msg["text"])


def place(running: Iterable[Job], queue: Iterable[Job], cap: int, typical: Callable[[str], float]) -> None:
    """Each running job's ETA from its pace, and each queued job's position and ETA: the queue drains
    into `cap` worker threads as the running jobs end, each job taking its kind's typical time."""
    now = time.monotonic()
    ends = []
    for job in running:
        p, elapsed = job.progress, now - (job.started or now)
        job.eta = elapsed * (1 - p) / p if p > EARLY else max(typical(job.spec.task) - elapsed, 1.0)
        ends.append(job.eta)
    ends = sorted(ends) + [0.0] * (cap - len(ends))
    for i, job in enumerate(queue):
        job.position = i
        start = ends[i % cap] if i < len(ends) else ends[-1]
        job.eta = start + typical(job.spec.task) * (1 + i // cap)


def explain(e: BaseException) -> str:
    """A failed job's error, in words for a student."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    from aeviz.training import Diverged

    if isinstance(e, CancelledError):  # not cancelled by its owner (that ends "cancelled"): the client lost the scheduler
        return RESTARTED
    if isinstance(e, KilledWorker):
        return "the worker running your job stopped (out of memory, or restarted): try again"
    if isinstance(e, Diverged):
        return str(e)
    name = type(e).__name__
    if isinstance(e, ValueError):
        return str(e)
    return f"{name}: {e}"
