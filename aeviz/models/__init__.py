"""Model registry: one file per family, `build_model(config)` picks the class by `config.family`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aeviz.config import ModelConfig
    from aeviz.models.base import Autoencoder

MODELS: dict[str, type[Autoencoder]] = {}


def register(name: str):
    def wrap(cls: type[Autoencoder]) -> type[Autoencoder]:
        if name in MODELS:
            raise ValueError(f"model {name!r} is already registered")
        MODELS[name] = cls
        cls.family = name
        return cls

    return wrap


def list_models() -> list[str]:
    return sorted(MODELS)


def build_model(config: ModelConfig) -> Autoencoder:
    return MODELS[config.family](config)  # config validated the family on construction


# importing the family modules fills the registry
from aeviz.models import conv, denoising, linear, mlp, sparse, vae  # noqa: E402, F401
