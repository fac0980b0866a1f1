"""The training service's rules, on a real Dask scheduler and worker of its own: a bounded queue with
places and ETAs, the wall-clock cap, cancel, jobs of a session that has gone, a student's lesson runs."""

from __future__ import annotations

import dataclasses
import time

import pytest

from aeviz import presets
from aeviz.limits import LIMITS
from aeviz.service import Refused, TrainingService
from aeviz.tasks import JobSpec

pytestmark = pytest.mark.slow
GONE = {"gone"}  # owners whose session has ended


@pytest.fixture(scope="module")
def svc():
    limits = dataclasses.replace(LIMITS, max_queue=2, max_seconds=2.0)
    service = TrainingService(workers=1, limits=limits, is_alive=lambda owner: owner not in GONE).start()
    assert service.wait_ready(120) and service.error is None, service.error
    yield service
    service.cancel_all()
    service.close()


def endless(seed: int = 0) -> JobSpec:
    """Tutorial 10 Q1's toy model for 10,000 epochs of batch 1: it runs until stopped."""
    train = presets.PATTERNS_TRAIN.replace(epochs=10_000, batch_size=1, seed=seed)
    return JobSpec.of("train", title="endless", model=presets.PATTERNS_MODEL, train=train, dataset="patterns")


def wait(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_queue_has_places_etas_and_a_bound(svc):
    running = svc.submit(endless(), "a")
    wait(lambda: running.started is not None)  # began on the worker (not only handed to Dask)
    assert running.dispatched <= running.started
    first, second = svc.submit(endless(1), "b"), svc.submit(endless(2), "c")
    assert (first.state, first.position, second.position) == ("queued", 0, 1)
    assert 0 < first.eta < second.eta, (first.eta, second.eta)
    with pytest.raises(Refused, match="queue is full"):
        svc.submit(endless(3), "d")
    svc.cancel(second.id)
    assert second.state == "cancelled" and first.position == 0
    # the cap: the running job stops itself after max_seconds and keeps what it trained
    wait(lambda: not running.active, timeout=30)
    assert running.state == "done" and running.result["timed_out"], running.error
    wait(lambda: first.started is not None)  # and the next in the queue is taken
    svc.cancel(first.id)
    wait(lambda: not first.active)
    assert first.state in ("cancelled", "done")


def test_a_gone_sessions_jobs_are_cancelled(svc, monkeypatch):
    # a cap far longer than the wait: the job can only end by being cancelled ("done" was a cap, not a cancel)
    monkeypatch.setattr(svc, "limits", dataclasses.replace(svc.limits, max_seconds=120.0))
    job = svc.submit(endless(4), "gone")
    wait(lambda: not job.active, timeout=30)  # the dispatcher's sweep asks every second
    assert job.state == "cancelled", (job.state, job.error)


def test_a_student_may_not_fill_the_queue_with_lesson_runs(svc, monkeypatch):
    monkeypatch.setattr(svc, "limits", dataclasses.replace(svc.limits, max_lesson_runs=2))  # its queue holds only 2
    blocker = svc.submit(endless(5), "e")  # keeps the worker busy: the runs below wait in the queue
    wait(lambda: blocker.started is not None)

    def q1(lr: float) -> JobSpec:
        return JobSpec.of("tutorial_q1", shared=True, beta=0.0, rho=0.1, lr=lr, epochs=10)

    mine = [svc.submit(q1(lr), "f") for lr in (0.1, 0.2)]
    with pytest.raises(Refused, match="2 of your runs are still waiting"):
        svc.submit(q1(0.3), "f")
    assert svc.submit(q1(0.1), "g") is mine[0], "the same lesson run, asked for again, is the one job"
    for job in [blocker, *mine]:
        svc.cancel(job.id)
    assert LIMITS.max_queue >= LIMITS.max_lesson_runs


@pytest.mark.parametrize("victim", ["scheduler", "worker"])
def test_a_dead_scheduler_or_worker_ends_its_jobs_with_a_message_and_the_service_comes_back(victim):
    """Killed mid-job (SIGKILL to the process group): the running job fails with "restarted", the next
    submit is refused with the reason while the cluster is down, and the service starts its own
    cluster again and runs a job to the end."""
    import os
    import signal

    from aeviz.service import RESTARTED

    service = TrainingService(workers=1).start()
    try:
        assert service.wait_ready(120) and service.error is None, service.error
        job = service.submit(endless(), "a")
        wait(lambda: job.started is not None)
        proc, client = service.cluster._procs[0 if victim == "scheduler" else 1], service.cluster.client
        os.killpg(proc.pid, signal.SIGKILL)
        wait(lambda: not job.active, timeout=30)
        assert job.state == "failed" and job.error == RESTARTED
        if service.error:  # still restarting: a new job is refused with the reason, not queued for ever
            with pytest.raises(Refused, match="restarting"):
                service.submit(endless(1), "b")
        # a new client on a new cluster, connected (not the old client, before the loss was noticed)
        wait(lambda: service.cluster.client not in (None, client) and service.error is None and service.connected, timeout=180)
        quick = presets.PATTERNS_TRAIN.replace(epochs=50)
        again = service.submit(JobSpec.of("train", model=presets.PATTERNS_MODEL, train=quick, dataset="patterns"), "b")
        wait(lambda: not again.active, timeout=180)
        assert again.state == "done", again.error
        children, folders = list(service.cluster._procs), list(service.cluster._folders)
        assert children and folders
    finally:
        service.cancel_all()
        service.close()
    assert all(p.poll() is not None for p in children), "no child outlives the service"
    assert not any(f.exists() for f in folders), "nor its log folders"
