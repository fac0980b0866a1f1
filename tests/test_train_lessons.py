"""Train page (a real worker process) and the lessons page, through AppTest."""

from __future__ import annotations

import time

import pytest
from test_app import figures, new_app, page

QUICK = "Lecture 002 · one layer, 2 latents"


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


def wait_done(at, timeout: float = 120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception
        if at.success or at.error:
            return at
        time.sleep(0.5)
    raise AssertionError("training did not finish")


def test_train_a_toy_model_shows_it_finished():
    at = wait_done(start_training("Tutorial 10 Q1 · 9-4-9 on five patterns, α = 0.1", epochs=2000))
    assert not at.error and at.success[0].value.startswith("done")
    assert at.progress[0].value == 100
    assert any("sparse, latent 4" in m.value for m in at.markdown)
    curve = figures(at)[0]
    assert curve["layout"]["yaxis"]["type"] == "log" and len(curve["data"]) >= 1


def test_two_sessions_train_at_once_and_keep_their_models():
    a, b = start_training(samples=300), start_training(samples=500)
    wait_done(a), wait_done(b)
    own_a = [o for o in a.selectbox(key="model").options if "#1" in o]
    own_b = [o for o in b.selectbox(key="model").options if "#1" in o]
    assert len(own_a) == 1 and len(own_b) == 1  # each sees exactly its own model in the picker
    names_a = set(a.session_state["session_models"])
    names_b = set(b.session_state["session_models"])
    assert names_a and names_b and not names_a & names_b


def test_limits_are_shown_and_enforced():
    at = new_app().run()
    at.switch_page(page("train")).run()
    assert any("Limits on this server" in c.value for c in at.caption)
    at.number_input(key="tr_epochs").set_value(500).run()
    at.button(key="tr_start").click().run()
    assert at.error and "over the limit" in at.error[0].value
    assert "tr_job" not in at.session_state


def test_bad_checkpoint_upload_is_refused():
    at = new_app().run()
    at.switch_page(page("train")).run()
    at.file_uploader(key="tr_upload").upload("model.safetensors", b"\x80\x04not really", "application/octet-stream").run()
    assert not at.exception
    assert at.error and "pickled" in at.error[0].value


@pytest.mark.parametrize("toggle", [None, "bd_go", "cf_go"])
def test_lessons_render(toggle):
    at = new_app().run()
    at.switch_page(page("lessons")).run()
    assert not at.exception
    if toggle:
        at.toggle(key=toggle).set_value(True).run()
        assert not at.exception
    assert len(figures(at)) >= 10
    assert any("largest principal angle" in m.label for m in at.metric)
    assert any("All five reconstructed exactly: plain ✓, sparse ✓" in c.value for c in at.caption)
