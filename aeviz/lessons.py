"""The slides' worked examples, computed by torch (lectures 000 and 003), plus the lessons' helpers.

Every function takes the slide's numbers as defaults and returns plain tensors, so the app can
show each intermediate grid and a teacher can edit the inputs.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from aeviz.models.conv import bed_of_nails

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
    for layer in model.decoder_layers():
        w = layer.weight.detach() if w is None else layer.weight.detach() @ w
    return w


class PcaComparison(NamedTuple):
    angles: Tensor  # principal angles (degrees) between the decoder's columns and the top-K PCs
    components: Tensor  # (K, P) PCA components
    projected: Tensor  # (K, P) each component projected onto the decoder's column space


def compare_with_pca(model, x: Tensor) -> PcaComparison:
    from aeviz.pca import fit_pca, principal_angles

    w = effective_decoder(model)
    pca = fit_pca(x, w.shape[1])
    q, _ = torch.linalg.qr(w.double())  # orthonormal basis of the decoder's column space
    v = pca.components.double().T  # (P, K)
    return PcaComparison(principal_angles(w, v), pca.components, (q @ (q.T @ v)).T.float())


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
