"""The slides' worked examples, computed by torch (lectures 000 and 003), plus the lessons' helpers.

Every function takes the slide's numbers as defaults and returns plain tensors, so the app can
show each intermediate grid and a teacher can edit the inputs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from aeviz.models.conv import bed_of_nails
from aeviz.tasks import Report, task

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
# lecture 003's slide; its inner values are not exactly bilinear (31, 27, 22, 17 where interpolation
# gives 30, 26.7, 23.3, 16.7): an illustration, which the lesson shows beside torch's numbers
BILINEAR_SLIDE = [[40, 37, 32, 30], [34, 31, 27, 25], [25, 22, 17, 15], [20, 18, 12, 10]]


def bilinear_upsample(x=BILINEAR_INPUT, size: int = 4) -> Tensor:
    """Linear interpolation along both axes, corners kept (align_corners): 2x2 -> size x size."""
    return F.interpolate(T(x)[None, None], size=(size, size), mode="bilinear", align_corners=True)[0, 0]


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


# --- the lessons' runs, as tasks of the training service (never in a page's script thread) ---------


def _model_from(ref: str | bytes):
    """A pretrained name, or a session model's checkpoint bytes."""
    from aeviz import checkpoint

    return checkpoint.load_pretrained(ref) if isinstance(ref, str) else checkpoint.from_bytes(ref)[0]


@task("tutorial_q1")
def tutorial_q1(p: dict, report: Report) -> dict[str, np.ndarray]:
    """Tutorial 10, Q1: the 9-4-9 sigmoid AE on five 3x3 patterns, plain or with sparsity."""
    from aeviz import presets
    from aeviz.data import patterns_3x3
    from aeviz.models import build_model
    from aeviz.training import train

    cfg = presets.PATTERNS_MODEL.replace(beta=p["beta"], rho=p["rho"])
    model = build_model(cfg, seed=p.get("seed", 0))
    data = patterns_3x3()
    history = train(
        model, data, presets.PATTERNS_TRAIN.replace(lr=p["lr"], epochs=p["epochs"], seed=p.get("seed", 0)),
        on_step=report.step, should_stop=report.stop,
    )  # fmt: skip
    with torch.no_grad():
        out = model(data.x)
    enc, dec = model.encoder_linears()[0], model.decoder_linears()[0]
    return {
        "h": out.z.numpy(), "y": out.x_hat.flatten(1).numpy(), "o": (out.x_hat > 0.5).float().flatten(1).numpy(),
        "W": enc.weight.detach().T.numpy(), "W'": dec.weight.detach().T.numpy(),
        "b": enc.bias.detach().numpy(), "b'": dec.bias.detach().numpy(),
        "loss": np.array([s["loss"] for s in history.steps]), "stopped": history.stopped,
    }  # fmt: skip


@task("tutorial_q2")
def tutorial_q2(p: dict, report: Report) -> dict[str, np.ndarray | float]:
    """Tutorial 10, Q2: one hidden layer on 100 random 10x10 images, under/overcomplete, sparse."""
    from aeviz import presets
    from aeviz.data import random_images
    from aeviz.models import build_model
    from aeviz.training import train

    hidden = p["hidden"]
    model = build_model(presets.RANDOM_UNDER.replace(latent=hidden, beta=p["beta"], rho=p["rho"]), seed=0)
    data = random_images()
    history = train(model, data, presets.RANDOM_TRAIN.replace(epochs=p["epochs"]), on_step=report.step, should_stop=report.stop)
    with torch.no_grad():
        out = model(data.x)
    w = model.encoder_linears()[0].weight.detach().reshape(hidden, 10, 10).numpy()
    return {
        "w": w, "z": out.z.numpy(), "x": data.x.numpy(), "x_hat": out.x_hat.numpy(),
        "mse": float((out.x_hat - data.x).square().mean()), "loss": np.array([s["loss"] for s in history.steps]),
    }  # fmt: skip


@task("one_layer")
def one_layer(p: dict, report: Report) -> bytes:
    """Lecture 002: a one-layer FC autoencoder with `latent` codes on (up to 20,000) training images."""
    from aeviz import checkpoint
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.data import splits
    from aeviz.models import build_model
    from aeviz.training import train

    data = splits(p["dataset"]).train.subset(20_000)
    model = build_model(ModelConfig(family="mlp", hidden=(), latent=p["latent"]), seed=0)
    train(model, data, TrainConfig(epochs=3, lr=2e-3), on_step=report.step, should_stop=report.stop)
    return checkpoint.to_bytes(model, dataset=p["dataset"])


@task("features")
def features_table(p: dict, report: Report) -> dict[str, Any]:
    """Lectures 003/004: a softmax classifier on raw pixels, on PCA codes and on an encoder's codes,
    with `per_class` labels of each class. The encoder never saw a label."""
    from aeviz.data import splits
    from aeviz.pca import fit_pca

    model = _model_from(p["model"])
    pool, test, note = splits(p["dataset"])
    x_test, y_test = test.floats()[:5000], test.y[:5000]
    k = model.latent_size
    rows = []
    for n in p["per_class"]:
        if report.stop():
            break
        idx = few_labels(pool.y, n)
        x_tr, y_tr = pool.floats(idx), pool.y[idx]
        pca = fit_pca(x_tr if len(x_tr) > k else pool.floats()[:5000], min(k, x_tr[0].numel()))
        feats = {
            "raw pixels": (x_tr.flatten(1), x_test.flatten(1)),
            f"PCA codes ({pca.components.shape[0]})": (pca.encode(x_tr), pca.encode(x_test)),
            f"AE codes ({k})": (model.codes(x_tr), model.codes(x_test)),
        }
        rows.append({"labels per class": n} | {kind: softmax_accuracy(a, y_tr, b, y_test) for kind, (a, b) in feats.items()})
        report.step({"step": len(rows), "total_steps": len(p["per_class"]), "loss": 0.0})
    return {"rows": rows, "note": note}
