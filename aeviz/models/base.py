"""What every autoencoder shares: encode, decode, a named forward output and a named loss."""

from __future__ import annotations

import itertools
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aeviz.config import ModelConfig


class Output(NamedTuple):
    x_hat: Tensor  # (B, C, H, W) reconstruction in [0, 1]
    z: Tensor  # the code: (B, K), or (B, C', H', W') for the conv family
    mu: Tensor | None = None  # VAE posterior mean
    logvar: Tensor | None = None  # VAE posterior log-variance
    x_tilde: Tensor | None = None  # the corrupted input a denoiser saw (train time only)


class LossBreakdown(NamedTuple):
    total: Tensor
    recon: Tensor  # per image, summed over pixels (the lectures' L = sum_i (x_i - x_hat_i)^2)
    reg: Tensor  # sparsity penalty or beta * KL; 0 for plain autoencoders


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


class Autoencoder(nn.Module):
    """Base class: subclasses define `encode` and `decode`; regularised ones override `regulariser`."""

    config: ModelConfig

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config

    def encode(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def decode(self, z: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Output:
        z = self.encode(x)
        return Output(x_hat=self.decode(z), z=z)

    def regulariser(self, out: Output) -> Tensor:
        return out.x_hat.new_zeros(())

    def loss(self, x: Tensor, out: Output) -> LossBreakdown:
        recon = reconstruction_loss(out.x_hat, x, self.config.recon)
        reg = self.regulariser(out)
        return LossBreakdown(recon + reg, recon, reg)

    @torch.no_grad()
    def reconstruct(self, x: Tensor) -> Tensor:
        """x_hat for inputs in [0, 1], in eval mode (no noise, no sampling)."""
        was_training = self.training
        self.eval()
        try:
            return self(x).x_hat
        finally:
            self.train(was_training)

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return (self.config.latent,)

    def first_layer_filters(self) -> Tensor:
        """Weights of the first encoder layer, one filter per row/kernel (lecture 000's visualisation)."""
        for m in self.modules():
            if isinstance(m, nn.Linear | nn.Conv2d):
                return m.weight.detach()
        raise ValueError("model has no weighted layer")
