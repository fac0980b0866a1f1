"""Numbers the lessons quote that are not a training loss: Keras's binary accuracy, an infilled hole's error.

Torch-only helpers on image tensors in [0, 1], shared by the pages and `python -m aeviz.bench lectures`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from aeviz.noise import GREY


def binary_accuracy(x_hat: Tensor, x: Tensor) -> float:
    """Keras's `binary_accuracy` metric, as lecture 003's conv AE (88 %) and denoiser (92 %) report it:
    the share of pixels where round(x_hat) equals x exactly. On images whose pixels are not all 0 or 1
    only the pixels that are exactly 0 or 1 can ever count: see `binary_accuracy_cap`."""
    return float((x_hat.round() == x).float().mean())


def binary_accuracy_cap(x: Tensor) -> float:
    """The best binary accuracy any model can reach on `x`: the share of its pixels exactly 0 or 1."""
    return float(((x == 0) | (x == 1)).float().mean())


@torch.no_grad()
def keras_results(conv: torch.nn.Module, denoiser: torch.nn.Module, x: Tensor) -> dict[str, float]:
    """Lecture 003's Keras metric: the conv AE on clean `x`, the denoiser on gaussian-noisy `x` (noise
    factor 0.5, as the Keras example, seeded), and the most any model can get on `x`."""
    from aeviz.noise import corrupt

    x_tilde = corrupt(x, "gaussian", 0.5, torch.Generator().manual_seed(0))
    return {
        "conv": binary_accuracy(conv.reconstruct(x), x),
        "denoising": binary_accuracy(denoiser.reconstruct(x_tilde), x),
        "cap": binary_accuracy_cap(x),
    }


def hide_block(x: Tensor, top: int, left: int, size: int) -> Tensor:
    """`x` with a grey square hidden at (top, left): lecture 002's infilling input."""
    hidden = x.clone()
    hidden[..., top : top + size, left : left + size] = GREY
    return hidden


def hole_mse(x_hat: Tensor, x: Tensor, top: int, left: int, size: int) -> float:
    """The squared error inside the hidden square only: how well a model filled the hole."""
    return float((x_hat - x)[..., top : top + size, left : left + size].square().mean())


@torch.no_grad()
def infill_errors(models: dict[str, torch.nn.Module], x: Tensor, size: int) -> dict[str, float]:
    """Hole MSE of a centred grey square of `size` pixels: the grey patch itself, then each model's fill."""
    h, w = x.shape[-2:]
    top, left = (h - size) // 2, (w - size) // 2
    hidden = hide_block(x, top, left, size)
    out = {"grey patch": hole_mse(hidden, x, top, left, size)}
    out |= {name: hole_mse(m.reconstruct(hidden), x, top, left, size) for name, m in models.items()}
    return out
