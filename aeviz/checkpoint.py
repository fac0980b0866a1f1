"""Checkpoints: safetensors weights with the model config and provenance in the file's metadata.

Nothing here unpickles: a pickled file (torch.save, pickle) is recognised and refused by name.
Pretrained weights are data with provenance: `pretrained/manifest.json` lists each file's SHA-256,
config, recipe and metrics, and the hash is checked before a byte is parsed.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_safetensors  # parses tensors only: no code runs
from safetensors.torch import save as save_safetensors

from aeviz.config import ModelConfig
from aeviz.models import build_model
from aeviz.models.base import Autoencoder

FORMAT = "aeviz-1"
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
MANIFEST = PRETRAINED_DIR / "manifest.json"
MAX_BYTES = 200 * 2**20  # larger than any model this app builds; refuses absurd uploads early


class CheckpointError(ValueError):
    """A file that is not a usable aeviz checkpoint; the message says why."""


def to_bytes(model: Autoencoder, *, half: bool = False, **meta: Any) -> bytes:
    """Weights (float16 when `half`, else float32) + config + free-form provenance `meta`."""
    dtype = torch.float16 if half else torch.float32
    tensors = {k: (v.to(dtype) if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    metadata = {"format": FORMAT, "config": model.config.to_json(), "meta": json.dumps(meta, sort_keys=True)}
    return save_safetensors(tensors, metadata=metadata)


def save(model: Autoencoder, path: str | Path, *, half: bool = False, **meta: Any) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(model, half=half, **meta))
    return path


def _header(data: bytes) -> dict[str, Any]:
    """The safetensors JSON header: 8-byte little-endian length, then that many bytes of JSON."""
    n = struct.unpack("<Q", data[:8])[0] if len(data) >= 10 else -1
    if not 0 < n <= len(data) - 8 or data[8:9] != b"{":
        # (checked after the safetensors layout: a header of 128 + 256 k bytes also starts with 0x80)
        if data[:2] == b"PK" or data[:1] == b"\x80":
            raise CheckpointError("this is a pickled PyTorch file (torch.save); aeviz only loads safetensors checkpoints")
        if len(data) < 10:
            raise CheckpointError("file is too short to be a safetensors checkpoint")
        raise CheckpointError("not a safetensors file (its header is missing or cut short)")
    try:
        return json.loads(data[8 : 8 + n])
    except ValueError:
        raise CheckpointError("not a safetensors file (its header is not JSON)") from None


def from_bytes(data: bytes) -> tuple[Autoencoder, dict[str, Any]]:
    """(model in eval mode, provenance) from checkpoint bytes, or a CheckpointError naming the problem."""
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"file is {len(data) / 2**20:.0f} MB; checkpoints are at most {MAX_BYTES // 2**20} MB")
    metadata = _header(data).get("__metadata__") or {}
    if metadata.get("format") != FORMAT:
        raise CheckpointError(f"not an aeviz checkpoint (metadata format {metadata.get('format')!r}, expected {FORMAT!r})")
    try:
        config = ModelConfig.from_dict(json.loads(metadata["config"]))
        meta = json.loads(metadata.get("meta", "{}"))
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint config is invalid: {e}") from None
    try:
        tensors = load_safetensors(data)
    except Exception as e:  # safetensors raises its own error type for corrupt payloads
        raise CheckpointError(f"corrupt safetensors payload: {e}") from None
    model = build_model(config)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    wrong = [k for k in expected if k in tensors and tensors[k].shape != expected[k].shape]
    if missing or extra or wrong:
        detail = "; ".join(
            f"{what}: {', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''}"
            for what, keys in (("missing", missing), ("unexpected", extra), ("wrong shape", wrong))
            if keys
        )
        raise CheckpointError(f"weights do not match the {config.family!r} config they carry ({detail})")
    state = {k: v.to(expected[k].dtype) for k, v in tensors.items()}
    if not all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point()):
        raise CheckpointError("checkpoint has NaN or infinite weights")
    model.load_state_dict(state)
    model.eval()
    return model, meta


def load(path: str | Path) -> tuple[Autoencoder, dict[str, Any]]:
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise CheckpointError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
    return from_bytes(path.read_bytes())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the pretrained zoo ----------------------------------------------------------------------------


def read_manifest() -> dict[str, Any]:
    if not MANIFEST.exists():
        return {"models": {}}
    return json.loads(MANIFEST.read_text())


def list_pretrained(dataset: str | None = None) -> list[str]:
    models = read_manifest()["models"]
    return [k for k, v in models.items() if dataset is None or v["dataset"] == dataset]


def pretrained_info(name: str) -> dict[str, Any]:
    models = read_manifest()["models"]
    if name not in models:
        raise CheckpointError(f"unknown pretrained model {name!r}; choose from {sorted(models)}")
    return models[name]


def load_pretrained(name: str) -> Autoencoder:
    """A pretrained model in eval mode, after checking its file against the manifest's SHA-256."""
    info = pretrained_info(name)
    data = (PRETRAINED_DIR / info["file"]).read_bytes()
    if sha256(data) != info["sha256"]:
        raise CheckpointError(f"{info['file']} does not match its SHA-256 in the manifest: refusing to load it")
    return from_bytes(data)[0]


def load_any(name_or_path: str) -> Autoencoder:
    """A pretrained name or a path to a checkpoint file."""
    if name_or_path in read_manifest()["models"]:
        return load_pretrained(name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise CheckpointError(f"{name_or_path!r} is neither a pretrained model ({', '.join(list_pretrained())}) nor a file")
    return load(path)[0]
