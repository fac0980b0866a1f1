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
from aeviz.metrics import n_params
from aeviz.models import skeleton
from aeviz.models.base import Autoencoder

FORMAT = "aeviz-2"
OLD_FORMATS = ("aeviz-1",)  # read, and migrated (`_migrate`)
PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
MANIFEST = PRETRAINED_DIR / "manifest.json"
MAX_BYTES = 64 * 2**20  # 16M float32 weights: far over the server's parameter budget; refused before parsing
MAX_PARAMS = 16 * 2**20  # a config declaring more is refused before a tensor is read
META_TYPES = {"dataset": str, "metrics": dict, "recipe": dict, "seed": int, "seconds": float, "title": str, "data": dict}


class CheckpointError(ValueError):
    """A file that is not a usable aeviz checkpoint; the message says why."""


def to_bytes(model: Autoencoder, *, half: bool = False, **meta: Any) -> bytes:
    """Weights (float16 when `half`, else float32) + config + provenance `meta` (its `dataset` says
    which images the model is for; without one, `dataset_for` guesses it from the input shape)."""
    dtype = torch.float16 if half else torch.float32
    tensors = {k: (v.to(dtype) if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    meta = {"dataset": dataset_for(model.config.shape), **meta}
    metadata = {"format": FORMAT, "config": model.config.normalised().to_json(), "meta": json.dumps(meta, sort_keys=True)}
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


# the built-in datasets' image shapes; the first of a shape is where a checkpoint without one goes
SHAPES = {"mnist": (1, 28, 28), "fashion": (1, 28, 28), "patterns": (1, 3, 3), "random": (1, 10, 10)}


def dataset_for(shape: tuple[int, ...]) -> str | None:
    """The built-in dataset whose images have this shape (MNIST for 1x28x28), or None."""
    return next((name for name, s in SHAPES.items() if s == tuple(shape)), None)


def _migrate(fmt: str, config: dict[str, Any], tensors: dict[str, Any]) -> None:
    """aeviz-1 -> aeviz-2, in place. aeviz-1 kept a sparsity kind and a noise level in every config
    (only the sparse and denoising families read them), and its denoising AE wrapped its backbone
    as `net`: denoising is now a training regime on the backbone itself."""
    if fmt == "aeviz-1":
        if config.get("family") != "sparse":
            config["sparsity"] = "none"
        if config.get("family") != "denoising":
            config["noise_level"] = 0.0
        for k in [k for k in tensors if k.startswith("net.")]:
            tensors[k[4:]] = tensors.pop(k)


def _declared_shape(entry: dict[str, Any]) -> list[int] | None:
    """A tensor's shape as the header declares it, or None when it is not a list of whole numbers."""
    shape = entry.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        return None
    return shape


def _check_meta(meta: Any) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise CheckpointError("its provenance metadata is not a mapping")
    for key, kind in META_TYPES.items():
        value = meta.get(key)
        if value is not None and not isinstance(value, kind) and not (kind is float and isinstance(value, int)):
            raise CheckpointError(f"its metadata {key!r} should be a {kind.__name__}, not {type(value).__name__}")
    if any(not isinstance(v, int | float) or isinstance(v, bool) for v in meta.get("metrics", {}).values()):
        raise CheckpointError("its metadata 'metrics' should map names to numbers")
    return meta


def from_bytes(data: bytes, max_params: int = MAX_PARAMS) -> tuple[Autoencoder, dict[str, Any]]:
    """(model in eval mode, provenance) from checkpoint bytes, or a CheckpointError naming the problem.

    Everything is checked before memory is spent on it: the size, the header, the config (its
    structural caps), the parameter count (`max_params`, on the meta device) and every tensor's
    name, dtype and shape as the header declares them; only then are the weights read."""
    if len(data) > MAX_BYTES:
        raise CheckpointError(f"file is {len(data) / 2**20:.0f} MB; checkpoints are at most {MAX_BYTES // 2**20} MB")
    header = _header(data)
    if not isinstance(header, dict):
        raise CheckpointError("not a safetensors file (its header is not a mapping)")
    metadata = header.pop("__metadata__", None) or {}
    fmt = metadata.get("format") if isinstance(metadata, dict) else None
    if fmt != FORMAT and fmt not in OLD_FORMATS:
        raise CheckpointError(f"not an aeviz checkpoint (metadata format {fmt!r}, expected {FORMAT!r})")
    declared = {k: v for k, v in header.items() if isinstance(v, dict)}
    try:
        raw = json.loads(metadata["config"])
        if not isinstance(raw, dict):
            raise CheckpointError(f"checkpoint config is not a mapping of settings (it is a JSON {type(raw).__name__})")
        _migrate(fmt, raw, declared)
        config = ModelConfig.from_dict(raw)
        meta = _check_meta(json.loads(metadata.get("meta", "{}")))
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"checkpoint config is invalid: {e}") from None
    model = skeleton(config)  # shapes only: nothing allocated yet
    n = n_params(model)
    if n > max_params:
        raise CheckpointError(f"its config declares {n:,} parameters; at most {max_params:,} are accepted here")
    expected = model.state_dict()
    missing = sorted(set(expected) - set(declared))
    extra = sorted(set(declared) - set(expected))
    wrong = [k for k in expected if k in declared and _declared_shape(declared[k]) != list(expected[k].shape)]
    wrong += [k for k in expected if k in declared and declared[k].get("dtype") not in ("F32", "F16", "BF16", "I64")]
    if missing or extra or wrong:
        detail = "; ".join(
            f"{what}: {', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''}"
            for what, keys in (("missing", missing), ("unexpected", extra), ("wrong shape or type", wrong))
            if keys
        )
        raise CheckpointError(f"weights do not match the {config.family!r} config they carry ({detail})")
    try:
        tensors = load_safetensors(data)
    except Exception as e:  # safetensors raises its own error type for corrupt payloads
        raise CheckpointError(f"corrupt safetensors payload: {e}") from None
    _migrate(fmt, {}, tensors)
    state = {k: v.to(expected[k].dtype) for k, v in tensors.items()}
    if not all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point()):
        raise CheckpointError("checkpoint has NaN or infinite weights")
    # memory for the skeleton (strides kept: the conv layers stay channels-last), no RNG spent on an init
    model = model.to_empty(device="cpu")
    model.load_state_dict(state)
    model.requires_grad_(False).eval()
    meta.setdefault("dataset", dataset_for(config.shape))
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
