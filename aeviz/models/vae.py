"""Variational autoencoder (lecture 001; Kingma & Welling 2014), on the MLP or the conv backbone.

loss = reconstruction + beta * KL(q(z|x) || N(0, I)), z = mu + sigma * eps (reparameterisation).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from aeviz.config import ModelConfig
from aeviz.models.base import (
    Autoencoder,
    Filters,
    Output,
    activation,
    linear_filters,
    mlp,
    reconstruction_per_image,
    tile_shape,
)  # fmt: skip
from aeviz.models.conv import ConvDecoder, ConvEncoder
from aeviz.models.registry import register


class DiagonalGaussian:
    """q(z|x) = N(mu, diag(exp(logvar)))."""

    def __init__(self, mu: Tensor, logvar: Tensor) -> None:
        self.mu = mu
        self.logvar = logvar.clamp(-30.0, 20.0)  # exp() stays finite early in training
        self.std = torch.exp(0.5 * self.logvar)

    def sample(self, generator: torch.Generator | None = None, eps: Tensor | None = None) -> Tensor:
        """z = mu + sigma * eps, eps ~ N(0, I) (or the `eps` given): differentiable in mu and logvar."""
        if eps is None:
            eps = torch.randn(self.mu.shape, generator=generator, dtype=self.mu.dtype, device=self.mu.device)
        return self.mu + self.std * eps

    def mode(self) -> Tensor:
        return self.mu

    def kl_per_dim(self) -> Tensor:
        """KL(q(z_j|x) || N(0, 1)) for each latent dimension (Kingma & Welling 2014, App. B):
        1/2 (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2). Lecture 001's slide has a leading minus: a typo,
        a KL divergence is never negative."""
        return 0.5 * (self.mu.square() + self.logvar.exp() - 1.0 - self.logvar)

    def kl(self) -> Tensor:
        """KL(q || N(0, I)) per sample, summed over latent dims."""
        return self.kl_per_dim().sum(1)


@register("vae")
class VariationalAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__(config)
        c = config
        k = c.latent
        if c.backbone == "conv":
            c2, h, w = c.channels[1], c.shape[1] // 4, c.shape[2] // 4
            self.trunk = nn.Sequential(_FirstOf(ConvEncoder(c.shape[0], c.channels, False)), nn.Flatten())
            self.head = nn.Linear(c2 * h * w, 2 * k)
            upsample = "transpose" if c.upsample == "unpool" else c.upsample  # no indices to unpool with
            self.decoder = nn.Sequential(
                nn.Linear(k, c2 * h * w),
                activation(c.activation),
                nn.Unflatten(1, (c2, h, w)),
                ConvDecoder(c.shape[0], c.channels, upsample, c.output_activation),
            )
        else:
            sizes = [c.n_pixels, *c.hidden]
            self.trunk = nn.Sequential(nn.Flatten(), *mlp(sizes, c.activation, c.activation))
            self.head = nn.Linear(sizes[-1], 2 * k)  # mu and logvar side by side
            self.decoder = nn.Sequential(
                *mlp([k, *c.hidden[::-1], c.n_pixels], c.activation, c.output_activation),
                nn.Unflatten(1, c.shape),
            )

    def posterior(self, x: Tensor) -> DiagonalGaussian:
        mu, logvar = self.head(self.trunk(x)).chunk(2, dim=1)  # (B, K) each
        return DiagonalGaussian(mu, logvar)

    def encode(self, x: Tensor) -> Tensor:
        q = self.posterior(x)
        return q.sample() if self.training else q.mode()  # mu in eval mode

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def forward(self, x: Tensor) -> Output:
        q = self.posterior(x)
        z = q.sample() if self.training else q.mode()
        return Output(x_hat=self.decode(z), z=z, mu=q.mu, logvar=q.logvar)

    def regulariser(self, out: Output) -> Tensor:
        return self.config.beta * DiagonalGaussian(out.mu, out.logvar).kl().mean()

    @torch.no_grad()
    def elbo(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """One-sample ELBO per image in nats: E_q[log p(x|z)] - KL(q || p), beta = 1."""
        q = self.posterior(x)
        x_hat = self.decode(q.sample(generator))
        return -(reconstruction_per_image(x_hat, x, self.config.recon) + q.kl())

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        z = torch.randn((n, self.config.latent), generator=generator)
        return self.decode(z)

    # --- hooks ---------------------------------------------------------------------------------------

    def _conv(self) -> ConvEncoder | None:
        first = self.trunk[0]
        return first.module if isinstance(first, _FirstOf) else None

    def encoder_filters(self) -> list[Filters]:
        conv = self._conv()
        layers = conv.filters() if conv is not None else linear_filters(
            [m for m in self.trunk if isinstance(m, nn.Linear)], self.config.shape
        )  # fmt: skip
        k, n_in = self.config.latent, self.head.in_features
        w = self.head.weight.detach().float()  # (2K, n_in): mu's rows, then logvar's
        if conv is not None:
            c2, h, ww = self.config.channels[1], self.config.shape[1] // 4, self.config.shape[2] // 4
            tiles, where = w.reshape(2 * k, c2 * h, ww).numpy(), f"the {c2}x{h}x{ww} feature maps"
        else:
            th, tw = tile_shape(n_in)
            tiles, where = w.reshape(2 * k, th, tw).numpy(), f"{n_in} units"
        return [*layers, Filters(f"head: μ and log σ² ({k} + {k} units) from {where}", tiles, "fc")]

    def encoder_linears(self) -> list[nn.Linear]:
        return [*[m for m in self.trunk.modules() if isinstance(m, nn.Linear)], self.head]

    def feature_stages(self, x: Tensor) -> list[tuple[str, np.ndarray]]:
        conv = self._conv()
        return conv.stages(x) if conv is not None else []

    def extra_metrics(self, x: Tensor, out: Output, generator: torch.Generator) -> dict[str, Tensor]:
        return {"elbo": self.elbo(x, generator)}  # nats per image


class _FirstOf(nn.Module):
    """Keeps the code of a module that returns (code, extras)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: Tensor) -> Tensor:
        return self.module(x)[0]
