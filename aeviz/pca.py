"""PCA, the optimum any linear autoencoder can reach (lecture 000: X_hat = X V_K V_K^T)."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor


class PCA(NamedTuple):
    mean: Tensor  # (P,)
    components: Tensor  # (K, P), orthonormal rows V_K^T
    explained_variance: Tensor  # (K,)

    def encode(self, x: Tensor) -> Tensor:
        return (x.flatten(1) - self.mean) @ self.components.T  # (N, K)

    def decode(self, z: Tensor) -> Tensor:
        return z @ self.components + self.mean  # (N, P)

    def reconstruct(self, x: Tensor) -> Tensor:
        return self.decode(self.encode(x)).view_as(x)


def fit_pca(x: Tensor, k: int) -> PCA:
    """Top-k principal components of x (N, ...) flattened to (N, P).

    Eigen-decomposition of the (P, P) covariance in float64: for images (P <= 784) this is far
    cheaper than an SVD of the (N, P) data and just as accurate at that precision.
    """
    x = x.flatten(1).double()
    mean = x.mean(0)
    xc = x - mean
    cov = xc.T @ xc / max(1, len(x) - 1)
    var, vecs = torch.linalg.eigh(cov)  # ascending
    order = torch.argsort(var, descending=True)[:k]
    return PCA(mean.float(), vecs[:, order].T.contiguous().float(), var[order].clamp_min(0).float())


def pca_mse(x: Tensor, k: int, fit_on: Tensor | None = None) -> float:
    """Per-pixel MSE of x reconstructed from its top-k components (fitted on `fit_on`, default x)."""
    pca = fit_pca(x if fit_on is None else fit_on, k)
    from aeviz.metrics import mse

    return mse(pca.reconstruct(x.float()), x.float())


def principal_angles(a: Tensor, b: Tensor) -> Tensor:
    """Angles in degrees between the column spaces of a (P, k) and b (P, l), smallest first."""
    qa, _ = torch.linalg.qr(a.double())
    qb, _ = torch.linalg.qr(b.double())
    cos = torch.linalg.svdvals(qa.T @ qb).clamp(-1, 1)
    return torch.rad2deg(torch.arccos(cos)).float()
