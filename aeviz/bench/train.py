"""`python -m aeviz.bench train`: the aeviz loop against a pytorch/examples-style baseline.

Per family on MNIST, one epoch each way from the same initial weights and the same batch size:
the baseline is torchvision's dataset + `ToTensor` + `DataLoader(shuffle=True)`, as in
pytorch/examples. Also each model's achieved GFLOP/s as a fraction of this machine's measured
fp32 matmul peak (one thread, and the threads the loop used).
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from aeviz import build_model, evaluate, presets, train
from aeviz.config import ModelConfig, TrainConfig
from aeviz.data import DATASETS, data_root, load_dataset
from aeviz.models.base import Autoencoder

MODELS = {
    "linear": presets.FAMILY["linear"],
    "mlp": presets.FAMILY["mlp"],
    "conv": presets.FAMILY["conv"],
    "sparse": presets.FAMILY["sparse"],
    "denoising": presets.FAMILY["denoising"],
    "vae": presets.FAMILY["vae"],
}


def matmul_peak(threads: int, n: int = 2048, reps: int = 8) -> float:
    """fp32 GFLOP/s of a large square matmul, best of `reps`."""
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm up
    best = min(_timed(lambda: a @ b) for _ in range(reps))
    torch.set_num_threads(old)
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def train_flops_per_sample(model: Autoencoder, batch: int) -> float:
    """Forward + backward FLOPs of one training step, per sample (torch's own counter)."""
    x = torch.rand(batch, *model.config.shape)
    with FlopCounterMode(display=False) as counter:
        model.loss(x, model(x)).total.backward()
    model.zero_grad(set_to_none=True)
    return counter.get_total_flops() / batch


def baseline_epoch(model: Autoencoder, cfg: TrainConfig) -> float:
    """One epoch the pytorch/examples way; returns seconds."""
    import torchvision
    from torch.utils.data import DataLoader
    from torchvision.transforms import ToTensor

    ds = torchvision.datasets.MNIST(str(data_root()), train=True, transform=ToTensor(), download=False)
    loader = DataLoader(ds, batch_size=cfg.batch_size, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model.train()
    t = time.perf_counter()
    for x, _ in loader:
        out = model(x)
        loss = model.loss(x, out)
        opt.zero_grad()
        loss.total.backward()
        opt.step()
    seconds = time.perf_counter() - t
    model.eval()
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench train")
    p.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    p.add_argument(
        "--batch-size", type=int, nargs="+", default=[presets.TRAIN.batch_size, 512],
        help="one table per batch size: the lectures' 128, and 512 where small models use the cores better",
    )  # fmt: skip
    a = p.parse_args(argv)
    load_dataset("mnist", "train")  # fail early, with the message saying where the files go
    test = load_dataset("mnist", "test")
    threads = torch.get_num_threads()
    peak1, peak_n = matmul_peak(1), matmul_peak(threads)
    print(f"fp32 matmul peak: {peak1:.1f} GFLOP/s on 1 thread, {peak_n:.1f} on {threads} threads")
    for batch in a.batch_size:
        print(f"\nMNIST ({DATASETS['mnist']}), 1 epoch, batch {batch}, Adam, same initial weights both ways")
        head = f"{'model':10s} {'aeviz s':>8s} {'base s':>7s} {'ratio':>6s} {'aeviz MSE':>10s} {'base MSE':>9s}"
        print(head + f" {'GFLOP/s':>8s} {'%peak1':>7s} {'%peak' + str(threads):>7s}")
        cfg = TrainConfig(epochs=1, batch_size=batch, cosine=False)
        for name in a.models:
            config: ModelConfig = MODELS[name]
            flops = train_flops_per_sample(build_model(config, seed=0), batch)
            model = build_model(config, seed=0)
            history = train(model, load_dataset("mnist", "train"), cfg)
            ours, ours_mse = history.seconds, evaluate(model, test)["mse"]
            model = build_model(config, seed=0)
            base = baseline_epoch(model, cfg)
            base_mse = evaluate(model, test)["mse"]
            gflops = flops * 60000 / ours / 1e9
            print(
                f"{name:10s} {ours:8.2f} {base:7.2f} {base / ours:5.2f}x {ours_mse:10.4f} {base_mse:9.4f}"
                f" {gflops:8.1f} {100 * gflops / peak1:6.0f}% {100 * gflops / peak_n:6.0f}%",
                flush=True,
            )
    return 0
