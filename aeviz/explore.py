"""What the app shows, computed from a model: summaries, filters, feature maps, codes, manifolds.

Everything returns numpy arrays or plain data; the plot builders in `aeviz.plots` draw them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor, nn

from aeviz.models.base import Autoencoder
from aeviz.models.conv import ConvAutoencoder
from aeviz.models.vae import VariationalAutoencoder
from aeviz.pca import fit_pca


def summary(model: Autoencoder) -> list[dict[str, object]]:
    """One row per leaf layer: name, type, output shape (for one input), parameter count."""
    rows: list[dict[str, object]] = []
    hooks = []
    for name, m in model.named_modules():
        if next(m.children(), None) is None and name:  # leaves only

            def hook(mod, _inp, out, name=name):
                shape = out[0].shape if isinstance(out, tuple) else out.shape
                n = sum(p.numel() for p in mod.parameters())
                rows.append({"layer": name, "type": type(mod).__name__, "output": tuple(shape[1:]), "params": n})

            hooks.append(m.register_forward_hook(hook))
    try:
        with torch.no_grad():
            was = model.training
            model.eval()
            model(torch.zeros(1, *model.config.shape))
            model.train(was)
    finally:
        for h in hooks:
            h.remove()
    return rows


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def tile_shape(n: int, like: tuple[int, int] | None = None) -> tuple[int, int]:
    """(h, w) with h * w == n, as square as possible, wider than tall (128 -> 8x16, 64 -> 8x8)."""
    if like and like[0] * like[1] == n:
        return like
    h = math.isqrt(n)
    while n % h:
        h -= 1
    return h, n // h


def _inner(model: Autoencoder) -> Autoencoder:
    return getattr(model, "net", model)  # a denoiser wraps its backbone


def encoder_filters(model: Autoencoder) -> list[tuple[str, np.ndarray]]:
    """Lecture 000's filter view: each encoder layer's weights W^(k) (w/o bias) as (P^(k), h, w) tiles.

    FC layers: layer 1's rows are 28x28 images, deeper layers' rows reshaped to the nearest
    rectangle (128 -> 8x16, 64 -> 8x8). Conv layers: every (out, in) 3x3 kernel.
    """
    inner = _inner(model)
    _, h, w = model.config.shape
    out = []
    if isinstance(inner, ConvAutoencoder):
        for i, conv in enumerate((inner.encoder.conv1, inner.encoder.conv2), 1):
            k = conv.weight.detach()  # (out, in, 3, 3)
            out.append((f"conv {i}: {k.shape[0]} x {k.shape[1]} kernels 3x3", k.reshape(-1, 3, 3).numpy()))
        return out
    linears = [m for m in _encoder_modules(inner) if isinstance(m, nn.Linear)]
    for i, lin in enumerate(linears, 1):
        wgt = lin.weight.detach()  # (P^(k), P^(k-1))
        th, tw = tile_shape(wgt.shape[1], (h, w) if i == 1 else None)
        out.append((f"layer {i}: {wgt.shape[0]} filters of {th}x{tw}", wgt.reshape(-1, th, tw).numpy()))
    return out


def _encoder_modules(model: Autoencoder) -> list[nn.Module]:
    if isinstance(model, VariationalAutoencoder):
        return [*model.trunk.modules(), model.head]
    enc = getattr(model, "encoder", None)
    return list(enc.modules()) if enc is not None else []


@torch.no_grad()
def feature_maps(model: Autoencoder, x: Tensor) -> list[tuple[str, np.ndarray]]:
    """The activations of one input (1, C, H, W) after each conv / pool / upsampling stage."""
    inner = _inner(model)
    if not isinstance(inner, ConvAutoencoder):
        return []
    import torch.nn.functional as F

    e = inner.encoder
    stages = []
    h1 = F.relu(e.conv1(x))
    stages.append(("conv 1 + ReLU", h1))
    p1 = F.max_pool2d(h1, 2)
    stages.append(("max-pool 1", p1))
    h2 = F.relu(e.conv2(p1))
    stages.append(("conv 2 + ReLU", h2))
    z = F.max_pool2d(h2, 2)
    stages.append(("max-pool 2 = z", z))
    return [(name, t[0].numpy()) for name, t in stages]


@torch.no_grad()
def codes(model: Autoencoder, x: Tensor, batch: int = 1000) -> np.ndarray:
    """z for every image, flattened to (N, K) (eval mode: a VAE's mu)."""
    model.eval()
    return torch.cat([model.encode(x[i : i + batch]).flatten(1) for i in range(0, len(x), batch)]).numpy()


class Plane(NamedTuple):
    xy: np.ndarray  # (N, 2) coordinates to plot
    axes: tuple[str, str]
    projected: bool  # True when xy are the first two principal components of z
    pca: object | None


def plane(z: np.ndarray) -> Plane:
    """2-D latents as they are; larger ones projected on their first two principal components."""
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
    model.eval()
    x_hat = model.decode(z)
    return x_hat.reshape(n, n, *x_hat.shape[-2:]).numpy()


@torch.no_grad()
def interpolate(model: Autoencoder, x_a: Tensor, x_b: Tensor, steps: int = 9) -> np.ndarray:
    """Decode the straight line between the codes of two images: (steps, H, W)."""
    model.eval()
    z_a, z_b = model.encode(x_a[None]), model.encode(x_b[None])
    t = torch.linspace(0, 1, steps).view(-1, *[1] * (z_a.dim() - 1))
    return model.decode((1 - t) * z_a + t * z_b)[:, 0].numpy()


@torch.no_grad()
def traversal(model: VariationalAutoencoder, z0: Tensor, dims: list[int], values: Tensor) -> np.ndarray:
    """Lecture 001's latent perturbation: (len(dims), len(values), H, W), one dim swept at a time."""
    model.eval()
    rows = []
    for d in dims:
        z = z0.repeat(len(values), 1)
        z[:, d] = values
        rows.append(model.decode(z)[:, 0])
    return torch.stack(rows).numpy()


@torch.no_grad()
def kl_per_dim(model: VariationalAutoencoder, x: Tensor) -> np.ndarray:
    """Mean KL(q(z_j|x) || N(0, 1)) per latent dimension: near 0 means the dimension is unused."""
    q = model.posterior(x)
    return (0.5 * (q.mu.square() + q.logvar.exp() - 1 - q.logvar)).mean(0).numpy()
