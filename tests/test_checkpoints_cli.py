"""Checkpoints refuse what they should, the CLI speaks clearly, aeviz stays free of Streamlit."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import torch

import aeviz
from aeviz import ModelConfig, checkpoint
from aeviz.data import IDX_FILES, DataUnavailable, load_dataset

ROOT = Path(__file__).resolve().parents[1]
TINY = ModelConfig(family="mlp", shape=(1, 8, 8), hidden=(16,), latent=3)


def _saved(tmp_path) -> Path:
    return checkpoint.save(aeviz.build_model(TINY, seed=0), tmp_path / "m.safetensors")


def test_pickled_checkpoint_is_refused(tmp_path):
    path = tmp_path / "m.pt"
    torch.save(aeviz.build_model(TINY).state_dict(), path)
    with pytest.raises(checkpoint.CheckpointError, match="pickled"):
        checkpoint.load(path)
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(checkpoint.CheckpointError, match="pickled"):
        checkpoint.load(path)


def test_a_header_length_that_looks_like_pickle_still_loads():
    """A safetensors header of 128 + 256 k bytes makes the file start with 0x80, pickle's first byte."""
    model = aeviz.build_model(TINY, seed=0)
    data = next(d for k in range(256) if (d := checkpoint.to_bytes(model, note="x" * k))[:1] == b"\x80")
    loaded, meta = checkpoint.from_bytes(data)
    assert meta["note"].startswith("x") and torch.equal(loaded.decoder[0].weight, model.decoder[0].weight)


def test_garbage_and_truncated_files_are_refused(tmp_path):
    good = _saved(tmp_path).read_bytes()
    for data in (b"hello", b"\x00" * 64, good[: len(good) // 2]):
        with pytest.raises(checkpoint.CheckpointError):
            checkpoint.from_bytes(data)


def test_weights_that_do_not_match_their_config_are_refused():
    model = aeviz.build_model(TINY)
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    config = TINY.replace(latent=4).to_json()  # the tensors are for latent 3
    data = safetensors.torch.save(tensors, metadata={"format": checkpoint.FORMAT, "config": config})
    with pytest.raises(checkpoint.CheckpointError, match="wrong shape"):
        checkpoint.from_bytes(data)
    data = safetensors.torch.save({"w": torch.zeros(2)}, metadata={"format": checkpoint.FORMAT, "config": TINY.to_json()})
    with pytest.raises(checkpoint.CheckpointError, match="missing"):
        checkpoint.from_bytes(data)
    data = safetensors.torch.save(tensors, metadata={"format": "other"})
    with pytest.raises(checkpoint.CheckpointError, match="not an aeviz checkpoint"):
        checkpoint.from_bytes(data)


def test_non_finite_weights_are_refused():
    model = aeviz.build_model(TINY)
    with torch.no_grad():
        next(model.parameters())[0, 0] = float("nan")
    with pytest.raises(checkpoint.CheckpointError, match="NaN"):
        checkpoint.from_bytes(checkpoint.to_bytes(model))


def test_half_precision_roundtrip_is_close(tmp_path):
    model = aeviz.build_model(TINY, seed=0).eval()
    loaded, _ = checkpoint.from_bytes(checkpoint.to_bytes(model, half=True))
    x = torch.rand(4, 1, 8, 8)
    torch.testing.assert_close(loaded(x).x_hat, model(x).x_hat, atol=2e-3, rtol=0)
    assert next(loaded.parameters()).dtype == torch.float32


def test_unknown_pretrained_name_lists_choices():
    with pytest.raises(checkpoint.CheckpointError, match="unknown pretrained model 'nope'"):
        checkpoint.load_pretrained("nope")


def test_missing_dataset_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("AEVIZ_DATA_DIR", str(tmp_path))
    load_dataset.cache_clear()
    with pytest.raises(DataUnavailable, match="put the four IDX files"):
        load_dataset("fashion", "test", download=False)
    load_dataset.cache_clear()


def _write_idx(path, a: np.ndarray) -> None:
    """LeCun's IDX layout: 0, 0, 0x08 (unsigned bytes), ndim, big-endian int32 sizes, the data."""
    path.write_bytes(bytes([0, 0, 8, a.ndim]) + np.array(a.shape, ">i4").tobytes() + a.astype(np.uint8).tobytes())


def test_full_dataset_reads_as_torchvision_reads_it(tmp_path, monkeypatch):
    import torchvision

    rng = np.random.default_rng(0)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", 12), ("test", 7)):
        images, labels = IDX_FILES[split]
        _write_idx(raw / images, rng.integers(0, 256, (n, 28, 28)))
        _write_idx(raw / labels, rng.integers(0, 10, n))
    monkeypatch.setenv("AEVIZ_DATA_DIR", str(tmp_path))
    load_dataset.cache_clear()
    try:
        for split in ("train", "test"):
            ours = load_dataset("mnist", split, download=False)
            theirs = torchvision.datasets.MNIST(str(tmp_path), train=split == "train", download=False)
            assert torch.equal(ours.x[:, 0], theirs.data) and torch.equal(ours.y, theirs.targets)
        (raw / IDX_FILES["test"][0]).write_bytes((raw / IDX_FILES["test"][0]).read_bytes()[:-5])
        load_dataset.cache_clear()
        with pytest.raises(DataUnavailable, match="cut short"):
            load_dataset("mnist", "test", download=False)
    finally:
        load_dataset.cache_clear()


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aeviz", *args], cwd=ROOT, capture_output=True, text=True, **kw)


def test_cli_usage_errors_exit_2():
    assert _cli().returncode == 2
    r = _cli("train", "--model", "transformer")
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = _cli("train", "--model", "conv", "--dataset", "patterns")
    assert r.returncode == 2 and "28x28" in r.stderr
    r = _cli("train", "--model", "mlp", "--dataset", "patterns", "--lr", "-1")
    assert r.returncode == 2 and "learning rate" in r.stderr


def test_cli_train_then_eval_json(tmp_path):
    r = _cli("train", "--model", "sparse", "--dataset", "patterns", "--epochs", "300", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    path = tmp_path / "patterns-sparse.safetensors"
    assert path.exists() and "saved" in r.stdout
    r = _cli("eval", str(path), "--dataset", "patterns", "--json")
    assert r.returncode == 0, r.stderr
    metrics = json.loads(r.stdout)
    assert metrics["dataset"] == "patterns" and 0 <= metrics["mse"] < 0.25 and 0 < metrics["rho_hat"] < 1
    r = _cli("eval", str(tmp_path / "nope.safetensors"))
    assert r.returncode == 1 and "neither a pretrained model" in r.stderr


def test_cli_trains_the_stacked_preset_layer_by_layer(tmp_path):
    """The recipe says greedy: the CLI trains each layer pair on its own (aeviz.fit), as the app's
    service does, and says so, with each layer's loss."""
    r = _cli("train", "--preset", "stacked", "--dataset", "patterns", "--hidden", "6", "--latent", "3",
             "--epochs", "40", "--out", str(tmp_path))  # fmt: skip
    assert r.returncode == 0, r.stderr
    layers = [line for line in r.stdout.splitlines() if line.strip().startswith("layer ")]
    assert [line.split(":")[0].strip() for line in layers] == ["layer 1", "layer 2"], r.stdout
    _, meta = checkpoint.load(tmp_path / "patterns-stacked.safetensors")
    assert meta["recipe"]["greedy"] is True


def test_the_job_layer_imports_neither_torch_nor_streamlit():
    """Pages and the service name tasks (aeviz.tasks.registry) without importing them: a task's module,
    and torch, load where the task runs."""
    code = "import sys, aeviz.service, aeviz.tasks; print('torch' in sys.modules, 'streamlit' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "False False", r.stderr


def test_import_aeviz_leaves_streamlit_out():
    code = "import sys, aeviz, aeviz.zoo, aeviz.cli; print('streamlit' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr


def test_manifest_is_json_and_names_files():
    manifest = checkpoint.read_manifest()
    for name, info in manifest["models"].items():
        assert (checkpoint.PRETRAINED_DIR / info["file"]).exists(), name
        json.dumps(info)


@pytest.mark.parametrize("name", checkpoint.list_pretrained())
def test_pretrained_loads_and_reproduces_its_sample_mse(name):
    from aeviz.data import load_sample

    info = checkpoint.pretrained_info(name)
    model = checkpoint.load_pretrained(name)
    assert not model.training
    assert abs(aeviz.evaluate(model, load_sample(info["dataset"]))["mse"] - info["sample_mse"]) < 1e-4


def test_every_family_is_in_the_zoo_for_both_datasets():
    families = {(i["dataset"], i["config"]["family"]) for i in checkpoint.read_manifest()["models"].values()}
    assert families == {(d, f) for d in ("mnist", "fashion") for f in aeviz.list_models()}


def test_tampered_pretrained_file_is_refused(tmp_path, monkeypatch):
    import shutil

    name = checkpoint.list_pretrained()[0]
    info = checkpoint.pretrained_info(name)
    shutil.copy(checkpoint.MANIFEST, tmp_path / "manifest.json")
    data = bytearray((checkpoint.PRETRAINED_DIR / info["file"]).read_bytes())
    data[-1] ^= 0x01  # one bit of one weight
    (tmp_path / info["file"]).write_bytes(bytes(data))
    monkeypatch.setattr(checkpoint, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setattr(checkpoint, "MANIFEST", tmp_path / "manifest.json")
    with pytest.raises(checkpoint.CheckpointError, match="SHA-256"):
        checkpoint.load_pretrained(name)
