"""The lessons' runs, as tasks of the training service (never in a page's script thread): tutorial 10's
questions, lecture 002's capacity and stacked AE, the features table, tied weights, segmentation."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from aeviz import metrics
from aeviz.tasks.registry import Report, task


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
        "mse": metrics.mse(out.x_hat, data.x), "loss": np.array([s["loss"] for s in history.steps]),
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
                "digits": metrics.mse(model.reconstruct(test.floats()[:1000]), test.floats()[:1000]),
                "noise": metrics.mse(model.reconstruct(noise.x), noise.x),
                "noise_images": np.concatenate([noise.x[:6].numpy(), model.reconstruct(noise.x[:6]).numpy()]),
            }
    # 2. a 1-D code and a powerful encoder: 32 training images, each its own point on a line
    few = train_set.subset(32)
    model = build_model(ModelConfig(family="mlp", hidden=(512, 256), latent=1), seed=0)
    train(model, few, TrainConfig(epochs=1500, batch_size=32, lr=1e-3), on_step=report.step, should_stop=report.stop)
    with torch.no_grad():
        xt = test.floats()[:8]
        out["memorise"] = {
            "train_mse": metrics.mse(model.reconstruct(few.floats()), few.floats()),
            "test_mse": metrics.mse(model.reconstruct(test.floats()[:1000]), test.floats()[:1000]),
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
        idx = metrics.few_labels(pool.y, n) if n else torch.arange(len(pool))
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
            "softmax on raw pixels": metrics.softmax_accuracy(x, y, x_test, y_test),
            f"softmax on PCA-{k} codes": metrics.softmax_accuracy(pca.encode(x), y, pca.encode(x_test), y_test),
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
        idx = metrics.few_labels(pool.y, n)
        x_tr, y_tr = pool.floats(idx), pool.y[idx]
        pca = fit_pca(x_tr if len(x_tr) > k else pool.floats()[:5000], min(k, x_tr[0].numel()))
        feats = {
            "raw pixels": (x_tr.flatten(1), x_test.flatten(1)),
            f"PCA codes ({pca.components.shape[0]})": (pca.encode(x_tr), pca.encode(x_test)),
            f"AE codes ({k})": (model.codes(x_tr), model.codes(x_test)),
        }
        rows.append(
            {"labels per class": n} | {kind: metrics.softmax_accuracy(a, y_tr, b, y_test) for kind, (a, b) in feats.items()}
        )
        report.step({"step": len(rows), "total_steps": len(p["per_class"]), "loss": 0.0})
    return {"rows": rows, "note": note}


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
            "mse": evaluate(model, test)["mse"], "params": metrics.n_params(model),
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
    best_threshold = max((metrics.iou(xt_in > t, truth), t) for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95))
    return {
        "iou": metrics.iou(pred > 0.5, truth), "threshold_iou": best_threshold[0], "threshold": best_threshold[1],
        "x": xt_in[:8].numpy(), "pred": pred[:8].numpy(), "truth": truth[:8].float().numpy(),
        "loss": np.array([s["loss"] for s in history.steps]), "note": note, "images": len(x),
    }  # fmt: skip
