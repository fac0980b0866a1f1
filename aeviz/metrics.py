"""The numbers the app quotes, each defined once: MSE and parameter counts, Keras's binary accuracy,
an infilled hole's error, a classifier on codes with few labels, k-means clusters and their scores.

Torch-only helpers on image tensors in [0, 1], shared by the pages, the tasks and the benchmarks.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from aeviz.noise import GREY


def mse(x_hat: Tensor, x: Tensor) -> float:
    """The mean squared error over every pixel of every image: the one number each page, card and
    benchmark quotes as "MSE"."""
    return float((x_hat - x).square().mean())


def per_image_mse(x_hat: Tensor, x: Tensor) -> Tensor:
    """(N,): each image's own MSE."""
    return (x_hat - x).square().flatten(1).mean(1)


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


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


# --- lecture 003/004: codes as features for a classifier with few labels --------------------------


def softmax_accuracy(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, steps: int = 300) -> float:
    """Multinomial logistic regression (full-batch L-BFGS, standardised inputs): test accuracy."""
    mean, std = train_x.mean(0), train_x.std(0).clamp_min(1e-6)
    a, b = (train_x - mean) / std, (test_x - mean) / std
    w = torch.zeros(a.shape[1], 10, requires_grad=True)
    bias = torch.zeros(10, requires_grad=True)
    opt = torch.optim.LBFGS([w, bias], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(a @ w + bias, train_y) + 1e-3 * w.square().sum()  # a little L2: few labels
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return float(((b @ w + bias).argmax(1) == test_y).float().mean())


def few_labels(y: Tensor, per_class: int, seed: int = 0) -> Tensor:
    """Indices of `per_class` examples of each class."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for c in range(10):
        rows = torch.nonzero(y == c).flatten()
        out.append(rows[torch.randperm(len(rows), generator=g)[:per_class]])
    return torch.cat(out)


# --- lecture 002's applications: codes as a space to cluster in ------------------------------------


def kmeans(x: Tensor, k: int, iters: int = 50, seed: int = 0) -> Tensor:
    """Lloyd's k-means with k-means++ seeding: the cluster of each row of x (N, D)."""
    g = torch.Generator().manual_seed(seed)
    x = x.double()
    centres = x[torch.randint(len(x), (1,), generator=g)]
    for _ in range(k - 1):  # k-means++: far points are likelier seeds
        d = torch.cdist(x, centres).min(1).values.square()
        centres = torch.cat([centres, x[torch.multinomial(d / d.sum(), 1, generator=g)]])
    for _ in range(iters):
        assign = torch.cdist(x, centres).argmin(1)
        new = torch.stack([x[assign == j].mean(0) if (assign == j).any() else centres[j] for j in range(k)])
        if torch.allclose(new, centres):
            break
        centres = new
    return torch.cdist(x, centres).argmin(1)


def cluster_scores(spaces: dict[str, Tensor], y: Tensor, k: int = 10) -> list[dict]:
    """Lecture 002's clustering: k-means with `k` clusters in each feature space; purity and NMI against `y`."""
    rows = []
    for label, feats in spaces.items():
        c = kmeans(feats, k)
        rows.append({"features": label, "purity": purity(c, y), "NMI": nmi(c, y)})
    return rows


def purity(clusters: Tensor, y: Tensor) -> float:
    """The share of points whose cluster's most common label is theirs."""
    return sum(int(torch.bincount(y[clusters == c]).max()) for c in clusters.unique()) / len(y)


def nmi(clusters: Tensor, y: Tensor) -> float:
    """Normalised mutual information I(C; Y) / sqrt(H(C) H(Y)), in [0, 1]."""
    joint = torch.zeros(int(clusters.max()) + 1, int(y.max()) + 1, dtype=torch.float64)
    joint.index_put_((clusters, y), torch.ones(len(y), dtype=torch.float64), accumulate=True)
    p = joint / joint.sum()
    pc, py = p.sum(1, keepdim=True), p.sum(0, keepdim=True)
    nz = p > 0
    mi = (p[nz] * (p[nz] / (pc @ py)[nz]).log()).sum()
    h = lambda q: -(q[q > 0] * q[q > 0].log()).sum()  # noqa: E731
    return float(mi / (h(pc) * h(py)).sqrt().clamp_min(1e-12))


def iou(pred: Tensor, truth: Tensor) -> float:
    """Intersection over union of two boolean masks, over the whole set."""
    return float((pred & truth).sum() / (pred | truth).sum().clamp(min=1))
