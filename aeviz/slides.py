"""The slides' worked maths, computed by torch: lecture 000's unpooling and convolutions, lecture
001's linear AE against PCA, lecture 002's representations, lecture 003's sparsity, the VAE step.

Every function takes the slide's numbers as defaults and returns plain tensors, so the app can
show each intermediate grid and a teacher can edit the inputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from aeviz.models.unpool import bed_of_nails

T = torch.tensor

# --- lecture 000: unpooling and transposed convolution -------------------------------------------

UNPOOL_INPUT = [[1.0, 2.0], [3.0, 4.0]]
MAXPOOL_INPUT = [[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]


def nearest_unpool(x=UNPOOL_INPUT) -> Tensor:
    """2x2 -> 4x4, each value copied into its 2x2 block ("the output becomes blocky")."""
    return F.interpolate(T(x)[None, None], scale_factor=2, mode="nearest")[0, 0]


def bed_of_nails_unpool(x=UNPOOL_INPUT) -> Tensor:
    """2x2 -> 4x4, each value in the top-left of its block, zeros elsewhere."""
    t = T(x)[None, None]
    return F.max_unpool2d(t, bed_of_nails(t), 2)[0, 0]


class MaxUnpool(NamedTuple):
    pooled: Tensor  # 2x2 maxima
    indices: Tensor  # flat positions of the maxima in the 4x4 input ("remember which element was max")
    unpooled: Tensor  # 4x4: the pooled values back at those positions


def max_unpool(x=MAXPOOL_INPUT, values=None) -> MaxUnpool:
    """Max-pool 2x2 with indices, then max-unpool `values` (default the pooled maxima) at them."""
    pooled, idx = F.max_pool2d(T(x)[None, None], 2, return_indices=True)
    v = pooled if values is None else T(values)[None, None]
    return MaxUnpool(pooled[0, 0], idx[0, 0], F.max_unpool2d(v, idx, 2)[0, 0])


BILINEAR_INPUT = [[40.0, 30.0], [20.0, 10.0]]
# lecture 003's slide: bilinear interpolation with the half-pixel convention (torch's default,
# align_corners=False, and TF/Keras's), rounded down: 13 of its 16 cells are the floor of
# 40 37.5 32.5 30 / 35 32.5 27.5 25 / 25 22.5 17.5 15 / 20 17.5 12.5 10, the other three within 1.5
BILINEAR_SLIDE = [[40, 37, 32, 30], [34, 31, 27, 25], [25, 22, 17, 15], [20, 18, 12, 10]]


def bilinear_upsample(x=BILINEAR_INPUT, size: int = 4, align_corners: bool = False) -> Tensor:
    """Linear interpolation along both axes, 2x2 -> size x size. align_corners=False (the slide's,
    torch's and Keras's default) treats pixels as squares and samples at their centres;
    align_corners=True keeps the corner pixels' values at the corners and spreads the rest evenly."""
    t = T(x)[None, None]
    return F.interpolate(t, size=(size, size), mode="bilinear", align_corners=align_corners)[0, 0]


def transposed_conv(x=UNPOOL_INPUT, kernel=((1.0, 1.0), (1.0, 1.0)), stride: int = 2, padding: int = 0) -> Tensor:
    """Each input value weights a copy of the kernel placed `stride` apart; overlaps are summed."""
    return F.conv_transpose2d(T(x)[None, None], T(kernel)[None, None], stride=stride, padding=padding)[0, 0]


def conv_out_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """floor((n + 2p - k) / s) + 1."""
    return (n + 2 * padding - k) // stride + 1


def transposed_out_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """stride * (n - 1) + k - 2 * padding (lecture 000: 5 = 2 * (3 - 1) + 3 - 2 * 1)."""
    return stride * (n - 1) + k - 2 * padding


# --- lecture 003: transposed convolution as the transpose of the convolution matrix ---------------

CONV_MATRIX_INPUT = [[4.0, 3, 2, 1], [1, 4, 3, 2], [2, 1, 4, 3], [1, 2, 3, 4]]
SOBEL = [[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]


def conv_matrix(kernel=SOBEL, n: int = 4) -> Tensor:
    """C with conv(x) = C @ x.flatten() for a 'valid' convolution of an n x n input: (out*out, n*n)."""
    k = T(kernel)
    m = n - k.shape[0] + 1
    rows = []
    for i in range(m):
        for j in range(m):
            w = torch.zeros(n, n)
            w[i : i + k.shape[0], j : j + k.shape[1]] = k  # the kernel where it sits for output (i, j)
            rows.append(w.flatten())
    return torch.stack(rows)


class ConvAsMatrix(NamedTuple):
    output: Tensor  # conv of the input (2x2 for the slide)
    matrix: Tensor  # C (4x16)
    transposed: Tensor  # C^T @ output, reshaped to 4x4: the transposed convolution of the output


def conv_as_matrix(x=CONV_MATRIX_INPUT, kernel=SOBEL) -> ConvAsMatrix:
    xt, k = T(x), T(kernel)
    c = conv_matrix(kernel, xt.shape[0])
    out = (c @ xt.flatten()).view(xt.shape[0] - k.shape[0] + 1, -1)
    return ConvAsMatrix(out, c, (c.T @ out.flatten()).view_as(xt))


# --- lecture 003: worked examples ----------------------------------------------------------------

IMAGE_6x6 = [
    [0.0, 1, 4, 2, 8, 2],
    [5, 3, 0, 1, 0, 5],
    [1, 5, 3, 2, 9, 3],
    [9, 8, 5, 7, 8, 7],
    [7, 2, 7, 9, 9, 4],
    [7, 1, 8, 7, 5, 3],
]
FILTER_1 = [[1.0, 0, 1], [0, -1, 1], [1, 1, 0]]
FILTER_2 = [[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]


class ConvExample(NamedTuple):
    conv1: Tensor  # 6x6, SAME padding
    relu: Tensor
    pooled: Tensor  # 3x3
    conv2: Tensor  # 3x3, SAME padding
    upsampled: Tensor  # 6x6, nearest neighbour


def conv_example(image=IMAGE_6x6, f1=FILTER_1, f2=FILTER_2) -> ConvExample:
    """Image -> conv (SAME) -> ReLU -> 2x2 max-pool -> conv (SAME) -> 2x2 upsampling."""
    x = T(image)[None, None]
    c1 = F.conv2d(x, T(f1)[None, None], padding="same")
    r = F.relu(c1)
    p = F.max_pool2d(r, 2)
    c2 = F.conv2d(p, T(f2)[None, None], padding="same")
    up = F.interpolate(c2, scale_factor=2, mode="nearest")
    return ConvExample(*(t[0, 0] for t in (c1, r, p, c2, up)))


class DenseExample(NamedTuple):
    pre: Tensor  # W_E^T x + b_E
    z: Tensor  # ReLU
    x_hat_pre: Tensor  # W_D z + b_D
    x_hat: Tensor  # ReLU
    error: Tensor  # ||x - x_hat||^2


def dense_example(
    x=(1.0, -1.0, 0.0),
    w_enc=((1.0, 2.0), (1.0, 0.0), (-1.0, 0.0)),
    w_dec=((2.0, 0.0), (0.0, 1.0), (0.0, 0.0)),
) -> DenseExample:
    """Lecture 003's 3-input example: a 2-unit ReLU encoder and a ReLU decoder, biases zero."""
    xt, we, wd = T(x), T(w_enc), T(w_dec)
    pre = we.T @ xt
    z = F.relu(pre)
    x_hat_pre = wd @ z
    x_hat = F.relu(x_hat_pre)
    return DenseExample(pre, z, x_hat_pre, x_hat, (xt - x_hat).square().sum())


# --- lecture 000: the linear autoencoder spans PCA's subspace -------------------------------------


def effective_decoder(model) -> Tensor:
    """(P, K): the product of a linear AE's decoder weights, the map z -> x_hat (biases aside)."""
    w = None
    for layer in model.decoder_linears():
        w = layer.weight.detach() if w is None else layer.weight.detach() @ w
    return w


class PcaComparison(NamedTuple):
    angles: Tensor  # principal angles (degrees) between the decoder's columns and the top-K PCs
    components: Tensor  # (K, P) PCA components
    projected: Tensor  # (K, P) each component projected onto the decoder's column space


def compare_with_pca(model, pca) -> PcaComparison:
    """A linear AE's decoder against `pca` (an aeviz.pca.PCA with as many components as the code)."""
    from aeviz.pca import principal_angles

    w = effective_decoder(model)
    q, _ = torch.linalg.qr(w.double())  # orthonormal basis of the decoder's column space
    v = pca.components.double().T  # (P, K)
    return PcaComparison(principal_angles(w, v), pca.components, (q @ (q.T @ v)).T.float())


# --- lecture 002: representation matters (phi(x) = x^2) -------------------------------------------


class Representation(NamedTuple):
    x: np.ndarray
    y: np.ndarray
    line_in_x: np.ndarray  # the best straight line in x: a + b x
    line_in_phi: np.ndarray  # the best straight line in phi(x) = x^2: a + b x^2
    mse_x: float
    mse_phi: float


def representation_demo(n: int = 60, noise: float = 0.3, seed: int = 0) -> Representation:
    """Lecture 002's "fit a quadratic, do your best": y = x^2 + noise. A straight line in x cannot fit
    it; the same straight line in the feature phi(x) = x^2 can. The right representation makes a
    simple model enough, which is what an autoencoder's code is for."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = x**2 + noise * rng.standard_normal(n)

    def line(f: np.ndarray) -> np.ndarray:
        a = np.stack([np.ones_like(f), f], 1)
        return a @ np.linalg.lstsq(a, y, rcond=None)[0]

    in_x, in_phi = line(x), line(x**2)
    return Representation(x, y, in_x, in_phi, float(np.mean((y - in_x) ** 2)), float(np.mean((y - in_phi) ** 2)))


# --- lecture 003: sparsity, seen ---------------------------------------------------------------------


def kl_curve(rho: float, n: int = 199) -> tuple[np.ndarray, np.ndarray]:
    """KL(rho || rho_hat) for rho_hat across (0, 1): zero at rho_hat = rho, growing on either side."""
    from aeviz.models.base import kl_bernoulli

    rho_hat = torch.linspace(0.005, 0.995, n)
    return rho_hat.numpy(), kl_bernoulli(rho, rho_hat).numpy()


class Decomposition(NamedTuple):
    units: np.ndarray  # the most active code units, strongest first
    weights: np.ndarray  # (k,) their activations z_j: the coefficients
    features: np.ndarray  # (k, H, W) their decoder columns W'_j: the strokes ((k, 3, H, W) in colour)
    partial: np.ndarray  # (H, W) sigmoid(sum_j z_j W'_j + b'): the image from these k strokes alone ((3, H, W))


@torch.no_grad()
def decompose(model, x: Tensor, k: int = 9) -> Decomposition:
    """Lecture 003's "7 = 1 x stroke + ... + 0.8 x stroke": a one-layer sparse AE's output is
    sigmoid(W' z + b'), so its image is a weighted sum of decoder columns, weighted by the code."""
    (dec,) = model.decoder_linears()  # one layer each way
    z = model.codes(x[None])[0]  # (K,)
    units = torch.argsort(z, descending=True)[:k]
    w = dec.weight if isinstance(dec, torch.nn.Linear) else dec.source.weight.t()
    shape = x.shape[-2:] if x.shape[0] == 1 else x.shape  # gray as (H, W), colour as (3, H, W)
    partial = torch.sigmoid(w[:, units] @ z[units] + dec.bias).reshape(shape)
    return Decomposition(units.numpy(), z[units].numpy(), w[:, units].T.reshape(-1, *shape).numpy(), partial.numpy())


# --- lecture 001: the VAE, computed ------------------------------------------------------------------


class VaeStep(NamedTuple):
    mu: np.ndarray
    sigma: np.ndarray
    eps: np.ndarray
    z: np.ndarray  # mu + sigma * eps
    x_hat: np.ndarray  # decode(z)
    recon: float  # -log p(x | z), summed over pixels (nats)
    kl: float  # KL(q(z|x) || N(0, I)), nats
    kl_per_dim: np.ndarray


@torch.no_grad()
def vae_step(model, x: Tensor, seed: int = 0) -> VaeStep:
    """One pass of lecture 001's computation graph for one image x (C, H, W): the encoder's mu and
    sigma, a draw of eps, z = mu + sigma * eps (the reparameterisation), the decoder's x_hat, and the
    two parts of the loss. The ELBO is -(recon + kl)."""
    from aeviz.models.base import reconstruction_per_image

    q = model.posterior(x[None])
    eps = torch.randn(q.mu.shape, generator=torch.Generator().manual_seed(seed))
    z = q.sample(eps=eps)
    x_hat = model.decode(z)
    recon = float(reconstruction_per_image(x_hat, x[None], model.config.recon)[0])
    kl = q.kl_per_dim()[0]
    return VaeStep(
        q.mu[0].numpy(), q.std[0].numpy(), eps[0].numpy(), z[0].numpy(), x_hat[0].numpy(), recon, float(kl.sum()), kl.numpy()
    )
