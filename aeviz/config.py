"""Frozen configs: hashable (usable as cache keys) and stored beside the weights they describe.

Plain data, no torch: building a `ModelConfig` validates it against the structural caps below,
so a config read from an upload is refused before anything is allocated for it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

FAMILIES = ("linear", "mlp", "conv", "sparse", "denoising", "vae")  # one file each in aeviz/models
ACTIVATIONS = ("relu", "sigmoid", "tanh", "identity")
RECON_LOSSES = ("mse", "bce")
UPSAMPLERS = ("transpose", "nearest", "unpool")
# "block": a square hole filled with grey (infilling, lecture 002); "gray": the colours taken away
# (colouring: a colour set's images are the targets)
NOISES = ("gaussian", "masking", "saltpepper", "block", "gray")
BACKBONES = ("mlp", "conv")
SPARSITY = ("none", "kl", "l1")
OPTIMIZERS = ("adam", "sgd")

# Structural caps: what a model of this app can be at all (the server's budget, in parameters and
# time, is `aeviz.limits`). They keep a crafted config from building 200,000 layers or a 4-billion
# weight matrix before any budget is checked.
MAX_SIDE = 128  # image height and width
MAX_LAYERS = 8  # hidden layers of a fully connected stack
MAX_WIDTH = 8192  # units in one layer
MAX_LATENT = 4096
MAX_CHANNELS = 512


def _choice(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; choose from {list(allowed)}")


def _int(name: str, value: Any, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number in [{lo}, {hi}], got {value!r}")


def _number(name: str, value: Any, lo: float, hi: float, *, open_lo: bool = False, open_hi: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > lo if open_lo else value >= lo) and (value < hi if open_hi else value <= hi)
    if not ok:
        interval = f"{'(' if open_lo else '['}{lo:g}, {hi:g}{')' if open_hi else ']'}"
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model; one dataclass for all six families."""

    family: str = "mlp"
    shape: tuple[int, int, int] = (1, 28, 28)  # (C, H, W) of one image: gray (C = 1) or colour (C = 3)
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
    # sparsity (lecture 003): beta * sum_j KL(rho || rho_hat_j) on a sigmoid code, or beta * mean |z|
    # ("l1"); any deterministic family may add it, the sparse family always has it
    sparsity: str = "none"
    rho: float = 0.05
    # beta weighs the regulariser: the sparsity penalty, or the VAE's KL term (beta-VAE). Both are
    # quoted against the reconstruction error summed over an image's pixels, averaged over the batch
    beta: float = 1.0
    # input corruption while training (lecture 003's denoising AE): any family may train on
    # x_tilde = corrupt(x); the denoising family is the one that must (noise_level > 0)
    noise: str = "gaussian"
    noise_level: float = 0.0
    # denoising and vae run on either backbone
    backbone: str = "mlp"
    # FC families: the decoder's weights are the encoder's, transposed (lecture 001's x' = s(W^T h + b'));
    # half the weights, and for one layer the PCA-like solution is W^T W
    tied: bool = False

    def __post_init__(self) -> None:
        _choice("model", self.family, FAMILIES)
        for attr, name, allowed in (
            ("activation", "activation", ACTIVATIONS), ("code_activation", "code activation", ACTIVATIONS),
            ("output_activation", "output activation", ACTIVATIONS), ("recon", "reconstruction loss", RECON_LOSSES),
            ("upsample", "upsampling", UPSAMPLERS), ("noise", "noise", NOISES), ("backbone", "backbone", BACKBONES),
            ("sparsity", "sparsity penalty", SPARSITY),
        ):  # fmt: skip
            _choice(name, getattr(self, attr), allowed)
        if self.family == "sparse" and self.sparsity == "none":
            object.__setattr__(self, "sparsity", "kl")  # the sparse family's penalty, unless l1 is asked for
        if not isinstance(self.shape, tuple) or len(self.shape) != 3:
            raise ValueError(f"shape must be (C, H, W), got {self.shape!r}")
        _int("channels of the image", self.shape[0], 1, 3)
        if self.shape[0] == 2:
            raise ValueError("images have 1 channel (gray) or 3 (colour), not 2")
        _int("image height", self.shape[1], 1, MAX_SIDE)
        _int("image width", self.shape[2], 1, MAX_SIDE)
        if not isinstance(self.hidden, tuple) or len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"hidden sizes: at most {MAX_LAYERS} layers, got {self.hidden!r}")
        for h in self.hidden:
            _int("a hidden size", h, 1, MAX_WIDTH)
        _int("latent size", self.latent, 1, MAX_LATENT)
        if not isinstance(self.channels, tuple) or len(self.channels) != 2:
            raise ValueError(f"channels must be two sizes (the conv backbone has two stages), got {self.channels!r}")
        for c in self.channels:
            _int("a channel count", c, 1, MAX_CHANNELS)
        for flag in ("batchnorm", "tied"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be true or false, got {getattr(self, flag)!r}")
        if self.tied and (self.is_conv or self.family == "vae"):
            raise ValueError("tied weights are for the fully connected families (the decoder is the encoder transposed)")
        _number("rho", self.rho, 0, 1, open_lo=True, open_hi=True)
        _number("beta", self.beta, 0, 1000)
        _number("noise level", self.noise_level, 0, 1)
        if self.is_conv and (self.shape[1] % 4 or self.shape[2] % 4):
            raise ValueError(
                f"the conv backbone pools twice: height and width must be multiples of 4, got {self.shape[1]}x{self.shape[2]}"
            )
        if self.family == "denoising" and self.noise_level <= 0:
            raise ValueError("a denoising autoencoder needs a noise level above 0")
        if self.noise == "gray" and self.noise_level > 0 and self.shape[0] != 3:
            raise ValueError("colouring (gray noise) needs colour images: pick a colour set, or another noise")
        if self.family == "vae" and self.sparsity != "none":
            raise ValueError("a VAE's beta weighs its KL term: sparsity is for the other families")
        if self.sparsity == "kl" and self.family != "sparse" and (self.code_activation != "sigmoid" or self.is_conv):
            raise ValueError("the KL sparsity penalty needs a sigmoid code (rho_hat is a mean activation): use l1")

    @property
    def n_pixels(self) -> int:
        c, h, w = self.shape
        return c * h * w

    @property
    def is_conv(self) -> bool:
        return self.family == "conv" or (self.family in ("denoising", "vae") and self.backbone == "conv")

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)

    def uses(self) -> set[str]:
        """The fields this model reads."""
        used = {"family", "shape", "recon"}
        if self.noise_level > 0:
            used |= {"noise", "noise_level"}
        if self.family in ("denoising", "vae"):
            used.add("backbone")
        if self.is_conv:
            used |= {"channels", "upsample", "output_activation"}
        else:
            used |= {"hidden", "latent"} | ({"output_activation"} if self.family != "linear" else set())
            used |= {"code_activation"} if self.family in ("mlp", "denoising") else set()
            used |= {"tied"} if self.tied else set()
            if self.hidden:  # activations and BatchNorm between hidden layers
                used |= {"activation"} if self.family != "linear" else set()
                used |= {"batchnorm"} if self.family != "vae" else set()
        if self.family == "vae":
            used |= {"latent", "beta"} | ({"activation"} if self.is_conv or self.hidden else set())
        if self.sparsity != "none":
            used |= {"sparsity", "beta"} | ({"rho"} if self.sparsity == "kl" else set())
        return used

    def normalised(self) -> ModelConfig:
        """The same model with every field it ignores at its default: a config says only what the
        model is (the manifest no longer claims that a linear AE uses ReLU)."""
        default, used = ModelConfig(), self.uses()
        return self.replace(**{f.name: getattr(default, f.name) for f in dataclasses.fields(self) if f.name not in used})

    def to_dict(self) -> dict[str, Any]:
        """The fields this model reads (the others take their defaults when read back)."""
        used = self.uses()
        return {k: v for k, v in dataclasses.asdict(self).items() if k in used}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        if not isinstance(d, dict):
            raise ValueError(f"a model config is a mapping of fields, got {type(d).__name__}")
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
    greedy: bool = False  # a stacked AE: train layer by layer (aeviz.stacked.pretrain), not end to end
    extra: tuple[tuple[str, Any], ...] = field(default=())  # free-form notes kept in the recipe

    def __post_init__(self) -> None:
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _int("epochs", self.epochs, 1, 10_000)
        _int("batch size", self.batch_size, 1, 65_536)
        _number("learning rate", self.lr, 0, 100, open_lo=True)
        _number("momentum", self.momentum, 0, 1, open_hi=True)
        _number("weight decay", self.weight_decay, 0, 1)
        _int("seed", self.seed, 0, 2**31 - 1)
        if self.max_samples is not None:
            _int("max_samples", self.max_samples, 1, 10_000_000)
        if self.threads is not None:
            _int("threads", self.threads, 1, 256)

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(map(tuple, v)) if k == "extra" else v for k, v in d.items() if k in known})
