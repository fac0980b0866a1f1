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

from aeviz.jobs import Report, task
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


@task("fc_ae")
def fc_autoencoder(p: dict, report: Report) -> bytes:
    """Lecture 002: a fully connected AE (`hidden` layers, `latent` codes) trained 3 epochs on up to
    20,000 training images: the one-layer models with 20, 10 and 2 latents, and the deep one with 20."""
    from aeviz import checkpoint
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.data import splits
    from aeviz.models import build_model
    from aeviz.training import train

    data = splits(p["dataset"]).train.subset(20_000)
    model = build_model(ModelConfig(family="mlp", hidden=tuple(p.get("hidden", ())), latent=p["latent"]), seed=0)
    train(model, data, TrainConfig(epochs=3, lr=2e-3), on_step=report.step, should_stop=report.stop)
    return checkpoint.to_bytes(model, dataset=p["dataset"])


@task("q3")
def tutorial_q3(p: dict, report: Report) -> dict[str, Any]:
    """Tutorial 10, Q3(a) as set: 625 sigmoid units, 10 % masking noise, rho = 0.02, beta = 0.4,
    cross-entropy, SGD with alpha = 0.1, batch 128; learning curves, weights, hidden activations."""
    from aeviz import checkpoint, presets
    from aeviz.data import splits
    from aeviz.models import build_model
    from aeviz.training import evaluate, train

    train_set, test, note = splits(p.get("dataset", "mnist"))
    model = build_model(presets.Q3_MODEL, seed=0)
    history = train(
        model, train_set, presets.Q3_TRAIN.replace(epochs=p.get("epochs", presets.Q3_TRAIN.epochs)),
        on_step=report.step, should_stop=report.stop, eval_data=test.subset(2000),
    )  # fmt: skip
    x = test.floats(slice(0, 8))
    with torch.no_grad():
        z = model.codes(x)  # (8, 625) in (0, 1)
        z_all = model.codes(test.floats()[:5000])
    return {
        "steps": np.array([[s["step"], s["loss"], s["recon"], s["reg"]] for s in history.steps]),
        "epochs": history.epochs, "weights": model.encoder_linears()[0].weight.detach()[:100].reshape(100, 28, 28).numpy(),
        "x": x.numpy(), "codes": z.numpy(), "rho_hat_units": z_all.mean(0).numpy(),
        "metrics": evaluate(model, test), "seconds": history.seconds, "note": note,
        "checkpoint": checkpoint.to_bytes(model, half=True, dataset="mnist"),
    }  # fmt: skip


@task("capacity")
def capacity(p: dict, report: Report) -> dict[str, Any]:
    """Lecture 001's failures: an overcomplete AE copies anything; a 1-D code with a powerful encoder
    memorises its training images; an AE trained on one image gives that image back for any input."""
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.data import ImageSet, splits
    from aeviz.models import build_model
    from aeviz.training import train

    train_set, test, _ = splits(p.get("dataset", "mnist"))
    g = torch.Generator().manual_seed(0)
    noise = ImageSet(torch.rand(200, 1, 28, 28, generator=g))
    out: dict[str, Any] = {}
    # 1. overcomplete: 784 -> 1000 -> 784, linear: the identity is within reach, and it is what it learns
    for name, k in (("under", 32), ("over", 1000)):
        model = build_model(ModelConfig(family="linear", hidden=(), latent=k), seed=0)
        train(model, train_set.subset(10_000), TrainConfig(epochs=3, lr=2e-3), on_step=report.step, should_stop=report.stop)
        with torch.no_grad():
            out[name] = {
                "digits": float((model.reconstruct(test.floats()[:1000]) - test.floats()[:1000]).square().mean()),
                "noise": float((model.reconstruct(noise.x) - noise.x).square().mean()),
                "noise_images": np.concatenate([noise.x[:6].numpy(), model.reconstruct(noise.x[:6]).numpy()]),
            }
    # 2. a 1-D code and a powerful encoder: 32 training images, each its own point on a line
    few = train_set.subset(32)
    model = build_model(ModelConfig(family="mlp", hidden=(512, 256), latent=1), seed=0)
    train(model, few, TrainConfig(epochs=1500, batch_size=32, lr=1e-3), on_step=report.step, should_stop=report.stop)
    with torch.no_grad():
        xt = test.floats()[:8]
        out["memorise"] = {
            "train_mse": float((model.reconstruct(few.floats()) - few.floats()).square().mean()),
            "test_mse": float((model.reconstruct(test.floats()[:1000]) - test.floats()[:1000]).square().mean()),
            "train": np.concatenate([few.floats()[:8].numpy(), model.reconstruct(few.floats()[:8]).numpy()]),
            "test": np.concatenate([xt.numpy(), model.reconstruct(xt).numpy()]),
            "codes": model.codes(few.floats()).flatten().numpy(),
        }
    # 3. one training image
    one = ImageSet(train_set.x[:1], train_set.y[:1])
    model = build_model(ModelConfig(family="mlp"), seed=0)
    train(model, one, TrainConfig(epochs=300, batch_size=1, lr=1e-3), on_step=report.step, should_stop=report.stop)
    with torch.no_grad():
        out["one"] = {"image": one.floats().numpy(), "test": np.concatenate([xt.numpy(), model.reconstruct(xt).numpy()])}
    return out


THIRD_LAYER = 49  # the tutorial's last slides add a third hidden layer without a size: 7 x 7 units here


@task("stacked")
def stacked_lesson(p: dict, report: Report) -> dict[str, Any]:
    """Lectures 003/004 and tutorial 10 Q3(b, c): greedy layer-wise pretraining of 784-625-100 (and the
    tutorial's third layer) on the images, Q3(b)'s plots of the 100-unit layer, then a softmax on the
    100-unit layer fine-tuned with N labels per class, against the same classifier on raw pixels, on
    PCA codes, and the same network trained from scratch."""
    from aeviz import stacked
    from aeviz.config import TrainConfig
    from aeviz.data import splits
    from aeviz.models import build_model

    train_set, test, note = splits(p.get("dataset", "mnist"))
    pool = train_set.subset(p.get("images", 20_000))
    cfg = stacked.stacked_config((625, 100, THIRD_LAYER))
    model = build_model(cfg, seed=0)
    recipe = TrainConfig(epochs=p.get("epochs", 3), batch_size=128, optimizer="sgd", lr=0.1, momentum=0.9)
    n_layers = len(cfg.hidden) + 1

    def progress(k: int, epoch: int, loss: float) -> None:
        report.step({"step": k * recipe.epochs + epoch + 1, "total_steps": n_layers * recipe.epochs + 1, "loss": loss})

    pretrain = stacked.pretrain(model, pool, recipe, on_epoch=progress, should_stop=report.stop)
    samples = test.floats(slice(0, 10))
    views = {k: v.numpy() for k, v in stacked.layer_views(model, samples).items()}
    recon = {k: stacked.unrolled(model, samples, k).numpy() for k in (1, 2, 3)}
    rows, curves = _few_label_table(stacked.encoder_of(model, 2), pool, test, p.get("per_class", (10, 100, 0)), report)
    return {"rows": rows, "pretrain": pretrain, "finetune": curves, "note": note, "images": len(pool),
            "samples": samples.numpy(), "views": views, "unrolled": recon}  # fmt: skip


def _few_label_table(encoder, pool, test, per_class, report: Report) -> tuple[list[dict], dict]:
    """Q3(c): a softmax on the 100-unit layer, fine-tuned with n labels a class, beside the same
    network from scratch and the same softmax on raw pixels and on PCA-100 codes (5,000 test images)."""
    import copy
    import math

    from aeviz import stacked
    from aeviz.models import build_model
    from aeviz.pca import fit_pca

    k = 100
    x_test, y_test = test.floats()[:5000].flatten(1), test.y[:5000]
    pca = fit_pca(pool.floats(), k)
    rows, curves = [], {}
    for n in per_class:
        if report.stop():
            break
        idx = few_labels(pool.y, n) if n else torch.arange(len(pool))
        x, y = pool.floats(idx).flatten(1), pool.y[idx]
        epochs = int(min(60, max(3, 2000 / math.ceil(len(x) / 64))))  # about 2,000 steps at most
        label = f"{n} per class" if n else f"all {len(x):,}"
        pre = stacked.StackedClassifier(copy.deepcopy(encoder), k)
        curves[label] = stacked.finetune(pre, x, y, x_test, y_test, epochs=epochs)
        fresh = stacked.StackedClassifier(stacked.encoder_of(build_model(stacked.stacked_config(), seed=1)), k)
        scratch = stacked.finetune(fresh, x, y, x_test, y_test, epochs=epochs)
        rows.append({
            "labels": label, "stacked AE, pretrained + fine-tuned": curves[label][-1]["test"],
            "same network, no pretraining": scratch[-1]["test"],
            "softmax on raw pixels": softmax_accuracy(x, y, x_test, y_test),
            f"softmax on PCA-{k} codes": softmax_accuracy(pca.encode(x), y, pca.encode(x_test), y_test),
        })  # fmt: skip
    return rows, curves


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


# --- tied weights (lecture 001's x' = s(W^T h + b')) -------------------------------------------------


@task("tied")
def tied_vs_untied(p: dict, report: Report) -> dict[str, Any]:
    """A one-layer AE with tied weights against the same AE with its own decoder: test MSE and size."""
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.data import splits
    from aeviz.models import build_model
    from aeviz.training import evaluate, train

    train_set, test, _ = splits(p.get("dataset", "mnist"))
    out = {}
    for tied in (False, True):
        model = build_model(ModelConfig(family="mlp", hidden=(), latent=p.get("latent", 32), tied=tied), seed=0)
        train(model, train_set.subset(20_000), TrainConfig(epochs=3, lr=2e-3), on_step=report.step, should_stop=report.stop)
        out["tied" if tied else "untied"] = {
            "mse": evaluate(model, test)["mse"], "params": sum(q.numel() for q in model.parameters()),
            "filters": model.encoder_linears()[0].weight.detach()[:16].reshape(16, 28, 28).numpy(),
        }  # fmt: skip
    return out


# --- lecture 003: an encoder-decoder for segmentation (DeepSmoke's idea, on MNIST) ----------------


def clutter(x: Tensor, generator: torch.Generator, strength: float = 1.2) -> Tensor:
    """Digits on a blotchy background: smooth random blobs (noise averaged over 7 x 7 pixels) up to
    `strength`, clipped, so that the brightest blobs are as bright as a stroke and no threshold
    separates the digit from what lies behind it."""
    noise = torch.rand(x.shape, generator=generator)
    blobs = F.avg_pool2d(noise, 7, stride=1, padding=3, count_include_pad=False)
    blobs = (blobs - blobs.amin((-2, -1), keepdim=True)) / (
        blobs.amax((-2, -1), keepdim=True) - blobs.amin((-2, -1), keepdim=True)
    )
    return (x + strength * blobs).clamp(0, 1)


def iou(pred: Tensor, truth: Tensor) -> float:
    """Intersection over union of two boolean masks, over the whole set."""
    return float((pred & truth).sum() / (pred | truth).sum().clamp(min=1))


@task("segmentation")
def segmentation(p: dict, report: Report) -> dict[str, Any]:
    """Lecture 003's segmentation by an encoder-decoder, made live on MNIST: the denoiser's conv
    shape, given digits on a cluttered background, learns the digit's mask (pixels > 0.5), scored by
    intersection over union against the best threshold of the input, on 1,000 test images."""
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.data import ImageSet, splits
    from aeviz.models import build_model
    from aeviz.training import train

    g = torch.Generator().manual_seed(0)
    train_set, test, note = splits(p.get("dataset", "mnist"))
    train_set = train_set.subset(p.get("images", 20_000))
    x, xt = train_set.floats(), test.floats(slice(0, 1000))
    masks = ImageSet((x > 0.5).float())
    inputs = ImageSet(clutter(x, g))
    # the denoiser's shape (16-channel code, nearest + conv upsampling): the lecture's 8-channel conv AE
    # reached an IoU of 0.69 in the same 6 epochs, this one 0.76
    model = build_model(ModelConfig(family="conv", recon="bce", channels=(16, 16), upsample="nearest"), seed=0)
    config = TrainConfig(epochs=p.get("epochs", 6), batch_size=64, lr=1e-2)
    history = train(model, masks, config, inputs=inputs, on_step=report.step, should_stop=report.stop)
    xt_in, truth = clutter(xt, g), xt > 0.5
    with torch.no_grad():
        pred = model.reconstruct(xt_in)
    best_threshold = max((iou(xt_in > t, truth), t) for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95))
    return {
        "iou": iou(pred > 0.5, truth), "threshold_iou": best_threshold[0], "threshold": best_threshold[1],
        "x": xt_in[:8].numpy(), "pred": pred[:8].numpy(), "truth": truth[:8].float().numpy(),
        "loss": np.array([s["loss"] for s in history.steps]), "note": note, "images": len(x),
    }  # fmt: skip
