"""The registry of tasks, what to run (`JobSpec`), how a running task talks back (`Report`), and
the codec its messages travel in.

A task is a plain function of (params, report), defined with `@task(name)` in `aeviz.tasks.train`
(the Train page's and the uploads') or `aeviz.tasks.lessons` (the lessons' runs), and named in
`TASKS` with its module: a page or the service can name a task without importing torch, and the
module is imported where the task runs. A task runs on a Dask worker (`aeviz.service`), or in this
process for the CLI and the tests (`run_here`). It reports throttled loss points, epoch records and small previews, and
polls `report.stop()` between steps, which says yes once the job is cancelled or over its
wall-clock budget. Its return value is small and picklable (checkpoint bytes, arrays, numbers).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TRAIN, _LESSONS = "aeviz.tasks.train", "aeviz.tasks.lessons"
TASKS: dict[str, str] = {  # every task's name, and the module that defines it
    "train": _TRAIN, "ingest": _TRAIN,
    "tutorial_q1": _LESSONS, "tutorial_q2": _LESSONS, "fc_ae": _LESSONS, "q3": _LESSONS, "capacity": _LESSONS,
    "stacked": _LESSONS, "features": _LESSONS, "tied": _LESSONS, "segmentation": _LESSONS,
}  # fmt: skip
_DEFINED: dict[str, Callable[[dict[str, Any], Report], Any]] = {}


def task(name: str):
    def wrap(fn):
        if TASKS.get(name) != fn.__module__ or name in _DEFINED:
            raise ValueError(f"task {name!r} must be named once in TASKS, with its module {fn.__module__}")
        _DEFINED[name] = fn
        return fn

    return wrap


def resolve(name: str) -> Callable[[dict[str, Any], Report], Any]:
    """The function of a task, its module imported on first use (on a worker, or here for `run_here`)."""
    if name not in _DEFINED:
        importlib.import_module(TASKS[name])
    return _DEFINED[name]


@dataclass(frozen=True)
class JobSpec:
    """What to run: a task's name and its parameters (hashable: configs, numbers, strings, tuples)."""

    task: str
    params: tuple[tuple[str, Any], ...] = ()
    title: str = ""
    shared: bool = False  # the result depends on the spec alone: one run serves every student asking

    @classmethod
    def of(cls, task: str, title: str = "", shared: bool = False, **params: Any) -> JobSpec:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose from {sorted(TASKS)}")
        return cls(task, tuple(sorted(params.items())), title, shared)

    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass
class Report:
    """How a running task talks back. `send` is the transport (a Dask queue, or a list in tests)."""

    send: Callable[[dict[str, Any]], None]
    cancelled: Callable[[], bool] = lambda: False
    deadline: float = float("inf")  # time.monotonic() after which the task must stop
    every: float = 0.25  # seconds between loss points: ~4 a second is all a page can draw
    preview_every: float = 1.0  # and between previews (a toy set's 10,000 epochs must not flood the page)
    _last: dict[str, float] = field(default_factory=dict)
    _checked: float = 0.0
    _stop: bool = False
    timed_out: bool = False

    def _due(self, kind: str, interval: float, force: bool) -> bool:
        now = time.monotonic()
        if force or now - self._last.get(kind, -1e9) >= interval:
            self._last[kind] = now
            return True
        return False

    def step(self, record: dict[str, Any], force: bool = False) -> None:
        if self._due("step", self.every, force or record.get("step") == record.get("total_steps")):
            self.send({"type": "step", **record})

    def epoch(self, record: dict[str, Any], preview: Callable[[], dict] | None = None) -> None:
        msg = {"type": "epoch", **record}
        last = record.get("last", False)
        if preview is not None and self._due("preview", self.preview_every, last):
            msg["preview"] = preview()
        if "preview" in msg or self._due("epoch", self.every, last):  # a toy set's epochs take microseconds
            self.send(msg)

    def note(self, text: str) -> None:
        self.send({"type": "note", "text": text})

    def stop(self) -> bool:
        """True once the job is cancelled or out of time; the cancel flag is asked at most 5 times a second."""
        if self._stop:
            return True
        now = time.monotonic()
        if now > self.deadline:
            self.timed_out = self._stop = True
        elif now - self._checked > 0.2:
            self._checked = now
            self._stop = bool(self.cancelled())
        return self._stop


def run_here(spec: JobSpec, max_seconds: float = float("inf")) -> tuple[Any, list[dict]]:
    """Run a task in this process: (result, the messages it sent). For the CLI, the benchmarks and the tests."""
    messages: list[dict] = []
    report = Report(messages.append, deadline=time.monotonic() + max_seconds, every=0.0, preview_every=0.0)
    return resolve(spec.task)(spec.kwargs(), report), messages


# --- the progress channel: events out on one topic, cancel in through an Event -------------------

TOPIC = "aeviz-progress"  # one topic for every job (the scheduler keeps a topic forever): messages carry the job id


def run_on_worker(spec: JobSpec, job_id: str, max_seconds: float) -> Any:
    """Runs on a Dask worker: the task, with progress out as events and cancel in through an Event."""
    from distributed import Event, get_worker

    worker, cancelled = get_worker(), Event(job_id)
    report = Report(
        lambda msg: worker.log_event(TOPIC, {"job": job_id, **pack(msg)}), cancelled.is_set,
        deadline=time.monotonic() + max_seconds,
    )  # fmt: skip
    report.send({"type": "begin"})  # the wall clock and the ETA count from here, not from the hand-over
    return resolve(spec.task)(spec.kwargs(), report)


# --- the codec: Dask events are msgpack, which carries no arrays ------------------------------------


def pack(obj: Any) -> Any:
    """A message as msgpack can carry it (events are msgpack): arrays as bytes with dtype and shape."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): pack(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [pack(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return {"__nd__": [obj.dtype.str, list(obj.shape)], "data": np.ascontiguousarray(obj).tobytes()}
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def unpack(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, dict):
        if "__nd__" in obj:
            dtype, shape = obj["__nd__"]
            return np.frombuffer(obj["data"], dtype=dtype).reshape(shape)
        return {k: unpack(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unpack(v) for v in obj]
    return obj
