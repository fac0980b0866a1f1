"""The training service: one per server process, the only way the app trains or runs anything long.

Jobs run on Dask distributed workers: by default a small cluster of the server's own, a `dask
scheduler` and `AEVIZ_WORKERS` (default cores - 1) `dask worker` processes of one thread each,
children of the server that die with it; or the cluster at `AEVIZ_SCHEDULER` (`tcp://host:8786`),
which several app replicas can share. Not a `LocalCluster`: that runs the scheduler and the
workers' nannies in the server process, where their heartbeats took the GIL from the pages. The service keeps its own first-in,
first-out queue in front of Dask and hands a job to Dask only when a worker thread is free, so
a page can show a student's place in the queue and an ETA, and the queue has a bound.

Admission is decided here, on the server, whatever the page's buttons say: one active job per
owner (a browser session), a bounded queue, the job limits of `aeviz.limits`. A job whose owner
has gone (`is_alive` says no) is cancelled.

Progress comes back as Dask events (`Worker.log_event` on one topic, `Client.subscribe_topic`
here: far cheaper in the task than a `distributed.Queue`), cancellation
goes out through a `distributed.Event` the job polls; the job also stops itself at its wall-clock
cap. One dispatcher thread does all the talking to Dask, so a page's script thread only reads a
`Job`'s fields and never waits on the cluster.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import logging
import os
import queue as queue_mod
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from aeviz.limits import LIMITS, Limits
from aeviz.service.cluster import Cluster
from aeviz.service.job import RESTARTED, TYPICAL, ClusterLost, Job, Refused, explain, place
from aeviz.tasks.registry import JobSpec, run_on_worker, unpack

log = logging.getLogger("aeviz.service")
RESULTS_KEEP = 64  # shared results (a lesson's run, the same for every student) kept for reuse
WAKE: dict = {}  # an inbox message that only wakes the dispatcher
MAX_BACKOFF = 30.0  # seconds at most between two attempts to reach a lost cluster
STOP_TIMEOUT = 30.0  # seconds `close` waits for the dispatcher to stop the cluster
PASS = 1.0  # seconds at most between two dispatcher passes, and between two sweeps
OVERDUE = 60.0  # seconds past its cap after which a running job's worker is taken as hung
FORGET_AFTER = 600.0  # seconds a finished job stays for its owner to look at


async def _exit_worker() -> None:  # client.run wants a coroutine to run it on the worker's loop
    os._exit(1)


def default_workers() -> int:
    return int(os.environ.get("AEVIZ_WORKERS") or max(1, (os.cpu_count() or 2) - 1))


class TrainingService:
    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        limits: Limits = LIMITS,
        is_alive: Callable[[str], bool] | None = None,
        on_change: Callable[[Job], None] | None = None,
    ) -> None:
        scheduler = scheduler if scheduler is not None else os.environ.get("AEVIZ_SCHEDULER") or None
        self.cluster = Cluster(scheduler, workers or default_workers())  # the dispatcher thread's alone
        self.limits = limits
        self.is_alive = is_alive
        self.on_change = on_change  # told when a job is submitted and when it ends (aeviz.store.keeper): must not block
        self._lock = threading.RLock()
        self._queue: collections.deque[Job] = collections.deque()
        self._running: dict[str, tuple[Job, Any]] = {}  # id -> (job, future)
        self._inbox: queue_mod.Queue[dict] = queue_mod.Queue()  # progress events, from the client's IO thread
        self._jobs: dict[str, Job] = {}  # every job an owner may still look at
        self._shared: collections.OrderedDict[JobSpec, Job] = collections.OrderedDict()
        self._durations: dict[str, collections.deque[float]] = collections.defaultdict(lambda: collections.deque(maxlen=20))
        self._cancels: list[str] = []  # running jobs whose Event the dispatcher is to set
        self._stop = threading.Event()
        self._ready = threading.Event()
        self.error: str | None = None  # why the cluster could not be reached, for the pages to say
        self.connected = False  # the cluster is up and the dispatcher serves it
        self._thread = threading.Thread(target=self._loop, name="aeviz-service", daemon=True)

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> TrainingService:
        self._thread.start()
        return self

    def wait_ready(self, timeout: float = 60) -> bool:
        return self._ready.wait(timeout)

    def capacity(self) -> int:
        """Worker threads the cluster has (an external cluster may grow or shrink), as of the last second:
        pages ask it, and must not wait for a round trip to the scheduler."""
        return self.cluster.capacity

    def close(self) -> None:
        self._stop.set()
        self._inbox.put(WAKE)
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)
        self.cluster.remove_logs()

    # --- what pages call ------------------------------------------------------------------------------

    def submit(self, spec: JobSpec, owner: str, person: str | None = None, lasting: bool = False) -> Job:
        """Queue `spec` for `owner` (a browser session), or raise Refused with the reason. The caps are
        `person`'s (one identity over all their tabs), else the session's. A shared spec (a lesson's
        run) is run once: whoever asks for it while it runs, or after, gets that job. A `lasting` job
        (its result goes to the store) runs on when its session has gone."""
        person = person or owner
        if self.error:
            raise Refused(f"the training service is not available: {self.error}")
        with self._lock:
            if spec.shared and spec in self._shared:
                job = self._shared[spec]
                if job.state not in ("failed", "cancelled"):
                    self._shared.move_to_end(spec)
                    return job
            mine = [j for j in self._jobs.values() if j.person == person and j.active and j.spec.shared == spec.shared]
            if mine and not spec.shared:
                raise Refused("you already have a job queued or running (in this tab or another): wait for it, or stop it")
            if len(mine) >= self.limits.max_lesson_runs:
                raise Refused(f"{len(mine)} of your runs are still waiting or running: wait for one to finish")
            if len(self._queue) >= self.limits.max_queue:
                raise Refused(f"the queue is full ({self.limits.max_queue} jobs waiting): try again in a minute")
            job = Job(id=f"aeviz-{spec.task}-{uuid.uuid4().hex}", owner=owner, spec=spec, person=person, lasting=lasting)
            self._queue.append(job)
            self._jobs[job.id] = job
            if spec.shared:
                self._shared[spec] = job
                while len(self._shared) > RESULTS_KEEP:
                    _, old = self._shared.popitem(last=False)
                    if not old.active:
                        self._jobs.pop(old.id, None)
            self._place()
            self._inbox.put(WAKE)
        self._changed(job)
        return job

    def _changed(self, job: Job) -> None:
        if self.on_change is not None and not job.spec.shared:
            try:
                self.on_change(job)
            except Exception:  # the hook's failure is not the job's
                log.exception("on_change")

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def view(self, job_id: str) -> Job | None:
        """A copy of a job as it is now, for a page: the dispatcher goes on writing the job, never the
        copy, so a page that checks a field and then reads it (`eta is not None`) sees one moment."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            return dataclasses.replace(job, steps=list(job.steps), epochs=list(job.epochs), notes=list(job.notes))

    def active_for(self, person: str, task: str) -> Job | None:
        """A person's job of `task` still queued or running (started in a tab since reloaded, say)."""
        with self._lock:
            return next((j for j in self._jobs.values() if j.person == person and j.active and j.spec.task == task), None)

    def cancel(self, job_id: str, keep: bool = True) -> None:
        """Stop a job. `keep`: a running task returns what it has learnt so far and the job ends "done"
        (the Train page's Stop); else it ends "cancelled", its result dropped (nobody is left to use it)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.active:
                return
            if job.state == "queued":
                self._queue.remove(job)
                self._end(job, "cancelled")
                self._place()
            else:
                job.state = "cancelling"  # the dispatcher sets the job's Event
                job.keep = keep
                self._cancels.append(job.id)
                self._inbox.put(WAKE)

    def cancel_owner(self, owner: str) -> None:
        """A session has gone: its jobs stop, except those whose result the store keeps for its person."""
        with self._lock:  # pages add and forget jobs meanwhile
            jobs = [j for j in self._jobs.values() if j.owner == owner and j.active and not j.spec.shared and not j.lasting]
        for job in jobs:
            self.cancel(job.id, keep=False)

    def cancel_all(self) -> None:
        """Stop every job, shared ones too (a server going down, a test cleaning up)."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.active]
        for job in jobs:
            self.cancel(job.id, keep=False)

    def forget(self, job_id: str) -> None:
        """The owner has read the job's result: keep no more of it (shared results stay for reuse)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.active and not job.spec.shared:
                del self._jobs[job_id]

    # --- the dispatcher thread ------------------------------------------------------------------------

    def _loop(self) -> None:
        """Connect, then serve; when the cluster is lost (the scheduler or a worker of our own died,
        the client closed), end the jobs it had with a message, say the service is down, and connect
        again with backoff, restarting our own scheduler and workers. It never stops until `close`."""
        backoff = 1.0
        try:
            while not self._stop.is_set():
                try:
                    # runs on the client's IO thread: must not block, so it only hands the message over
                    self.cluster.connect(lambda event: self._inbox.put(event[1]), mine=set(self._running))
                    self.error = None
                    self.connected = True
                    self._ready.set()
                    backoff = 1.0
                    self._serve()
                except Exception as e:
                    if self._stop.is_set():
                        break
                    log.exception("aeviz: the training service lost its cluster; connecting again in %.0f s", backoff)
                    self.connected = False
                    self.error = f"the training service is restarting ({type(e).__name__}: {str(e)[:120]})"
                    self._lost(RESTARTED)
                    self._ready.set()
                    self._stop.wait(backoff)
                    backoff = min(2 * backoff, MAX_BACKOFF)
        finally:
            self.cluster.stop()

    def _serve(self) -> None:
        """The dispatcher's passes, until `close`; raises ClusterLost (or Dask's own error) when the cluster is gone."""
        last_sweep = 0.0
        while not self._stop.is_set():
            # wake on a message (progress, a finished job, a new job, a cancel), at least once a second
            try:
                first = self._inbox.get(timeout=PASS)
            except queue_mod.Empty:
                first = None
            self.cluster.check()
            self._dispatch()
            self._drain(first)
            if time.monotonic() - last_sweep > PASS:  # owners gone, jobs over time, the cluster's size
                self._sweep()
                self.cluster.refresh(set(self._running))
                last_sweep = time.monotonic()

    def _lost(self, why: str) -> None:
        """The cluster is gone: every job it had, or was waiting for, ends with `why`; our own cluster is
        stopped (it is started again, whole, by the next `_connect`)."""
        with self._lock:
            ended = [job for job, _ in self._running.values()] + list(self._queue)
            self._running.clear()
            self._queue.clear()
            for job in ended:
                job.error = why
                self._end(job, "failed")
        self.cluster.stop()

    def _dispatch(self) -> None:
        from distributed import Event

        with self._lock:
            cancels, self._cancels = self._cancels, []
            # FIFO across replicas sharing a cluster: what they run takes threads too (a second-old count)
            free = self.cluster.capacity - self.cluster.elsewhere - len(self._running)
            starting = [self._queue.popleft() for _ in range(min(free, len(self._queue)))]
            for job in starting:
                job.state, job.dispatched = "running", time.monotonic()
        for job_id in cancels if self.cluster.client.status == "running" else ():  # else the cluster is lost: all end
            try:
                Event(job_id, client=self.cluster.client).set()
            except Exception:
                log.exception("aeviz: could not signal a cancel")
        for job in starting:
            future = self.cluster.client.submit(
                run_on_worker, job.spec, job.id, self.limits.max_seconds, key=job.id, pure=False, retries=0
            )
            future.add_done_callback(lambda _: self._inbox.put(WAKE))  # on the client's IO thread: only a wake-up
            with self._lock:
                self._running[job.id] = (job, future)
        if starting:
            with self._lock:
                self._place()

    def _drain(self, msg: dict | None) -> None:
        while True:
            if msg is not None and msg is not WAKE:
                job, msg = self._jobs.get(msg.pop("job", "")), unpack(msg)
                if job is not None:
                    with self._lock:  # never while a page copies it (view)
                        job.take(msg)
            try:
                msg = self._inbox.get_nowait()
            except queue_mod.Empty:
                break
        with self._lock:
            done = [(job, future) for job, future in self._running.values() if future.done()]
        for job, future in done:
            self._finish(job, future)

    def _finish(self, job: Job, future: Any) -> None:
        from distributed import Event

        try:
            result = future.result()
        except Exception as e:
            if job.state == "cancelling":
                state, result = "cancelled", None
            else:
                state, result = "failed", None
                job.error = job.error or explain(e)
        else:
            # a task stopped on cancel returns what it has (a model trained so far): kept when asked
            state = "cancelled" if job.state == "cancelling" and not job.keep else "done"
            if state == "cancelled":
                result = None
            elif isinstance(result, dict) and "preview" in result:  # the last preview: with the result, not an event
                job.preview = result.pop("preview")
        with self._lock:
            job.result = result
            self._running.pop(job.id, None)
            self._end(job, state)
            self._place()
        if self.cluster.client.status == "running":  # a client reconnecting would block this call for its whole timeout
            with contextlib.suppress(Exception):  # a set Event stays on the scheduler until cleared
                Event(job.id, client=self.cluster.client).clear()
        future.release()

    def _end(self, job: Job, state: str) -> None:
        job.state, job.finished, job.position, job.eta = state, time.monotonic(), None, None
        if state == "done" and job.started is not None:
            self._durations[job.spec.task].append(job.finished - job.started)
        self._changed(job)

    def _sweep(self) -> None:
        now = time.monotonic()
        if self.is_alive is not None:
            with self._lock:  # a dict a page changes while this thread reads it raised here, and looked like a lost cluster
                owners = {j.owner for j in self._jobs.values() if j.active and not j.spec.shared and not j.lasting}
            for owner in owners:
                if not self.is_alive(owner):
                    self.cancel_owner(owner)
        with self._lock:
            # a job past its cap and a grace period has a hung or lost worker: give up on it
            for job, future in list(self._running.values()):
                if job.started is not None and now - job.started > self.limits.max_seconds + OVERDUE and not job.error:
                    # cancelling a future does not stop its code: end the worker process (the nanny restarts it)
                    job.error = "the job did not stop at its time limit: try again"
                    workers = [w for w, keys in self.cluster.client.processing().items() if future.key in keys]
                    future.cancel()
                    if workers:
                        self.cluster.client.run(_exit_worker, workers=workers, wait=False)
            # finished jobs nobody looked at for a while
            for job in [j for j in self._jobs.values() if not j.active and j.finished and now - j.finished > FORGET_AFTER]:
                if not job.spec.shared:
                    del self._jobs[job.id]

    def _place(self) -> None:
        """Queue positions and ETAs (call with the lock held)."""
        place([job for job, _ in self._running.values()], self._queue, max(1, self.capacity()), self._typical)

    def _typical(self, task: str) -> float:
        d = self._durations.get(task)
        return sum(d) / len(d) if d else TYPICAL


__all__ = ["RESTARTED", "ClusterLost", "Job", "Refused", "TrainingService", "default_workers"]
