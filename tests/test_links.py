"""Shareable state through AppTest: a link sets the view, a bad link says what it dropped, the URL follows."""

from __future__ import annotations

import pytest
from test_app import new_app, page


def opened(**params):
    at = new_app()
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_a_link_sets_dataset_model_and_presenter_mode_and_the_url_follows():
    at = opened(dataset="fashion", model="fashion-vae-2d", present="1")
    assert not at.exception
    assert at.session_state["dataset"] == "fashion" and at.session_state["model"] == "fashion-vae-2d"
    assert at.toggle(key="present").value is True
    assert dict(at.query_params) == {"dataset": "fashion", "model": "fashion-vae-2d", "present": "1"}
    at.switch_page(page("denoise")).run()
    at.selectbox(key="dn_noise").set_value("masking").run()
    assert dict(at.query_params)["noise"] == "masking" and "level" in dict(at.query_params)


def test_a_broken_link_opens_the_nearest_valid_view_and_says_what_was_dropped():
    at = opened(dataset="cifar", model="nope", present="maybe")
    assert not at.exception
    assert at.session_state["dataset"] == "mnist" and at.session_state["model"] == "mnist-conv"
    (toast,) = [t.value for t in at.toast]
    assert "dataset “cifar”" in toast and "model “nope”" in toast


def test_a_students_own_model_is_not_in_the_link_and_the_share_dialog_says_so():
    from test_odd_models import app_with

    from aeviz import ModelConfig

    at = app_with("yours-share", "mnist", ModelConfig(family="mlp", latent=3))
    assert not at.exception and "model" not in dict(at.query_params)
    at.button(key="share").click().run()
    assert not at.exception
    assert any("is not in the link" in i.value for i in at.info), [i.value for i in at.info]
    assert any(c.value.startswith("http") for c in at.code)


def test_view_and_image_and_latent_vector_travel_in_the_link():
    at = new_app()
    at.query_params.update({"dataset": "mnist", "model": "mnist-vae-2d"})
    at.run()
    at.switch_page(page("latent")).run()
    at.session_state["lat_view"] = "Walk between images"
    at.run()
    assert at.query_params["view"] == "Walk between images"
    at.switch_page(page("vae")).run()
    assert len(at.query_params["z"].split(",")) == 2, "the 2-D VAE's starting code"


@pytest.mark.parametrize("img", ["²", "9" * 5000, "-1", "1e3", "99999"])
def test_a_crafted_image_number_is_dropped_with_a_notice(img):
    at = new_app().run()
    at.query_params.clear()
    at.query_params.update({"dataset": "mnist", "img": img})
    at.switch_page(page("latent")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("test image" in t.value or "longer than 400" in t.value for t in at.toast), [t.value for t in at.toast]


def test_the_vae_explorers_own_choice_travels_in_the_link():
    at = opened(dataset="mnist", model="mnist-conv")
    at.switch_page(page("vae")).run()
    at.selectbox(key="vae_model").set_value("mnist-vae-2d").run()
    params = dict(at.query_params)
    assert params["vae"] == "mnist-vae-2d" and len(params["z"].split(",")) == 2, params
    fresh = new_app().run()
    fresh.query_params.clear()
    fresh.query_params.update(params)
    fresh.switch_page(page("vae")).run()
    assert not fresh.exception and fresh.session_state["vae_model"] == "mnist-vae-2d"
    assert not fresh.toast, "nothing dropped: the 2-D z fits the 2-D VAE"


def test_a_sessions_own_images_are_not_in_the_link_and_the_share_dialog_says_so():
    from test_odd_models import _own_dataset

    at = new_app()
    at.session_state["own_datasets"] = {"own-letters-abc123": _own_dataset(colour=False)}
    at.session_state["dataset"] = "own-letters-abc123"
    at.run()
    assert not at.exception and "dataset" not in dict(at.query_params)
    at.button(key="share").click().run()
    assert any("Your own images" in i.value and "opens this page on MNIST" in i.value for i in at.info)


def test_an_overlong_link_value_is_dropped_before_it_is_parsed_and_a_value_stays_text():
    """A 20 KB latent vector is not parsed into numbers; a Markdown link in a value is shown as text."""
    at = new_app().run()
    at.query_params.clear()
    at.query_params.update({"z": ",".join(["0.5"] * 5_000), "model": "[Log in](https://e.org)"})
    at.switch_page(page("vae")).run()
    assert not at.exception
    (toast,) = [t.value for t in at.toast]
    assert "longer than 400 characters" in toast
    assert "\\[Log in\\]\\(https\\://e\\.org\\)" in toast, toast
    assert "vae_link_z" not in at.session_state


def test_a_page_s_own_parameter_that_is_not_a_number_is_said_as_text():
    """A latent vector with Markdown in it: the page says it left it out, and shows no link of the value's
    (float's own message, which repeats the text, is never shown)."""
    at = new_app().run()
    at.query_params.clear()
    at.query_params.update({"dataset": "mnist", "z": "1,[click here](https://evil.example) :red[**URGENT**]"})
    at.switch_page(page("vae")).run()
    assert not at.exception
    toasts = [t.value for t in at.toast]
    assert any("latent vector" in t and "not a list of numbers" in t for t in toasts), toasts
    assert not any("](https" in t or ":red[" in t for t in toasts), toasts
