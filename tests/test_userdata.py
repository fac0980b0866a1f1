"""A class's own images: zips (and their dangers), .npz round trips, training on them, the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from aeviz import ModelConfig, TrainConfig, build_model, evaluate, train, userdata
from aeviz.bench.synthetic import LETTERS, SHAPES, letters_zip, shapes_zip
from aeviz.userdata import Recipe, UserDataError

ROOT = Path(__file__).resolve().parents[1]


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _png(size=(20, 20), value=0) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, value).save(buf, "PNG")
    return buf.getvalue()


def test_class_folders_become_labels_and_a_wrapper_folder_is_not_a_class():
    items = userdata.read_zip(letters_zip(per_class=3, formats=("PNG", "JPEG", "GIF", "BMP", "WEBP")))
    assert len(items) == 15 and {label for _, label, _ in items} == set(LETTERS)
    d = userdata.from_images(items, Recipe(), "letters")
    assert d.labels == sorted(LETTERS) and d.shape == (1, 28, 28) and len(d.test) == 2  # 10 % of 15, rounded
    assert not d.skipped, d.skipped


def test_without_folders_the_images_are_unlabelled_and_non_images_are_skipped():
    data = _zip(
        {"a.png": _png(), "b.png": _png(value=200), "notes.txt": b"hello", "__MACOSX/._a.png": b"junk", ".DS_Store": b"x"}
    )
    items = userdata.read_zip(data)
    assert [name for name, _, _ in items] == ["a.png", "b.png"] and all(label is None for _, label, _ in items)
    assert userdata.from_images(items, Recipe(), "two").labels is None
    # a zipped folder of pictures, with no class folders inside it: unlabelled too
    items = userdata.read_zip(_zip({"cats/a.png": _png(), "cats/b.png": _png(value=200)}))
    assert all(label is None for _, label, _ in items)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../evil.png": _png()}, "outside it"),
        ({"/etc/evil.png": _png()}, "outside it"),
        ({"C:/evil.png": _png()}, "outside it"),
        ({"bomb.png": b"\x00" * 20_000_000}, "zip bomb"),
        ({"notes.txt": b"just text"}, "no images"),
    ],
)
def test_dangerous_or_empty_archives_get_a_message(entries, message):
    with pytest.raises(UserDataError, match=message):
        userdata.read_zip(_zip(entries))


def test_too_many_entries_and_too_many_bytes_are_refused(monkeypatch):
    with pytest.raises(UserDataError, match="entries"):
        userdata.read_zip(_zip({f"{i}.png": b"" for i in range(userdata.MAX_ENTRIES + 1)}, zipfile.ZIP_STORED))
    monkeypatch.setattr(userdata, "MAX_TOTAL", 1000)
    noise = [io.BytesIO() for _ in range(2)]
    for buf in noise:  # noise does not compress: each PNG is ~1.2 kB
        Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 30), np.uint8)).save(buf, "PNG")
    with pytest.raises(UserDataError, match="uncompressed"):
        userdata.read_zip(_zip({"a.png": noise[0].getvalue(), "b.png": noise[1].getvalue()}, zipfile.ZIP_STORED))


def test_links_are_ignored_and_broken_files_are_named_not_raised():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        link = zipfile.ZipInfo("link.png")
        link.external_attr = 0o120777 << 16  # a symbolic link
        z.writestr(link, "/etc/passwd")
        z.writestr("good.png", _png(value=255))
        z.writestr("good2.png", _png(value=100))
        z.writestr("broken.png", _png()[:30])
        z.writestr("huge.png", _png()[:16] + (100_000).to_bytes(4, "big") * 2 + _png()[24:])
    items = userdata.read_zip(buf.getvalue())
    assert [n for n, _, _ in items] == ["good.png", "good2.png", "broken.png", "huge.png"]
    d = userdata.from_images(items, Recipe(), "mixed")
    assert len(d.train) + len(d.test) == 2 and len(d.skipped) == 2
    assert any("broken.png" in s for s in d.skipped) and any("huge.png" in s for s in d.skipped)


def test_not_a_zip_and_bad_npz_get_a_message():
    with pytest.raises(UserDataError, match="not a readable zip"):
        userdata.read_zip(b"PK\x03\x04 this is not really a zip")
    buf = io.BytesIO()
    np.savez(buf, images=np.zeros((3, 28, 28)))
    with pytest.raises(UserDataError, match="no array 'x'"):
        userdata.from_npz(buf.getvalue(), "bad")
    buf = io.BytesIO()
    np.savez(buf, x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(UserDataError, match=r"not a readable \.npz"):
        userdata.from_npz(buf.getvalue(), "pickled")
    with pytest.raises(UserDataError, match="square"):
        userdata.from_npz(_npz(x=np.zeros((4, 20, 30), np.uint8)), "odd")


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x": np.zeros((1, 28, 28), np.uint8)}, "2 to 5,000 images"),  # nothing left to hold out
        ({"x": np.zeros((4, 28, 28), np.uint8), "y": np.arange(4), "labels": np.array("a")}, "class names"),
        ({"x": np.zeros((4, 28, 28), np.uint8), "n_test": np.array([1, 2])}, "one whole number"),
        ({"x": np.zeros((4, 28, 28), np.uint8), "y": np.array([0, 1])}, "one label"),
        ({"x": np.zeros((1100, 256, 256), np.float32)}, "unpacks to 275 MB"),  # refused from its header
    ],
)
def test_odd_npz_files_get_a_message(arrays, message):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    with pytest.raises(UserDataError, match=message):
        userdata.from_npz(buf.getvalue(), "odd")


def _zip_of_npys(members: dict[str, np.ndarray]) -> bytes:
    """An .npz written member by member, with any names: what a crafted upload can be."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, a in members.items():
            npy = io.BytesIO()
            np.save(npy, a)
            z.writestr(name, npy.getvalue())
    return buf.getvalue()


def test_an_npz_with_two_arrays_of_one_name_is_refused():
    """'y' and 'y.npy' both answer to y: the size check must not count one and numpy read the other."""
    x = np.zeros((4, 28, 28), np.uint8)
    data = _zip_of_npys({"x.npy": x, "y": np.arange(4), "y.npy": np.zeros(200 * 2**20, np.uint8)})
    with pytest.raises(UserDataError, match="two arrays named 'y'"):
        userdata.from_npz(data, "twins")


def test_an_npz_budget_is_summed_over_its_arrays():
    """Side arrays each under the cap, together over it, are refused from their headers, unread."""
    x = np.zeros((4, 28, 28), np.uint8)
    side = {f"s{i}.npy": np.zeros(100 * 2**20, np.uint8) for i in range(3)}
    with pytest.raises(UserDataError, match="unpacks to 300 MB"):
        userdata.from_npz(_zip_of_npys({"x.npy": x, **side}), "sides")


def test_an_npy_or_names_without_labels_are_handled():
    buf = io.BytesIO()
    np.save(buf, np.zeros((4, 28, 28), np.uint8))  # an .npy renamed .npz
    with pytest.raises(UserDataError, match=r"not a readable \.npz"):
        userdata.from_npz(buf.getvalue(), "npy")
    d = userdata.from_npz(_npz(x=np.zeros((4, 28, 28), np.uint8), labels=np.array(["a", "b"])), "names only")
    assert d.labels is None and "no labels" in userdata.describe(d)


def test_forced_inversion_applies_to_the_mnist_style_crop_too():
    items = userdata.read_zip(letters_zip(per_class=2))
    auto, never = (userdata.from_images(items, Recipe(crop="mnist", invert=i), "l") for i in ("auto", "never"))
    assert not torch.equal(auto.train.x, never.train.x)


def test_a_download_uploads_again_as_the_same_dataset():
    d = userdata.from_images(userdata.read_zip(shapes_zip(per_class=5)), Recipe(color=True, size=32), "shapes")
    again = userdata.from_npz(d.to_npz(), "again")
    assert again.shape == (3, 32, 32) and again.labels == d.labels == sorted(SHAPES)
    assert again.recipe == d.recipe
    mnist = userdata.from_images(userdata.read_zip(letters_zip(per_class=2)), Recipe(crop="mnist", invert="never"), "l")
    assert userdata.from_npz(mnist.to_npz(), "again").recipe == mnist.recipe, "the recipe travels with the images"
    assert torch.equal(again.train.x, d.train.x) and torch.equal(again.test.y, d.test.y)


def test_colour_shapes_keep_their_colour_and_letters_are_inverted_to_light_on_dark():
    d = userdata.from_images(userdata.read_zip(shapes_zip(per_class=4)), Recipe(color=True, size=32), "shapes")
    x = d.train.floats()
    assert x.shape[1] == 3 and (x[:, 0] - x[:, 2]).abs().mean() > 0.05, "not gray"
    g = userdata.from_images(userdata.read_zip(letters_zip(per_class=3)), Recipe(), "letters")
    border = torch.cat([g.train.floats()[:, 0, 0], g.train.floats()[:, 0, -1]])
    assert border.mean() < 0.2, "paper became the dark background"
    mnist = userdata.from_images(userdata.read_zip(letters_zip(per_class=3)), Recipe(crop="mnist"), "letters")
    assert mnist.shape == (1, 28, 28)
    with pytest.raises(UserDataError, match="MNIST-style"):
        Recipe(color=True, crop="mnist")


def _mean_image_mse(d) -> float:
    mean = d.train.floats().mean(0, keepdim=True)
    return float((d.test.floats() - mean).square().mean())


@pytest.mark.parametrize(("make", "recipe"), [(letters_zip, Recipe()), (shapes_zip, Recipe(color=True, size=32))])
def test_a_conv_ae_beats_the_mean_image_twice_on_held_out_images(make, recipe):
    d = userdata.from_images(userdata.read_zip(make(per_class=100)), recipe, "set", test_share=0.15)
    # cross-entropy: with squared error at this step size the sigmoid output saturated on the dark letters
    model = build_model(ModelConfig(family="conv", shape=d.shape, recon="bce"), seed=0)
    train(model, d.train, TrainConfig(epochs=60, batch_size=32, lr=1e-2))
    mse, baseline = evaluate(model, d.test)["mse"], _mean_image_mse(d)
    assert mse * 2 < baseline, (mse, baseline)


def test_cli_trains_on_a_zip_and_evaluates_new_images_made_the_same_way(tmp_path):
    data = tmp_path / "letters.zip"
    data.write_bytes(letters_zip(per_class=20))
    r = subprocess.run([sys.executable, "-m", "aeviz", "train", "--model", "mlp", "--data", str(data), "--epochs", "3",
                        "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    ckpt = next(tmp_path.glob("*.safetensors"))
    other = tmp_path / "more.zip"
    other.write_bytes(letters_zip(per_class=4, seed=1))
    r = subprocess.run([sys.executable, "-m", "aeviz", "eval", str(ckpt), "--data", str(other), "--json"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert 0 < out["mse"] < 0.2
    r = subprocess.run([sys.executable, "-m", "aeviz", "train", "--model", "mlp", "--data", str(tmp_path / "nope.zip")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode != 0 and "not a file or a folder" in r.stderr


def test_torchvision_sets_say_so_when_offline(tmp_path, monkeypatch):
    import torchvision

    monkeypatch.setattr(torchvision.datasets.KMNIST, "mirrors", ["http://127.0.0.1:9/"])  # nothing listens there
    with pytest.raises(UserDataError, match="could not be downloaded"):
        userdata.fetch("kmnist", tmp_path)


def test_a_class_s_own_pictures_never_travel_in_progress_events():
    """The train task on a class's images: its progress messages (Dask events on a cluster) carry filters
    and losses but no picture; the pictures come back in the result, to the owner. MNIST's do travel."""
    from aeviz import presets
    from aeviz.tasks import JobSpec, run_here

    data = userdata.from_images(userdata.read_zip(letters_zip(per_class=6)), userdata.Recipe(), "letters")
    model = presets.FAMILY["mlp"].replace(shape=data.shape)
    train = presets.TRAIN.replace(epochs=2, batch_size=16)
    result, messages = run_here(JobSpec.of("train", model=model, train=train, dataset=data.name, images=data))
    previews = [m["preview"] for m in messages if "preview" in m]
    assert previews and all("x" not in p and "x_hat" not in p and "filters" in p for p in previews)
    assert result["preview"]["x"].shape == (len(data.test.x[:8]), 1, 28, 28)
    _, public = run_here(JobSpec.of("train", model=presets.FAMILY["mlp"], train=train.replace(max_samples=64), dataset="mnist"))
    assert any("x" in m.get("preview", {}) for m in public)


def _bits_png(side: int) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (side, side), 1).save(buf, "PNG")
    return buf.getvalue()


def test_an_ingest_job_has_one_budget_over_all_its_files(monkeypatch):
    """Several uploads each under the limits are refused together; so are pictures that are small as files
    but many pixels once decoded; and the job stops between pictures when it is cancelled."""
    from aeviz.tasks import JobSpec, run_here

    monkeypatch.setattr(userdata, "MAX_TOTAL", 60_000)
    noise = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (120, 100), np.uint8)).save(noise, "PNG")  # ~12 kB
    one_zip = _zip({f"{i}.png": noise.getvalue() for i in range(4)}, zipfile.ZIP_STORED)  # ~48 kB: under the limit
    userdata.read_zip(one_zip)
    with pytest.raises(UserDataError, match="in all"):
        run_here(JobSpec.of("ingest", files=(("a.zip", one_zip), ("b.zip", one_zip)), name="two"))
    monkeypatch.setattr(userdata, "MAX_DECODED_PIXELS", 3 * 2000 * 2000)
    items = [(f"{i}.png", None, _bits_png(2000)) for i in range(5)]  # a few kB each, 4 MP each decoded
    with pytest.raises(UserDataError, match="billion pixels"):
        userdata.from_images(items, userdata.Recipe(), "big")
    asked = []
    with pytest.raises(UserDataError, match="stopped"):
        userdata.from_images(items[:2], userdata.Recipe(), "stop", should_stop=lambda: asked.append(1) or len(asked) > 1)
    assert len(asked) == 2, "asked before each picture"


def test_an_ingested_set_counts_in_the_session_budget_from_its_preview_on(monkeypatch):
    """What an ingest job brings back sits in the session as a preview: it is held only within the
    session's image budget, and the student is told when it is over."""
    import dataclasses

    from streamlit.testing.v1 import AppTest

    from aeviz.service import Job
    from aeviz.tasks import JobSpec, run_here
    from aeviz.ui.state import session

    spec = JobSpec.of("ingest", files=(("letters.zip", letters_zip(per_class=6)),), name="letters")
    result, _ = run_here(spec)
    held = result.train.x.nbytes + result.test.x.nbytes

    def script(job):
        from aeviz.ui import state

        state.take_ingested(job)
        st_ = __import__("streamlit")
        st_.write(f"preview: {state.DATA_PREVIEW in st_.session_state}; notice: {state.notice()}")

    for budget_mb, kept in ((2 * held / 2**20, True), (held / 2 / 2**20, False)):
        monkeypatch.setattr(session, "LIMITS", dataclasses.replace(session.LIMITS, max_data_mb=budget_mb))
        job = Job(id="aeviz-ingest-" + "ab" * 16, owner="s", spec=spec, state="done", result=result)
        at = AppTest.from_function(script, args=(job,), default_timeout=60).run()
        text = at.markdown[0].value
        assert (f"preview: {kept}" in text) and (("over this session's" in text) != kept), text
