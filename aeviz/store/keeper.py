"""Writes to the store off the pages' threads: a page (or the training service) hands over what to
keep and goes on; one thread per process writes it, in order. What could not be written is kept in
the session's memory and the reason is there for the page to show.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from aeviz.store import Store, StoreUnavailable

log = logging.getLogger(__name__)
STATUS_KEEP = 2000  # the latest names' outcomes, for "saved" badges
SWEEP_EVERY = 3600.0  # seconds between sweeps of expired work (AEVIZ_DROPIN_HOURS) and ended classes (AEVIZ_RETENTION_DAYS)


def loss_history(steps: list[dict]) -> list[float]:
    """A job's training loss, as a model keeps it (its loss curve in the store and in a project file)."""
    return [round(s["loss"], 6) for s in steps if "loss" in s]


def model_name(job_id: str) -> str:
    """The name a training job's model is kept under: the job's random id, so the service and the
    student's page (which may be another tab, replica or day) agree on it without asking each other."""
    return "yours-" + job_id.rsplit("-", 1)[-1]


class Keeper:
    def __init__(self, store: Callable[[], Store | None], why: Callable[[], str | None] = lambda: None,
                 sweep_every: float = SWEEP_EVERY, retention_days: float = 14.0) -> None:  # fmt: skip
        self._store, self._why = store, why  # `why`: the reason `store` gives None (unreachable), else it is off
        self.sweep_every, self.retention_days = sweep_every, retention_days
        self.swept: dict[str, int] | None = None  # what the last sweep deleted
        self._queue: queue.Queue[tuple[str | None, Callable[[Store], Any]] | None] = queue.Queue()
        self._status: dict[str, str] = {}  # name -> "saving", "saved", or why it was not
        self._idle = threading.Condition()
        self._pending = 0
        self.failed: tuple[float, str] | None = None  # (when, why) the last write failed; cleared by the next that works
        self._thread = threading.Thread(target=self._run, name="aeviz-keeper", daemon=True)
        self._thread.start()

    # --- what pages and the service hand over ---------------------------------------------------------

    def submit(self, name: str | None, write: Callable[[Store], Any]) -> None:
        if name is not None:
            self._set(name, "saving")
        with self._idle:
            self._pending += 1
        self._queue.put((name, write))

    def save_model(self, person: str, name: str, **record: Any) -> None:
        self.submit(name, lambda s: s.save_model(person, name, **record))

    def save_dataset(self, person: str, name: str, *, title: str, blob: Callable[[], bytes]) -> None:
        """`blob` makes the bytes, in this thread (compressing a large image set takes seconds)."""
        self.submit(name, lambda s: s.save_dataset(person, name, title=title, blob=blob()))

    def delete_model(self, person: str, name: str) -> None:
        self._status.pop(name, None)
        self.submit(None, lambda s: s.delete_model(person, name))

    def delete_dataset(self, person: str, name: str) -> None:
        self._status.pop(name, None)
        self.submit(None, lambda s: s.delete_dataset(person, name))

    def job_changed(self, job: Any) -> None:
        """The training service's hook: a training job's state, and the model a finished one made,
        written for its person even when the session that started it has gone."""
        if job.spec.task != "train" or job.spec.shared or not job.lasting:
            return
        fields = dict(task=job.spec.task, title=job.spec.title, state=job.state, error=job.error)
        person, job_id, result = job.person, job.id, job.result
        if job.state == "done" and isinstance(result, dict) and "checkpoint" in result:
            name, kw = model_name(job_id), job.spec.kwargs()
            record = dict(title=job.spec.title, dataset=kw["dataset"], config=kw["model"].to_dict(),
                          metrics={**result["metrics"], "epochs": kw["train"].epochs}, blob=result["checkpoint"],
                          history=loss_history(job.steps))  # fmt: skip
            self.save_model(person, name, **record)
            fields["model"] = name
            if assignment := kw.get("assignment"):  # trained for a class: on its board, unless its student unshares it
                from aeviz.store import classes

                class_id, value = assignment
                self.submit(None, lambda s: classes.add_model(s, class_id, person, name, value))
        self.submit(None, lambda s: s.record_job(person, job_id, **fields))

    # --- what pages read -------------------------------------------------------------------------------

    def status(self, name: str) -> str | None:
        return self._status.get(name)

    def mark_saved(self, name: str) -> None:
        """Read back from the store: kept already."""
        self._set(name, "saved")

    def wait(self, timeout: float = 10) -> bool:
        """Until everything handed over is written (tests, and a server stopping)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        self._queue.put(None)

    def _set(self, name: str, status: str) -> None:
        self._status[name] = status
        while len(self._status) > STATUS_KEEP:
            self._status.pop(next(iter(self._status)))

    def _sweep(self) -> None:
        """Expired drop-in work and ended classes, deleted by this thread once an hour: no cron needed
        (`python -m aeviz db sweep` does the same by hand)."""
        from aeviz.store import classes

        try:
            if (store := self._store()) is not None:
                self.swept = store.sweep() | {"classes": classes.sweep_ended(store, self.retention_days)}
        except StoreUnavailable as e:
            log.warning("sweep: %s", e)

    def _run(self) -> None:
        due = time.monotonic() + min(60.0, self.sweep_every)  # the first a minute after start
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                self._sweep()
                due = time.monotonic() + self.sweep_every
                continue
            if item is None:
                return
            name, write = item
            try:
                store = self._store()
                if store is None:
                    raise StoreUnavailable(self._why() or "persistence is off on this server")
                write(store)
                outcome, self.failed = "saved", None
            except StoreUnavailable as e:
                outcome, self.failed = str(e), (time.monotonic(), str(e))
                log.warning("not kept: %s", e)
            except Exception as e:  # a bug must not stop the writer: later work is still kept
                outcome = f"not kept ({type(e).__name__})"
                log.exception("keeper")
            if name is not None:
                self._set(name, outcome)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()
