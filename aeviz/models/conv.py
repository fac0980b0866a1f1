"""Convolutional autoencoder (lecture 000): Conv16-pool-Conv8-pool, then two upsampling stages.

The decoder's upsampling is selectable, as in the lecture's unpooling slides:
- "transpose": ConvTranspose 2x2 stride 2 (learned "unpooling + convolution"), the lecture's model;
- "nearest": nearest-neighbour upsample then a 3x3 convolution;
- "unpool": max-unpooling with the encoder's remembered indices, then a 3x3 convolution.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from aeviz import webdecoder
from aeviz.config import ModelConfig
from aeviz.models.base import Autoencoder, Filters, Output, activation
from aeviz.models.registry import register
from aeviz.models.unpool import bed_of_nails

Indices = tuple[Tensor, Tensor] | None


class ConvEncoder(nn.Module):
    def __init__(self, in_ch: int, channels: tuple[int, ...], keep_indices: bool) -> None:
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(in_ch, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.keep_indices = keep_indices  # only max-unpooling needs them, and they cost time
        # channels-last: oneDNN's convolutions and max-pooling ran ~1.2x faster per training step here
        self.to(memory_format=torch.channels_last)

    def forward(self, x: Tensor) -> tuple[Tensor, Indices]:
        h = F.relu(self.conv1(x))  # (B, c1, H, W)
        if not self.keep_indices:
            h = F.relu(self.conv2(F.max_pool2d(h, 2)))  # (B, c2, H/2, W/2)
            return F.max_pool2d(h, 2), None  # (B, c2, H/4, W/4)
        h, i1 = F.max_pool2d(h, 2, return_indices=True)
        h = F.relu(self.conv2(h))
        z, i2 = F.max_pool2d(h, 2, return_indices=True)
        return z, (i1, i2)

    @torch.no_grad()
    def stages(self, x: Tensor) -> list[tuple[str, np.ndarray]]:
        """Each stage's activations for one input (1, C, H, W): what the Learned filters page shows."""
        h1 = F.relu(self.conv1(x))
        p1 = F.max_pool2d(h1, 2)
        h2 = F.relu(self.conv2(p1))
        z = F.max_pool2d(h2, 2)
        named = [("conv 1 + ReLU", h1), ("max-pool 1", p1), ("conv 2 + ReLU", h2), ("max-pool 2 = z", z)]
        return [(name, t[0].float().numpy()) for name, t in named]

    def filters(self) -> list[Filters]:
        """Every (out, in) 3x3 kernel; a colour input's first kernels as colour tiles."""
        out = []
        for i, conv in enumerate((self.conv1, self.conv2), 1):
            k = conv.weight.detach().float()  # (out, in, 3, 3)
            label = f"conv {i}: {k.shape[0]} x {k.shape[1]} kernels 3x3"
            weights = k.numpy() if i == 1 and k.shape[1] == 3 else k.reshape(-1, 3, 3).numpy()
            out.append(Filters(label, weights, "conv"))
        return out


class ConvDecoder(nn.Module):
    def __init__(self, out_ch: int, channels: tuple[int, ...], upsample: str, out_act: str) -> None:
        super().__init__()
        c1, c2 = channels
        self.upsample = upsample
        if upsample == "transpose":
            self.conv1 = nn.ConvTranspose2d(c2, c1, 2, stride=2)
            self.conv2 = nn.ConvTranspose2d(c1, out_ch, 2, stride=2)
        else:
            self.conv1 = nn.Conv2d(c2, c1, 3, padding=1)
            self.conv2 = nn.Conv2d(c1, out_ch, 3, padding=1)
        self.out_act = activation(out_act)
        self.to(memory_format=torch.channels_last)  # as the encoder

    def _up(self, h: Tensor, indices: Tensor | None) -> Tensor:
        if self.upsample == "transpose":
            return h  # the transposed convolution upsamples by itself
        if self.upsample == "nearest":
            return F.interpolate(h, scale_factor=2, mode="nearest")
        # without remembered indices (decoding a free z) fall back to the bed of nails
        idx = indices if indices is not None else bed_of_nails(h)
        return F.max_unpool2d(h, idx, 2)

    def forward(self, z: Tensor, indices: Indices = None) -> Tensor:
        i1, i2 = indices if indices is not None else (None, None)
        h = F.relu(self.conv1(self._up(z, i2)))  # (B, c1, H/2, W/2)
        return self.out_act(self.conv2(self._up(h, i1)))  # (B, C, H, W)

    def export_ops(self) -> list[dict]:
        """The browser's ops, as `forward` for a free z: without encoder indices, unpool = bed of nails."""
        up = {"transpose": [], "nearest": [{"op": "upsample"}], "unpool": [{"op": "nails"}]}[self.upsample]
        return [*up, webdecoder.conv(self.conv1), {"op": "relu"}, *up, webdecoder.conv(self.conv2), *webdecoder.ops(self.out_act)]


@register("conv")
class ConvAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        self.encoder = ConvEncoder(config.shape[0], config.channels, config.upsample == "unpool")
        self.decoder = ConvDecoder(config.shape[0], config.channels, config.upsample, config.output_activation)

    @property
    def latent_shape(self) -> tuple[int, ...]:
        _, h, w = self.config.shape
        return (self.config.channels[1], h // 4, w // 4)  # the code is a stack of feature maps: `latent` is unused

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x)[0]

    def decode(self, z: Tensor, indices: Indices = None) -> Tensor:
        return self.decoder(z, indices)

    def forward(self, x: Tensor) -> Output:
        z, indices = self.encoder(x)
        return Output(x_hat=self.decoder(z, indices), z=z)

    def encoder_filters(self) -> list[Filters]:
        return self.encoder.filters()

    def feature_stages(self, x: Tensor) -> list[tuple[str, np.ndarray]]:
        return self.encoder.stages(x)

    def export_decoder(self) -> dict:
        layers = [{"op": "reshape", "shape": list(self.latent_shape)}, *self.decoder.export_ops()]
        return webdecoder.spec(layers, list(self.latent_shape), self.config.shape)
