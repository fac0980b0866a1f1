"""Denoising autoencoder (lecture 003): see x_tilde = corrupt(x) while training, reconstruct the clean x.

Corruption happens in `forward` in training mode only; in eval mode the model maps what it is
given (a noisy image, say) to its best clean guess. Runs on the MLP or the conv backbone.
"""

from __future__ import annotations

from torch import Tensor

from aeviz.config import ModelConfig
from aeviz.models import register
from aeviz.models.base import Autoencoder, Output
from aeviz.models.conv import ConvAutoencoder
from aeviz.models.mlp import MLPAutoencoder
from aeviz.noise import corrupt


@register("denoising")
class DenoisingAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        backbone = ConvAutoencoder if config.backbone == "conv" else MLPAutoencoder
        self.net = backbone(config)

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return self.net.latent_shape

    def encode(self, x: Tensor) -> Tensor:
        return self.net.encode(x)

    def decode(self, z: Tensor) -> Tensor:
        return self.net.decode(z)

    def forward(self, x: Tensor) -> Output:
        x_tilde = corrupt(x, self.config.noise, self.config.noise_level) if self.training else x
        out = self.net(x_tilde)
        return out._replace(x_tilde=x_tilde)  # the loss still compares x_hat with the clean x
