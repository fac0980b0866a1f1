"""Jobs: the registry of tasks, what to run (`JobSpec`) and how a running task talks back (`Report`).

A task is a plain function of (params, report), registered with `@task(name)`: `aeviz.tasks` holds
the Train page's and the uploads' tasks, `aeviz.lessons` the lessons' runs; importing `aeviz.tasks`
registers them all. A task runs on a Dask worker (`aeviz.service`), or in this process for the CLI
and the tests (`run_here`). It reports throttled loss points, epoch records and small previews, and
polls `report.stop()` between steps, which says yes once the job is cancelled or over its
wall-clock budget. Its return value is small and picklable (checkpoint bytes, arrays, numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TASKS: dict[str, Callable[[dict[str, Any], Report], Any]] = {}


def task(name: str):
    def wrap(fn):
        if name in TASKS:
            raise ValueError(f"task {name!r} is already registered")
        TASKS[name] = fn
        return fn

    return wrap


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
    """Run a task in this process: (result, the messages it sent). For the CLI and the tests."""
    messages: list[dict] = []
    report = Report(messages.append, deadline=time.monotonic() + max_seconds, every=0.0, preview_every=0.0)
    return TASKS[spec.task](spec.kwargs(), report), messages
