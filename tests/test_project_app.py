"""A project file through the app (Train page, "All your work in one file"): what it holds comes back as
the student's own models, each checked as an upload is; a file that is not a project, or is tampered
with, or comes from a newer aeviz, gets a message."""

from __future__ import annotations

from test_app import new_app, page
from test_store import _project_zip as _zip

from aeviz import checkpoint
from aeviz.store import project


def _checkpoint() -> bytes:
    return checkpoint.to_bytes(checkpoint.load_pretrained("mnist-linear"), half=True, dataset="mnist")


def _train_page():
    at = new_app().run()
    at.switch_page(page("train")).run()
    return at


def test_a_project_file_brings_its_models_back_in_a_new_session():
    p = project.Project(models=[{"title": "linear, code 32", "dataset": "mnist", "metrics": {"mse": 0.0168},
                                 "history": [0.05, 0.02], "checkpoint": _checkpoint()}])  # fmt: skip
    at = _train_page()
    at.file_uploader(key="pj_upload").upload("aeviz-project.zip", project.write(p), "application/zip").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.run()
    models = at.sidebar.selectbox(key="model").options
    mine = [m for m in models if "linear, code 32" in m and "(yours)" in m]
    assert len(mine) == 1, models
    at.button(key="pj_make").click().run()
    blob = at.session_state["pj_file"]
    back = project.read(blob)
    assert [m["title"] for m in back.models] == ["linear, code 32"] and back.models[0]["history"] == [0.05, 0.02]
    checkpoint.from_bytes(back.models[0]["checkpoint"])  # what was exported is a checkpoint any aeviz loads


def test_a_tampered_or_newer_project_file_is_refused_with_a_message():
    model = {"title": "x", "dataset": "mnist", "file": "models/0.safetensors"}
    cut = _checkpoint()[:-100]
    cases = {
        "broken.zip": (b"PK\x03\x04 cut short", "not a zip"),
        "newer.zip": (_zip({"format": "aeviz-project", "version": 2}, {}), "newer aeviz"),
        "tampered.zip": (
            _zip({"format": "aeviz-project", "version": 1, "models": [model]}, {"models/0.safetensors": cut}),
            "damaged",
        ),
    }
    for name, (blob, message) in cases.items():
        at = _train_page()
        at.file_uploader(key="pj_upload").upload(name, blob, "application/zip").run()
        assert not at.exception
        assert at.error and message in at.error[0].value, (name, [e.value for e in at.error])
        assert not [m for m in at.sidebar.selectbox(key="model").options if "(yours)" in m]
