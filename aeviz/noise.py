"""Corruptions for denoising autoencoders (lecture 003; tutorial 10's multiplicative "masking" noise)."""

from __future__ import annotations

import torch
from torch import Tensor

from aeviz.config import NOISES


def corrupt(x: Tensor, kind: str, level: float, generator: torch.Generator | None = None) -> Tensor:
    """x_tilde for x in [0, 1]; `level` is sigma (gaussian), the fraction of pixels hit (masking, salt
    and pepper), the block's side as a fraction of the image's (block), or how much colour goes (gray)."""
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
    if kind == "block":
        return block(x, level, generator)
    if kind == "gray":
        return (1 - level) * x + level * gray(x)
    # salt and pepper: a fraction `level` of pixels set to 0 or 1 with equal odds
    hit = u < level
    salt = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)


GREY = 0.5  # a hole's fill: a black patch would vanish on MNIST's black background


def block(x: Tensor, level: float, generator: torch.Generator | None = None) -> Tensor:
    """One square hole per image, grey, at a random place, of a random side up to `level` x the image's
    shorter side (at least half that): a model trained on it fills holes of every size it will meet."""
    h, w = x.shape[-2:]
    most = max(1, round(level * min(h, w)))
    n = x.reshape(-1, *x.shape[-3:]).shape[0]
    side = torch.randint((most + 1) // 2, most + 1, (n,), generator=generator)
    top = (torch.rand(n, generator=generator) * (h - side + 1)).long()
    left = (torch.rand(n, generator=generator) * (w - side + 1)).long()
    rows, cols = torch.arange(h)[None, :, None], torch.arange(w)[None, None, :]
    t, lf, e = top[:, None, None], left[:, None, None], side[:, None, None]
    inside = (rows >= t) & (rows < t + e) & (cols >= lf) & (cols < lf + e)
    mask = inside[:, None].reshape(*x.shape[:-3], 1, h, w)
    return torch.where(mask, torch.full_like(x, GREY), x)


def gray(x: Tensor) -> Tensor:
    """ITU-R 601 luma of colour images (..., 3, H, W), repeated on the three channels; gray images as they are."""
    if x.shape[-3] != 3:
        return x
    weights = torch.tensor([0.299, 0.587, 0.114], dtype=x.dtype, device=x.device).view(3, 1, 1)
    return (x * weights).sum(-3, keepdim=True).expand_as(x).clone()
