"""aeviz: define, train, evaluate, save and load six kinds of autoencoder; build what the app shows.

Works without Streamlit: only `aeviz.ui` imports it. The names below load on first use, so that
`import aeviz.config` (or the app's first lines) does not wait for torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "MODELS": "aeviz.models", "build_model": "aeviz.models", "list_models": "aeviz.models",
    "count_params": "aeviz.models",
    "Autoencoder": "aeviz.models.base", "LossBreakdown": "aeviz.models.base", "Output": "aeviz.models.base",
    "ModelConfig": "aeviz.config", "TrainConfig": "aeviz.config",
    "CheckpointError": "aeviz.checkpoint", "list_pretrained": "aeviz.checkpoint", "load_pretrained": "aeviz.checkpoint",
    "History": "aeviz.training", "evaluate": "aeviz.training", "fit": "aeviz.training", "train": "aeviz.training",
}  # fmt: skip
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from aeviz.checkpoint import CheckpointError, list_pretrained, load_pretrained
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.models import MODELS, build_model, count_params, list_models
    from aeviz.models.base import Autoencoder, LossBreakdown, Output
    from aeviz.training import History, evaluate, fit, train


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'aeviz' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
