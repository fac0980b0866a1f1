"""Sparse autoencoder: a sigmoid code whose mean activation is pulled towards rho (lecture 003).

J_S = J + beta * sum_j KL(rho || rho_hat_j), rho_hat_j the mean activation of unit j over the batch.
"""

from __future__ import annotations

import torch
from torch import Tensor

from aeviz.models import register
from aeviz.models.base import Output
from aeviz.models.mlp import MLPAutoencoder

EPS = 1e-6  # keeps log(rho_hat) finite when a unit is fully off or on for a whole batch


def kl_bernoulli(rho: float, rho_hat: Tensor) -> Tensor:
    """KL(rho || rho_hat) between Bernoulli distributions, elementwise."""
    rho_hat = rho_hat.clamp(EPS, 1 - EPS)
    return rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))


@register("sparse")
class SparseAutoencoder(MLPAutoencoder):
    def activations(self) -> tuple[str, str, str]:
        c = self.config
        return c.activation, "sigmoid", c.output_activation  # rho_hat must be a probability

    def regulariser(self, out: Output) -> Tensor:
        c = self.config
        if c.sparsity == "l1":
            return c.beta * out.z.abs().sum(1).mean()
        rho_hat = out.z.mean(0)  # (K,)
        return c.beta * kl_bernoulli(c.rho, rho_hat).sum()
