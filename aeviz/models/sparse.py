"""Sparse autoencoder: a sigmoid code whose mean activation is pulled towards rho (lecture 003).

J_S = J + beta * sum_j KL(rho || rho_hat_j), rho_hat_j the mean activation of unit j over the batch.
The penalty itself (`base.sparsity_penalty`) is open to every deterministic family; this family is
the fully connected AE that always has it, on a sigmoid code so that rho_hat is a probability.
"""

from __future__ import annotations

from aeviz.models.mlp import MLPAutoencoder
from aeviz.models.registry import register


@register("sparse")
class SparseAutoencoder(MLPAutoencoder):
    def activations(self) -> tuple[str, str, str]:
        c = self.config
        return c.activation, "sigmoid", c.output_activation  # rho_hat must be a probability
