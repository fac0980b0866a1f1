"""Fully connected autoencoder (lecture 000: 784-128-64-32, ReLU inside, sigmoid output)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from aeviz import webdecoder
from aeviz.config import ModelConfig
from aeviz.models.base import Autoencoder, mlp
from aeviz.models.registry import register


@register("mlp")
class MLPAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        act, code_act, out_act = self.activations()
        sizes = [config.n_pixels, *config.hidden, config.latent]
        bn = config.batchnorm
        self.encoder = nn.Sequential(nn.Flatten(), *mlp(sizes, act, code_act, bn))
        self.decoder = nn.Sequential(*mlp(sizes[::-1], act, out_act, bn), nn.Unflatten(1, config.shape))
        if config.tied:  # each decoder layer uses its mirror encoder layer's weights, transposed
            enc = [m for m in self.encoder if isinstance(m, nn.Linear)][::-1]
            layers = list(self.decoder)
            for i, m in enumerate(layers):
                if isinstance(m, nn.Linear):
                    layers[i] = TiedLinear(enc.pop(0), m.bias)
            self.decoder = nn.Sequential(*layers)

    def activations(self) -> tuple[str, str, str]:
        """(hidden, code, output) activations; the linear and sparse families override this."""
        c = self.config
        return c.activation, c.code_activation, c.output_activation

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)  # (B, C, H, W) -> (B, K)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)  # (B, K) -> (B, C, H, W)

    def decoder_linears(self) -> list[nn.Module]:
        return [m for m in self.decoder if isinstance(m, nn.Linear | TiedLinear)]


class TiedLinear(nn.Module):
    """y = W^T x + b: the mirror encoder layer's weight W, transposed, and a bias of its own."""

    def __init__(self, source: nn.Linear, bias: nn.Parameter) -> None:
        super().__init__()
        object.__setattr__(self, "source", source)  # not a submodule: its weight is saved once, as the encoder's
        self.bias = bias
        self.in_features, self.out_features = source.out_features, source.in_features

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.source.weight.t(), self.bias)

    def export_ops(self) -> list[dict]:
        return [webdecoder.linear_weights(self.source.weight.detach().t(), self.bias.detach())]
