"""Model registry: one file per family; `build_model(config, seed=None)` is the one way to make a model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from aeviz.config import FAMILIES, ModelConfig

if TYPE_CHECKING:
    from aeviz.models.base import Autoencoder

MODELS: dict[str, Callable[[ModelConfig], Autoencoder]] = {}


def register(name: str):
    """Register a family's class (or a function building one) under `name`, one of config.FAMILIES."""

    def wrap(builder):
        if name not in FAMILIES:
            raise ValueError(f"family {name!r} is not in config.FAMILIES {FAMILIES}")
        if name in MODELS:
            raise ValueError(f"model {name!r} is already registered")
        MODELS[name] = builder
        return builder

    return wrap


def list_models() -> list[str]:
    return sorted(MODELS)


# torch.random.fork_rng saves and restores the process-wide RNG: two threads seeding at once would
# hand each other's state back, so seeded builds take turns
_SEEDING = threading.Lock()


def build_model(config: ModelConfig, seed: int | None = None) -> Autoencoder:
    """A freshly initialised model; with `seed`, the same weights every time (global RNG restored)."""
    if seed is None:
        return MODELS[config.family](config)  # the config validated the family on construction
    with _SEEDING, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MODELS[config.family](config)


def skeleton(config: ModelConfig) -> Autoencoder:
    """The model's structure on the meta device: shapes and parameter counts, no memory, no RNG."""
    with torch.device("meta"):
        return MODELS[config.family](config)


def count_params(config: ModelConfig) -> int:
    return sum(p.numel() for p in skeleton(config).parameters())


# importing the family modules fills the registry
from aeviz.models import conv, denoising, linear, mlp, sparse, vae  # noqa: E402, F401
