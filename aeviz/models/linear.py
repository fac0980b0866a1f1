"""Linear autoencoder: the MLP with every activation removed (lecture 000's "FC linear").

With one hidden layer (P -> K -> P) and squared error it learns PCA's top-K subspace.
"""

from __future__ import annotations

from aeviz.models.mlp import MLPAutoencoder
from aeviz.models.registry import register


@register("linear")
class LinearAutoencoder(MLPAutoencoder):
    def activations(self) -> tuple[str, str, str]:
        return "identity", "identity", "identity"
