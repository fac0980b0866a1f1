"""Train page and the lessons through AppTest, their jobs on the real training service (Dask workers)."""

from __future__ import annotations

import time

import pytest
from test_app import figures, new_app, page

pytestmark = pytest.mark.slow  # a real Dask cluster trains here

QUICK = "one-layer-2"  # presets.PRESETS key: Lecture 002 · one layer, 2 latents


def start_training(preset: str = QUICK, samples: int = 400, epochs: int = 1):
    at = new_app().run()
    at.switch_page(page("train")).run()
    assert not at.exception
    at.selectbox(key="tr_preset").set_value(preset).run()
    if at.number_input(key="tr_samples").disabled is False:
        at.number_input(key="tr_samples").set_value(samples).run()
    at.number_input(key="tr_epochs").set_value(epochs).run()
    at.button(key="tr_start").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def wait_until(at, done, timeout: float = 180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if done(at):
            return at
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the training service")


def own(at) -> dict:
    return at.session_state["own_models"] if "own_models" in at.session_state else {}  # noqa: SIM401 - no .get on AppTest's state


def test_train_a_toy_model_lands_in_the_session():
    at = start_training("q1", epochs=2000)
    assert at.progress, "queued or running: the page shows where the job is"
    wait_until(at, lambda at: own(at))
    (name,) = own(at)
    assert at.session_state["model"] == name and at.session_state["dataset"] == "patterns", "the new model is picked"
    assert any("sparse, code 4" in o for o in at.selectbox(key="model").options)
    assert any(f"**#1 sparse, code 4 · {name.removeprefix('yours-')[:6]}**" in m.value for m in at.markdown)


def test_two_sessions_train_at_once_and_keep_their_models():
    a, b = start_training(samples=300), start_training(samples=500)
    wait_until(a, own), wait_until(b, own)
    mine_a = [o for o in a.selectbox(key="model").options if "(yours)" in o]
    mine_b = [o for o in b.selectbox(key="model").options if "(yours)" in o]
    assert len(mine_a) == 1 and len(mine_b) == 1 and mine_a != mine_b  # each sees exactly its own model


def test_one_job_per_session_is_enforced_by_the_service():
    from aeviz.service import Refused
    from aeviz.tasks import JobSpec
    from aeviz.ui import state

    svc = state.service()
    svc.wait_ready()
    spec = JobSpec.of("tutorial_q1", beta=0.0, rho=0.1, lr=0.1, epochs=10_000)
    job = svc.submit(spec, "student-x")
    with pytest.raises(Refused, match="already have a job"):
        svc.submit(spec, "student-x")
    svc.cancel(job.id)
    deadline = time.time() + 30
    while job.active and time.time() < deadline:
        time.sleep(0.1)
    assert job.state in ("cancelled", "done") and (job.result is None or job.result["stopped"])
    again = svc.submit(spec, "student-x")
    assert again.state in ("queued", "running"), "and then the next job is taken"
    svc.cancel(again.id)


def test_limits_are_shown_and_enforced():
    at = new_app().run()
    at.switch_page(page("train")).run()
    assert any("Limits on this server" in c.value for c in at.caption)
    at.number_input(key="tr_epochs").set_value(500).run()
    at.button(key="tr_start").click().run()
    assert at.error and "over the limit" in at.error[0].value
    assert "job" not in at.session_state


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("tr_hidden", "8192," * 30, "at most 8 layers"),
        ("tr_hidden", "8192,8192", "parameters is over the limit"),
        ("tr_hidden", "12.5", "whole numbers"),
    ],
)
def test_crafted_values_are_refused_on_the_server(key, value, message):
    at = new_app().run()
    at.switch_page(page("train")).run()
    at.session_state[key] = value  # a text box takes any text (a number box clamps what it is sent)
    at.run()
    at.button(key="tr_start").click().run()
    assert not at.exception
    assert at.error and message in at.error[0].value, [e.value for e in at.error]


def test_bad_checkpoint_upload_is_refused():
    at = new_app().run()
    at.switch_page(page("train")).run()
    at.file_uploader(key="tr_upload").upload("model.safetensors", b"\x80\x04not really", "application/octet-stream").run()
    assert not at.exception
    assert at.error and "pickled" in at.error[0].value


def test_lessons_render_and_run_on_the_service():
    at = new_app().run()
    at.switch_page(page("lessons/index")).run()
    assert not at.exception
    assert any("largest principal angle" in m.label for m in at.metric)
    at.session_state["lesson"] = "Tutorial 10 · Q1"
    wait_until(at, lambda at: any("All five reconstructed" in c.value for c in at.caption))
    assert any("plain ✓, sparse ✓" in c.value for c in at.caption)
    for lesson in ("Tutorial 10 · Q2", "Upsampling", "Worked examples"):
        at.session_state["lesson"] = lesson
        wait_until(at, lambda at: len(figures(at)) >= 2)


def test_a_crafted_lesson_input_gets_a_message_not_an_exception():
    at = new_app().run()
    at.switch_page(page("lessons/index")).run()
    at.session_state["lesson"] = "Tutorial 10 · Q1"
    at.session_state["q1_epochs"] = 20_000  # past the widget's maximum
    at.run()
    assert not at.exception


def test_a_training_step_over_the_memory_budget_is_refused_before_it_runs():
    """A batch of 4,096 on a 64x64 colour conv AE would hold ~4 GB a step: refused from its estimate on the
    meta device; the same model at 512 is within it, and every preset at its own batch far within."""
    from aeviz import presets
    from aeviz.config import ModelConfig
    from aeviz.limits import LIMITS, check_job
    from aeviz.models import step_bytes

    big = ModelConfig(family="conv", shape=(3, 64, 64))
    (problem,) = check_job(big, presets.TRAIN.replace(batch_size=4096), "own")
    assert "one training step would take about" in problem and "lower the batch size" in problem
    assert check_job(big, presets.TRAIN.replace(batch_size=512), "own") == []
    assert step_bytes(big, 4096) == 8 * step_bytes(big, 512) - 7 * step_bytes(big, 0), "linear in the batch"
    for p in presets.PRESETS.values():
        assert step_bytes(p.model, p.train.batch_size) < LIMITS.max_step_mb * 2**20 / 10, p.title
