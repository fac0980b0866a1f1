"""What the app shows, computed from a model: summaries, filters, feature maps, codes, manifolds.

Everything returns numpy arrays or plain data; the plot builders in `aeviz.plots` draw them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

from aeviz import metrics
from aeviz.config import ModelConfig
from aeviz.models import skeleton
from aeviz.models.base import Autoencoder
from aeviz.models.vae import VariationalAutoencoder
from aeviz.pca import fit_pca


def summary(config: ModelConfig) -> list[dict[str, object]]:
    """One row per leaf layer: name, type, output shape (for one input), parameter count.

    Worked out on a skeleton of the model: its own hooks, its own uninitialised tensors (no RNG
    spent), so a shared model is never touched. On the CPU, not the meta device, whose first forward
    pass costs a second of imports."""
    model = skeleton(config).to_empty(device="cpu").eval()
    rows: list[dict[str, object]] = []
    for name, m in model.named_modules():
        if next(m.children(), None) is None and name:  # leaves only

            def hook(mod, _inp, out, name=name):
                shape = out[0].shape if isinstance(out, tuple) else out.shape
                n = metrics.n_params(mod)
                rows.append({"layer": name, "type": type(mod).__name__, "output": tuple(shape[1:]), "params": n})

            m.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, *config.shape))
    return rows


def codes(model: Autoencoder, x: Tensor) -> np.ndarray:
    """z for every image, flattened to (N, K) (a VAE's mu)."""
    return model.codes(x).numpy()


def balanced_rows(labels: Tensor | None, per_class: int, size: int, seed: int = 0) -> np.ndarray:
    """`per_class` random rows of each class, sorted: a legible scatter without 10,000 points; of
    an unlabelled set of `size` images, 10 * `per_class` random rows."""
    g = torch.Generator().manual_seed(seed)
    if labels is None:
        return torch.randperm(size, generator=g)[: 10 * per_class].sort().values.numpy()
    picks = []
    for c in range(int(labels.max()) + 1):
        rows = torch.nonzero(labels == c).flatten()
        picks.append(rows[torch.randperm(len(rows), generator=g)[:per_class]])
    return torch.cat(picks).sort().values.numpy()


class Plane(NamedTuple):
    xy: np.ndarray  # (N, 2) coordinates to plot
    axes: tuple[str, str]
    projected: bool  # True when xy are the first two principal components of z
    pca: object | None


def plane(z: np.ndarray) -> Plane:
    """2-D latents as they are; larger ones projected on their first two principal components; a 1-D
    code against a second axis of nothing (its points spread along a line)."""
    if z.shape[1] == 1:
        return Plane(np.concatenate([z, np.zeros_like(z)], 1), ("z1", ""), False, None)
    if z.shape[1] == 2:
        return Plane(z, ("z1", "z2"), False, None)
    pca = fit_pca(torch.from_numpy(z), 2)
    xy = pca.encode(torch.from_numpy(z)).numpy()
    return Plane(xy, ("PC 1 of z", "PC 2 of z"), True, pca)


@torch.no_grad()
def decode_grid(model: Autoencoder, extent: tuple[float, float, float, float], n: int = 15) -> np.ndarray:
    """Decoded images over an n x n grid of a 2-D latent box; row 0 at the top (largest z2)."""
    x0, x1, y0, y1 = extent
    zx, zy = torch.linspace(x0, x1, n), torch.linspace(y1, y0, n)
    z = torch.stack(torch.meshgrid(zy, zx, indexing="ij")[::-1], -1).reshape(-1, 2)  # (n*n, 2) as (z1, z2)
    x_hat = model.decode(z)
    return x_hat.reshape(n, n, *x_hat.shape[-3:]).numpy()


@torch.no_grad()
def interpolate(model: Autoencoder, x_a: Tensor, x_b: Tensor, steps: int = 9) -> np.ndarray:
    """Decode the straight line between the codes of two images: (steps, C, H, W)."""
    z_a, z_b = model.encode(x_a[None]), model.encode(x_b[None])
    t = torch.linspace(0, 1, steps).view(-1, *[1] * (z_a.dim() - 1))
    return model.decode((1 - t) * z_a + t * z_b).numpy()


@torch.no_grad()
def traversal(model: VariationalAutoencoder, z0: Tensor, dims: list[int], values: Tensor) -> np.ndarray:
    """Lecture 001's latent perturbation: (len(dims), len(values), C, H, W), one dim swept at a time."""
    rows = []
    for d in dims:
        z = z0.repeat(len(values), 1)
        z[:, d] = values
        rows.append(model.decode(z))
    return torch.stack(rows).numpy()


@torch.no_grad()
def kl_per_dim(model: VariationalAutoencoder, x: Tensor) -> np.ndarray:
    """Mean KL(q(z_j|x) || N(0, 1)) per latent dimension: near 0 means the dimension is unused."""
    return model.posterior(x).kl_per_dim().mean(0).numpy()
