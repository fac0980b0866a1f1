"""Denoising autoencoder (lecture 003): trained on x_tilde = corrupt(x), it learns to give back the clean x.

Denoising is a training regime, not an architecture: the training loop corrupts the inputs of any
model whose config has a noise level above 0 (`aeviz.train`). This family is that regime on the MLP
or the conv backbone, with the noise level required. In use, the model maps whatever it is given
(a noisy image, say) to its best clean guess.
"""

from __future__ import annotations

from aeviz.config import ModelConfig
from aeviz.models.base import Autoencoder
from aeviz.models.conv import ConvAutoencoder
from aeviz.models.mlp import MLPAutoencoder
from aeviz.models.registry import register


@register("denoising")
def denoising_autoencoder(config: ModelConfig) -> Autoencoder:
    return (ConvAutoencoder if config.backbone == "conv" else MLPAutoencoder)(config)
