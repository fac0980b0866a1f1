"""What every autoencoder shares: encode, decode, a named forward output and a named loss, plus the
hooks the app reads (filters, feature maps, the browser decoder, extra metrics). A family overrides
only the hooks where it differs.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aeviz import webdecoder
from aeviz.config import ModelConfig


class Output(NamedTuple):
    x_hat: Tensor  # (B, C, H, W) reconstruction in [0, 1]
    z: Tensor  # the code: (B, K), or (B, C', H', W') for the conv family
    mu: Tensor | None = None  # VAE posterior mean
    logvar: Tensor | None = None  # VAE posterior log-variance


class LossBreakdown(NamedTuple):
    total: Tensor
    recon: Tensor  # per image, summed over pixels (the lectures' L = sum_i (x_i - x_hat_i)^2)
    reg: Tensor  # sparsity penalty or beta * KL; 0 for plain autoencoders


class Filters(NamedTuple):
    """One encoder layer's weights as pictures: (P, h, w), or (P, 3, h, w) for a colour input layer."""

    label: str
    weights: np.ndarray
    kind: str  # "fc" (one tile per unit) or "conv" (one tile per kernel)


def activation(name: str) -> nn.Module:
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "identity": nn.Identity}[name]()


def mlp(sizes: list[int], act: str, last_act: str, batchnorm: bool = False) -> list[nn.Module]:
    """Linear layers between consecutive `sizes`, `act` between them and `last_act` at the end.

    With `batchnorm`, every hidden layer is Linear -> BatchNorm1d -> `act`.
    """
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        last = i == len(sizes) - 2
        act_i = last_act if last else act
        linear = nn.Linear(n_in, n_out)
        if act_i == "relu":
            # He et al. 2015: keeps activations' scale through deep ReLU stacks (torch's default
            # init shrinks them layer by layer, and a 784-1000-500-250-32 AE then learns slowly)
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        layers += [linear, nn.BatchNorm1d(n_out), activation(act_i)] if batchnorm and not last else [linear, activation(act_i)]
    return layers


def reconstruction_per_image(x_hat: Tensor, x: Tensor, kind: str) -> Tensor:
    """(B,) errors summed over pixels: the lectures' L = sum_i (x_i - x_hat_i)^2, or cross-entropy."""
    if kind == "bce":
        # tutorial 10: J = -sum_p x_p log y_p + (1 - x_p) log(1 - y_p); torch clamps log at -100
        return F.binary_cross_entropy(x_hat.clamp(0, 1), x, reduction="none").flatten(1).sum(1)
    return (x_hat - x).square().flatten(1).sum(1)


def reconstruction_loss(x_hat: Tensor, x: Tensor, kind: str) -> Tensor:
    """Summed over pixels, averaged over the batch: the scale the lectures' beta is quoted at."""
    return reconstruction_per_image(x_hat, x, kind).mean()


EPS = 1e-6  # keeps log(rho_hat) finite when a unit is fully off or on for a whole batch


def kl_bernoulli(rho: float, rho_hat: Tensor) -> Tensor:
    """KL(rho || rho_hat) between Bernoulli distributions, elementwise (lecture 003)."""
    rho_hat = rho_hat.clamp(EPS, 1 - EPS)
    return rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))


def sparsity_penalty(z: Tensor, config: ModelConfig) -> Tensor:
    """J_S - J = beta * sum_j KL(rho || rho_hat_j), rho_hat_j unit j's mean over the batch; or beta * mean |z|."""
    z = z.flatten(1)
    if config.sparsity == "l1":
        return config.beta * z.abs().sum(1).mean()
    return config.beta * kl_bernoulli(config.rho, z.mean(0)).sum()


def tile_shape(n: int, like: tuple[int, int] | None = None) -> tuple[int, int]:
    """(h, w) with h * w == n, as square as possible, wider than tall (128 -> 8x16, 64 -> 8x8)."""
    if like and like[0] * like[1] == n:
        return like
    h = math.isqrt(n)
    while n % h:
        h -= 1
    return h, n // h


def linear_filters(linears: list[nn.Linear], shape: tuple[int, int, int]) -> list[Filters]:
    """Lecture 000's filter view of a fully connected encoder: each layer's weights W^(k) (without
    bias) as (P^(k), h, w) tiles; layer 1's rows are images, deeper rows reshaped to the nearest
    rectangle (128 -> 8x16, 64 -> 8x8)."""
    c, h, w = shape
    out = []
    for i, lin in enumerate(linears, 1):
        wgt = lin.weight.detach().float()  # (P^(k), P^(k-1))
        if i == 1 and c == 3:
            out.append(Filters(f"layer 1: {wgt.shape[0]} colour filters of {h}x{w}", wgt.reshape(-1, 3, h, w).numpy(), "fc"))
            continue
        th, tw = tile_shape(wgt.shape[1], (h, w) if i == 1 else None)
        out.append(Filters(f"layer {i}: {wgt.shape[0]} filters of {th}x{tw}", wgt.reshape(-1, th, tw).numpy(), "fc"))
    return out


class Autoencoder(nn.Module):
    """Base class: subclasses define `encode` and `decode`; the VAE overrides `regulariser`."""

    config: ModelConfig

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config.normalised()  # says only what the model is (fields it ignores at defaults)

    def encode(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def decode(self, z: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Output:
        z = self.encode(x)
        return Output(x_hat=self.decode(z), z=z)

    def regulariser(self, out: Output) -> Tensor:
        if self.config.sparsity == "none":
            return out.x_hat.new_zeros(())
        return sparsity_penalty(out.z, self.config)

    def loss(self, x: Tensor, out: Output) -> LossBreakdown:
        recon = reconstruction_loss(out.x_hat, x, self.config.recon)
        reg = self.regulariser(out)
        return LossBreakdown(recon + reg, recon, reg)

    @torch.no_grad()
    def reconstruct(self, x: Tensor) -> Tensor:
        """x_hat for inputs in [0, 1], in eval mode (no sampling, BatchNorm's running statistics).
        Shared models are always in eval mode, so this never flips a mode another thread relies on."""
        if not self.training:
            return self(x).x_hat
        self.eval()
        try:
            return self(x).x_hat
        finally:
            self.train()

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return (self.config.latent,)

    @property
    def latent_size(self) -> int:
        return math.prod(self.latent_shape)

    @torch.no_grad()
    def codes(self, x: Tensor, batch: int = 1000) -> Tensor:
        """z for every image, flattened to (N, K) (a VAE's mu)."""
        return torch.cat([self.encode(x[i : i + batch]).flatten(1) for i in range(0, len(x), batch)])

    # --- hooks the app reads ------------------------------------------------------------------------

    def encoder_linears(self) -> list[nn.Linear]:
        enc = getattr(self, "encoder", None)
        return [m for m in enc.modules() if isinstance(m, nn.Linear)] if enc is not None else []

    def encoder_filters(self) -> list[Filters]:
        """Every encoder layer's weights as pictures, input side first."""
        return linear_filters(self.encoder_linears(), self.config.shape)

    @torch.no_grad()
    def feature_stages(self, x: Tensor) -> list[tuple[str, np.ndarray]]:
        """The activations of one input (1, C, H, W) after each conv / pool stage; [] without convolutions."""
        return []

    def export_decoder(self) -> dict:
        """The decoder as layers the browser runs (aeviz/ui/decoder.js): {"id", "latent", "shape", "layers"}."""
        return webdecoder.spec(webdecoder.ops(self.decoder), [self.config.latent], self.config.shape)

    def extra_metrics(self, x: Tensor, out: Output, generator: torch.Generator) -> dict[str, Tensor]:
        """Per-image values of the family's own test metrics (averaged by `aeviz.evaluate`)."""
        if self.config.sparsity == "kl":
            return {"rho_hat": out.z.flatten(1).mean(1)}  # mean activation of the code's units
        return {}
