"""The families' registry: each family module registers its class here, under its config name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
