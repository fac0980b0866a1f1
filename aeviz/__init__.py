"""aeviz: define, train, evaluate, save and load six kinds of autoencoder; build what the app shows.

Works without Streamlit: only `aeviz.ui` imports it.
"""

from __future__ import annotations

import torch

from aeviz.checkpoint import CheckpointError, list_pretrained, load_pretrained
from aeviz.config import ModelConfig, TrainConfig
from aeviz.models import MODELS, list_models
from aeviz.models.base import Autoencoder, LossBreakdown, Output
from aeviz.train import History, evaluate, train

__all__ = [
    "MODELS", "Autoencoder", "CheckpointError", "History", "LossBreakdown", "ModelConfig", "Output",
    "TrainConfig", "build_model", "evaluate", "list_models", "list_pretrained", "load_pretrained", "train",
]  # fmt: skip


def build_model(config: ModelConfig, seed: int | None = None) -> Autoencoder:
    """A freshly initialised model; with `seed`, the same weights every time (global RNG untouched)."""
    from aeviz.models import build_model as _build

    if seed is None:
        return _build(config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _build(config)
