"""Corruptions for denoising autoencoders (lecture 003; tutorial 10's multiplicative "masking" noise)."""

from __future__ import annotations

import torch
from torch import Tensor

from aeviz.config import NOISES


def corrupt(x: Tensor, kind: str, level: float, generator: torch.Generator | None = None) -> Tensor:
    """x_tilde for x in [0, 1]; `level` is sigma (gaussian) or the fraction of pixels hit."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; choose from {list(NOISES)}")
    if level == 0:
        return x
    u = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    if kind == "gaussian":
        eps = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return (x + level * eps).clamp_(0, 1)  # clipped: the result must still be an image
    if kind == "masking":
        return x * (u >= level)  # zero a fraction `level` of the pixels
    # salt and pepper: a fraction `level` of pixels set to 0 or 1 with equal odds
    hit = u < level
    salt = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)
