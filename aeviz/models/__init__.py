"""Model registry: one file per family; `build_model(config, seed=None)` is the one way to make a model."""

from __future__ import annotations

import functools
import math
import threading
from typing import TYPE_CHECKING

import torch

from aeviz.config import ModelConfig

# importing the family modules fills the registry
from aeviz.models import conv, denoising, linear, mlp, sparse, vae  # noqa: F401
from aeviz.models.registry import MODELS, list_models, register

if TYPE_CHECKING:
    from aeviz.models.base import Autoencoder

__all__ = ["MODELS", "build_model", "count_params", "list_models", "register", "skeleton"]

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


@functools.lru_cache(maxsize=512)  # a config is frozen: the Train page asks on every rerun
def count_params(config: ModelConfig) -> int:
    from aeviz.metrics import n_params

    return n_params(skeleton(config))


@functools.lru_cache(maxsize=512)
def step_bytes(config: ModelConfig, batch: int) -> int:
    """What one training step of `batch` images holds, estimated on the meta device (nothing allocated):
    the input and every layer's output, kept for the backward pass and matched by their gradients,
    in float32; plus the weights with their gradients and Adam's two moments."""
    model = skeleton(config)
    outputs = [0]

    def count(_module, _args, out) -> None:
        for t in out if isinstance(out, tuple) else (out,):
            if isinstance(t, torch.Tensor):
                outputs[0] += t.numel()

    leaves = [m for m in model.modules() if not list(m.children())]
    hooks = [m.register_forward_hook(count) for m in leaves]
    try:
        with torch.no_grad():
            model(torch.empty(batch, *config.shape, device="meta"))
    finally:
        for h in hooks:
            h.remove()
    activations = 2 * (batch * math.prod(config.shape) + outputs[0])
    return 4 * (activations + 4 * count_params(config))
