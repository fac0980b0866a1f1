"""Frozen configs: hashable (usable as cache keys) and stored beside the weights they describe."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")
RECON_LOSSES = ("mse", "bce")
UPSAMPLERS = ("transpose", "nearest", "unpool")
NOISES = ("gaussian", "masking", "saltpepper")
BACKBONES = ("mlp", "conv")
SPARSITY = ("kl", "l1")
OPTIMIZERS = ("adam", "sgd")


def _choice(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose from {list(allowed)}")


def _positive(name: str, value: float, upper: float = math.inf) -> None:
    if not (isinstance(value, int | float) and 0 < value <= upper and math.isfinite(value)):
        raise ValueError(f"{name} must be a number in (0, {upper:g}], got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model; one dataclass for all six families.

    Fields a family does not use are ignored by it (and kept at their defaults by the presets).
    """

    family: str = "mlp"
    shape: tuple[int, int, int] = (1, 28, 28)  # (C, H, W) of one image
    hidden: tuple[int, ...] = (128, 64)  # lecture 000: 784-128-64-32
    latent: int = 32
    activation: str = "relu"  # hidden layers; the lecture's "linear" AE uses identity
    # FC stacks: BatchNorm after each hidden layer (Ioffe & Szegedy 2015). The deep 784-1000-500-250-32
    # AE trains ~1.3x faster per epoch of progress with it; at eval it is an affine map folded into the layer
    batchnorm: bool = False
    code_activation: str = "identity"  # on z itself; the sparse family forces sigmoid
    output_activation: str = "sigmoid"  # pixels live in [0, 1]
    recon: str = "mse"  # "bce" is the tutorial's cross-entropy for bit-like inputs
    # conv backbone (lecture 000): Conv16-pool-Conv8-pool, then a selectable upsampler
    channels: tuple[int, ...] = (16, 8)
    upsample: str = "transpose"
    # sparse: beta * sum_j KL(rho || rho_hat_j) (lecture 003), or beta * mean |z| with "l1"
    rho: float = 0.05
    sparsity: str = "kl"
    # beta weighs the regulariser: the sparsity penalty, or the VAE's KL term (beta-VAE)
    beta: float = 1.0
    # denoising: corruption applied at train time only
    noise: str = "gaussian"
    noise_level: float = 0.5
    # denoising and vae run on either backbone
    backbone: str = "mlp"

    def __post_init__(self) -> None:
        from aeviz.models import MODELS  # late import: the registry imports this module

        _choice("model", self.family, tuple(sorted(MODELS)))
        _choice("activation", self.activation, ACTIVATIONS)
        _choice("code activation", self.code_activation, ACTIVATIONS)
        _choice("output activation", self.output_activation, ACTIVATIONS)
        _choice("reconstruction loss", self.recon, RECON_LOSSES)
        _choice("upsampling", self.upsample, UPSAMPLERS)
        _choice("noise", self.noise, NOISES)
        _choice("backbone", self.backbone, BACKBONES)
        _choice("sparsity penalty", self.sparsity, SPARSITY)
        if len(self.shape) != 3 or any(int(s) < 1 for s in self.shape):
            raise ValueError(f"shape must be (C, H, W) with positive sizes, got {self.shape!r}")
        if not 1 <= self.latent <= 4096:
            raise ValueError(f"latent size must be in [1, 4096], got {self.latent}")
        if any(not 1 <= h <= 8192 for h in self.hidden):
            raise ValueError(f"hidden sizes must be in [1, 8192], got {self.hidden}")
        if not 0 < self.rho < 1:
            raise ValueError(f"rho must be in (0, 1), got {self.rho}")
        if not 0 <= self.beta <= 1000:
            raise ValueError(f"beta must be in [0, 1000], got {self.beta}")
        if not 0 <= self.noise_level <= 1:
            raise ValueError(f"noise level must be in [0, 1], got {self.noise_level}")
        if any(not 1 <= c <= 512 for c in self.channels) or len(self.channels) != 2:
            raise ValueError(f"channels must be two sizes in [1, 512], got {self.channels}")

    @property
    def n_pixels(self) -> int:
        c, h, w = self.shape
        return c * h * w

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config fields {sorted(unknown)}")
        # JSON has lists where the dataclass wants (hashable) tuples
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


@dataclass(frozen=True)
class TrainConfig:
    """How to train; the lectures' alpha is `lr`."""

    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "adam"
    lr: float = 1e-3  # alpha
    momentum: float = 0.0  # SGD only
    weight_decay: float = 0.0
    cosine: bool = True  # decay lr to 0 over the run: lands closer to the optimum in few epochs
    seed: int = 0
    max_samples: int | None = None  # train on the first N samples only (classroom subsets)
    threads: int | None = None  # torch intra-op threads; None keeps torch's default
    extra: tuple[tuple[str, Any], ...] = field(default=())  # free-form notes kept in the recipe

    def __post_init__(self) -> None:
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        if not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs must be in [1, 10000], got {self.epochs}")
        if not 1 <= self.batch_size <= 65_536:
            raise ValueError(f"batch size must be in [1, 65536], got {self.batch_size}")
        _positive("learning rate", self.lr, upper=100.0)
        if self.max_samples is not None and self.max_samples < 1:
            raise ValueError(f"max_samples must be positive, got {self.max_samples}")

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
