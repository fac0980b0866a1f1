"""Fully connected autoencoder (lecture 000: 784-128-64-32, ReLU inside, sigmoid output)."""

from __future__ import annotations

from torch import Tensor, nn

from aeviz.config import ModelConfig
from aeviz.models import register
from aeviz.models.base import Autoencoder, mlp


@register("mlp")
class MLPAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        act, code_act, out_act = self.activations()
        sizes = [config.n_pixels, *config.hidden, config.latent]
        bn = config.batchnorm
        self.encoder = nn.Sequential(nn.Flatten(), *mlp(sizes, act, code_act, bn))
        self.decoder = nn.Sequential(*mlp(sizes[::-1], act, out_act, bn), nn.Unflatten(1, config.shape))

    def activations(self) -> tuple[str, str, str]:
        """(hidden, code, output) activations; the linear and sparse families override this."""
        c = self.config
        return c.activation, c.code_activation, c.output_activation

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)  # (B, C, H, W) -> (B, K)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)  # (B, K) -> (B, C, H, W)

    def decoder_linears(self) -> list[nn.Linear]:
        return [m for m in self.decoder if isinstance(m, nn.Linear)]
