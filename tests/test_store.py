"""The store (aeviz.store): metadata through SQLAlchemy, blobs through fsspec, the keeper thread,
expiry, and the project file. Each runs on SQLite and a folder; `slow` runs them again on a real
PostgreSQL and a real S3-compatible server (moto), started on loopback (tests/conftest.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from aeviz.processes import free_port
from aeviz.store import Store, StoreUnavailable, open_store, person_key, project
from aeviz.store.keeper import Keeper, model_name
from aeviz.store.settings import Settings

ALICE, BOB = "person:alice-token", "person:bob-token"


def _save(store: Store, person: str, name: str, blob: bytes = b"weights" * 100) -> None:
    store.save_model(person, name, title="conv, code 32", dataset="mnist", config={"family": "conv"},
                     metrics={"mse": 0.01}, blob=blob, history=[1.0, 0.5])  # fmt: skip


def test_a_persons_models_are_theirs_alone_and_kept_by_the_hash_of_their_token(store):
    _save(store, ALICE, "yours-a1")
    _save(store, BOB, "yours-b1")
    [rec] = store.models(ALICE)
    assert (rec.name, rec.metrics, rec.history) == ("yours-a1", {"mse": 0.01}, [1.0, 0.5])
    assert store.blob(rec.blob) == b"weights" * 100
    assert [m.name for m in store.models(BOB)] == ["yours-b1"]
    assert store.usage(ALICE) == (1, 700)
    with store.engine.connect() as conn:
        ids = {r[0] for r in conn.exec_driver_sql("select id from people")}
    assert ids == {person_key(ALICE), person_key(BOB)}, "only hashes of the tokens"
    assert not any("alice" in i for i in ids)


def test_blobs_are_shared_by_content_and_deleted_with_their_last_user(store):
    _save(store, ALICE, "yours-a1", b"same")
    _save(store, BOB, "yours-b1", b"same")
    sha = store.models(ALICE)[0].blob
    assert store.models(BOB)[0].blob == sha
    store.delete_model(ALICE, "yours-a1")
    assert store.blobs.exists(sha), "Bob's model still needs it"
    store.delete_model(ALICE, "yours-b1")  # not Alice's: nothing happens
    assert store.has_model(BOB, "yours-b1")
    store.delete_model(BOB, "yours-b1")
    assert not store.blobs.exists(sha)


def test_the_sweep_deletes_work_past_the_drop_in_hours_and_nothing_else(store):
    now = time.time()
    _save(store, ALICE, "yours-a1", b"alice")
    store.save_dataset(ALICE, "own-leaves-1", title="leaves", blob=b"npz-alice")
    store.record_job(ALICE, "aeviz-train-1", task="train", title="conv", state="done", model="yours-a1")
    _save(store, BOB, "yours-b1", b"bob")
    store.touch(ALICE, now - 25 * 3600)  # last seen yesterday
    shas = [store.models(ALICE)[0].blob, store.datasets(ALICE)[0].blob]
    counts = store.sweep(now)
    assert counts == {"jobs": 1, "models": 1, "datasets": 1, "people": 1}
    assert store.models(ALICE) == [] and store.datasets(ALICE) == [] and store.jobs(ALICE) == []
    assert not any(store.blobs.exists(s) for s in shas)
    assert [m.name for m in store.models(BOB)] == ["yours-b1"], "Bob was seen today"
    assert store.sweep(now) == {"jobs": 0, "models": 0, "datasets": 0, "people": 0}


def test_jobs_keep_their_last_state_and_only_the_recent_ones(store):
    for i in range(12):
        store.record_job(ALICE, f"aeviz-train-{i}", task="train", title=f"run {i}", state="queued")
    store.record_job(ALICE, "aeviz-train-11", task="train", title="run 11", state="done", model="yours-x")
    jobs = store.jobs(ALICE)
    assert len(jobs) == 10 and jobs[0]["id"] == "aeviz-train-11" and jobs[0]["state"] == "done"
    assert "aeviz-train-0" not in {j["id"] for j in jobs}


def test_an_unreachable_database_or_unwritable_store_is_a_clear_error(tmp_path):
    down = Store(Settings(f"postgresql+psycopg://aeviz@127.0.0.1:{free_port()}/aeviz", f"file://{tmp_path}", None, 24))
    with pytest.raises(StoreUnavailable, match="the database is unavailable"):
        down.upgrade()
    (tmp_path / "a-file").write_bytes(b"")  # a store folder that is a file: nothing can be written under it
    bad = Store(Settings(f"sqlite:///{tmp_path / 'db'}", f"file://{tmp_path / 'ok'}", None, 24))
    bad.upgrade()
    bad.blobs.root = str(tmp_path / "a-file")
    with pytest.raises(StoreUnavailable, match="store"):
        _save(bad, ALICE, "yours-a1")
    assert bad.models(ALICE) == [], "no row without its blob"


def test_open_store_reads_the_environment_and_off_means_off(monkeypatch, tmp_path):
    monkeypatch.setenv("AEVIZ_HOME", str(tmp_path))
    monkeypatch.setenv("AEVIZ_DB_URL", "off")
    assert open_store() is None
    monkeypatch.delenv("AEVIZ_DB_URL")
    s = open_store()
    assert s.settings.db_url == f"sqlite:///{tmp_path / 'aeviz.db'}" and (tmp_path / "aeviz.db").exists()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
    monkeypatch.setenv("AEVIZ_DROPIN_HOURS", "soon")
    with pytest.raises(ValueError, match="AEVIZ_DROPIN_HOURS"):
        Settings.from_env()


def test_the_cli_upgrades_and_sweeps(tmp_path):
    env = {**os.environ, "AEVIZ_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "aeviz", "db", "upgrade"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "schema up to date" in out.stdout
    s = Store(Settings(f"sqlite:///{tmp_path / 'aeviz.db'}", f"file://{tmp_path / 'store'}", None, 24))
    _save(s, ALICE, "yours-a1")
    s.touch(ALICE, time.time() - 48 * 3600)
    out = subprocess.run([sys.executable, "-m", "aeviz", "db", "sweep"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "deleted the work of 1 people" in out.stdout and "1 models" in out.stdout
    assert s.models(ALICE) == []
    bad = subprocess.run([sys.executable, "-m", "aeviz", "db", "upgrade"], capture_output=True, text=True,
                         env={**env, "AEVIZ_DB_URL": f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x"})  # fmt: skip
    assert bad.returncode == 1 and "the database is unavailable" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_postgres_restarted_mid_class_is_unavailable_then_recovers_with_nothing_lost(postgres, tmp_path):
    s = Store(Settings(postgres["url"], f"file://{tmp_path / 'store'}", None, 24))
    s.upgrade()
    _save(s, ALICE, "yours-before")
    subprocess.run([*postgres["ctl"], "-m", "fast", "-w", "stop"], check=True, capture_output=True)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreUnavailable, match="the database is unavailable"):
            s.models(ALICE)
        assert time.monotonic() - t0 < 10, "a page is told at once, not after a long hang"
    finally:
        subprocess.run([*postgres["ctl"], "-o", postgres["opts"], "-l", postgres["folder"] / "log", "-w", "start"],
                       check=True, capture_output=True)  # fmt: skip
    assert [m.name for m in s.models(ALICE)] == ["yours-before"], "the pool reconnects by itself, and nothing was lost"
    s.delete_model(ALICE, "yours-before")
    s.close()


# --- the keeper: what the training service and the pages hand over -------------------------------------


def _trained_job(person: str):
    """A real training job's outcome (a toy set, trained here), as the training service ends it."""
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.service import Job
    from aeviz.tasks import JobSpec, run_here

    spec = JobSpec.of("train", title="linear, code 2", model=ModelConfig("linear", latent=2, shape=(1, 3, 3)),
                      train=TrainConfig(epochs=30, batch_size=5), dataset="patterns")  # fmt: skip
    result, messages = run_here(spec)
    job = Job(id="aeviz-train-" + "ab" * 16, owner="s1", spec=spec, person=person, lasting=True)
    job.steps = [m for m in messages if m.get("type") == "step"]
    job.state, job.result = "done", result
    return job


def test_the_keeper_writes_a_finished_jobs_model_for_its_person(store):
    keeper = Keeper(lambda: store)
    job = _trained_job(ALICE)
    keeper.job_changed(job)
    assert keeper.wait(30)
    [rec] = store.models(ALICE)
    assert rec.name == model_name(job.id) == "yours-" + "ab" * 16
    assert store.blob(rec.blob) == job.result["checkpoint"] and rec.metrics == {**job.result["metrics"], "epochs": 30}
    assert len(rec.history) == len(job.steps) > 0
    assert store.jobs(ALICE)[0]["state"] == "done" and store.jobs(ALICE)[0]["model"] == rec.name
    assert keeper.status(rec.name) == "saved"
    job.lasting = False  # a job of a session without a token: nothing is written
    job.id, job.person = "aeviz-train-" + "cd" * 16, BOB
    keeper.job_changed(job)
    assert keeper.wait(30) and store.models(BOB) == []


def test_a_store_that_fails_leaves_a_reason_and_the_keeper_goes_on(tmp_path):
    keeper = Keeper(lambda: None)
    keeper.save_model(ALICE, "yours-x", title="t", dataset="mnist", config={}, metrics={}, blob=b"x")
    assert keeper.wait(10)
    assert keeper.status("yours-x") == "persistence is off on this server"


# --- the project file ------------------------------------------------------------------------------------


def _project_zip(manifest: dict, members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.json", json.dumps(manifest))
        for k, v in members.items():
            zf.writestr(k, v)
    return buf.getvalue()


def test_a_project_file_round_trips_and_bad_ones_are_told():
    p = project.Project(
        models=[{"title": "conv", "dataset": "own-x", "metrics": {"mse": 0.1}, "history": [1.0], "checkpoint": b"w"}],
        datasets=[{"name": "own-x", "title": "x", "npz": b"n"}],
    )
    back = project.read(project.write(p))
    assert back.models == p.models and back.datasets == p.datasets
    cases = {
        b"not a zip": "not a zip",
        _project_zip({"format": "other"}, {}): "not an aeviz project",
        _project_zip({"format": "aeviz-project", "version": 99}, {}): "newer aeviz",
        _project_zip(
            {"format": "aeviz-project", "version": 1, "models": [{"title": "a", "dataset": "mnist", "file": "m"}]}, {}
        ): "missing",
        _project_zip(
            {"format": "aeviz-project", "version": 1, "models": [{"title": 3, "dataset": "mnist", "file": "m"}]}, {"m": b""}
        ): "title",
    }
    for blob, message in cases.items():
        with pytest.raises(project.ProjectError, match=message):
            project.read(blob)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hi")
    with pytest.raises(project.ProjectError, match=r"no project\.json"):
        project.read(buf.getvalue())


def test_the_keeper_sweeps_expired_work_by_itself(store):
    _save(store, ALICE, "yours-old", b"old")
    store.touch(ALICE, time.time() - 48 * 3600)
    _save(store, BOB, "yours-new", b"new")
    keeper = Keeper(lambda: store, sweep_every=0.2)
    deadline = time.monotonic() + 10
    while keeper.swept is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert keeper.swept is not None and keeper.swept["models"] == 1, keeper.swept
    assert store.models(ALICE) == [] and [m.name for m in store.models(BOB)] == ["yours-new"]
    keeper.close()
