"""`python -m aeviz.bench own`: autoencoders trained on a class's own images, against the mean image.

The images are generated (`aeviz.bench.synthetic`): dark letters drawn with Pillow's font in class
folders, read as gray 28×28 and inverted to light on dark, and coloured shapes read as colour 32×32.
Each goes through the same path as an upload (`userdata.read_zip`, `from_images`, a seeded held-out
split), then each family trains on the held-out-free part with the one training loop. The baseline is
the mean training image: what a model that ignores its input would output.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import torch

from aeviz import ModelConfig, TrainConfig, build_model, evaluate, metrics, train, userdata
from aeviz.bench.synthetic import letters_zip, shapes_zip

SETS = {
    "letters": (letters_zip, userdata.Recipe()),
    "shapes": (shapes_zip, userdata.Recipe(color=True, size=32)),
}
# cross-entropy for every family: with squared error at α = 1e-2 the conv AE's sigmoid output saturated
# on the dark letters' background and stayed there
FAMILIES = {
    "conv": ModelConfig(family="conv", recon="bce"),
    "mlp": ModelConfig(family="mlp", hidden=(256,), latent=16, recon="bce"),
    "vae": ModelConfig(family="vae", hidden=(256,), latent=2, recon="bce"),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench own")
    p.add_argument("--per-class", type=int, default=100)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--families", nargs="*", default=list(FAMILIES), choices=list(FAMILIES))
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # one worker core, as the training service gives a job
    print(
        f"{'data':8s} {'family':6s} {'train':>5s} {'test':>4s} {'test MSE':>9s} {'mean image':>10s} {'ratio':>6s} {'seconds':>7s}"
    )
    for name, (make, recipe) in SETS.items():
        d = userdata.from_images(userdata.read_zip(make(per_class=a.per_class)), recipe, name, test_share=0.15)
        baseline = metrics.mse(d.test.floats(), d.train.floats().mean(0, keepdim=True))
        for family in a.families:
            config = dataclasses.replace(FAMILIES[family], shape=d.shape)
            model = build_model(config, seed=0)
            t0 = time.perf_counter()
            train(model, d.train, TrainConfig(epochs=a.epochs, batch_size=32, lr=1e-2 if family == "conv" else 1e-3))
            seconds = time.perf_counter() - t0
            mse = evaluate(model, d.test)["mse"]
            print(
                f"{name:8s} {family:6s} {len(d.train):5d} {len(d.test):4d} {mse:9.4f} {baseline:10.4f} "
                f"{baseline / mse:5.1f}× {seconds:7.1f}"
            )
    return 0
