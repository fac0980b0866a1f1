"""The one training loop (used by the CLI, the zoo, the benchmarks and the UI) and evaluation.

The loop batches from tensors already in memory: a random permutation per epoch, one fancy-index
and one uint8 -> float conversion per batch. Progress goes out through callbacks, so the loop
never knows who is watching (a progress bar, a Streamlit fragment, a worker process's queue).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from aeviz.config import TrainConfig
from aeviz.data import ImageSet
from aeviz.models.base import Autoencoder, reconstruction_per_image
from aeviz.noise import corrupt


class Diverged(RuntimeError):
    """The loss stopped being a number; the message says at which step and what to change."""


@dataclass
class History:
    steps: list[dict[str, float]] = field(default_factory=list)  # loss parts per step
    epochs: list[dict[str, float]] = field(default_factory=list)  # means per epoch, timing, metrics
    stopped: bool = False  # cancelled before the last epoch ended
    seconds: float = 0.0


def make_optimizer(model: Autoencoder, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    return torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def train(
    model: Autoencoder,
    data: ImageSet,
    config: TrainConfig,
    *,
    on_step: Callable[[dict[str, float]], None] | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    eval_data: ImageSet | None = None,
    inputs: ImageSet | None = None,
) -> History:
    """Train `model` in place; deterministic for a given model init, data and `config.seed`.

    A model whose config has a noise level above 0 learns to denoise: it sees x_tilde = corrupt(x)
    and its loss compares x_hat with the clean x (lecture 003), whatever its family.
    `should_stop` is polled between steps; the model keeps what it learned until then.
    With `eval_data`, every epoch record carries that set's metrics. With `inputs` (as many images as
    `data`), the model learns to map each of them to its image in `data`: an encoder-decoder that is
    not an autoencoder (lecture 003's segmentation: cluttered digits in, their masks out).
    A loss that becomes NaN or infinite raises `Diverged` (the weights are then useless).
    """
    data = data.subset(config.max_samples)
    if inputs is not None:
        inputs = inputs.subset(config.max_samples)
        if len(inputs) != len(data):
            raise ValueError(f"{len(inputs)} inputs for {len(data)} targets: they must pair up")
    n, bs = len(data), min(config.batch_size, len(data))
    # a last batch of a single image is dropped: BatchNorm cannot normalise one sample
    steps_per_epoch = max(1, n // bs + (n % bs > 1))
    total_steps = steps_per_epoch * config.epochs
    opt = make_optimizer(model, config)
    # cosine decay to 0 per step: ends at the bottom of the basin instead of bouncing around it
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps) if config.cosine else None
    noise, level = model.config.noise, model.config.noise_level
    history = History()
    old_threads = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    t_start = time.perf_counter()
    step = 0
    try:
        with torch.random.fork_rng(devices=[]):  # noise and sampling draw from a seeded, private stream
            torch.manual_seed(config.seed)
            g = torch.Generator().manual_seed(config.seed)
            model.train()
            for epoch in range(1, config.epochs + 1):
                t_epoch = time.perf_counter()
                sums = torch.zeros(3)
                perm = torch.randperm(n, generator=g)
                for i in range(steps_per_epoch):
                    if should_stop is not None and should_stop():
                        history.stopped = True
                        return history
                    rows = perm[i * bs : (i + 1) * bs]
                    x = data.floats(rows)  # (B, C, H, W) in [0, 1]
                    x_in = inputs.floats(rows) if inputs is not None else x
                    out = model(corrupt(x_in, noise, level, g) if level > 0 else x_in)
                    loss = model.loss(x, out)  # against the clean x
                    step += 1
                    if not torch.isfinite(loss.total):
                        raise Diverged(
                            f"the loss became {loss.total.item()} at step {step}: lower the learning rate α "
                            f"(it is {config.lr:g})" + (" or use Adam" if config.optimizer == "sgd" else "")
                        )
                    opt.zero_grad(set_to_none=True)
                    loss.total.backward()
                    opt.step()
                    if sched is not None:
                        sched.step()
                    parts = torch.stack([p.detach() for p in loss])
                    sums += parts * len(x)
                    total, recon, reg = parts.tolist()
                    history.steps.append({"step": step, "loss": total, "recon": recon, "reg": reg})
                    if on_step is not None:
                        elapsed = time.perf_counter() - t_start
                        on_step({
                            **history.steps[-1], "epoch": epoch, "total_steps": total_steps,
                            "samples_per_s": step * bs / elapsed, "elapsed": elapsed,
                        })  # fmt: skip
                seconds = time.perf_counter() - t_epoch
                total, recon, reg = (sums / n).tolist()
                record: dict[str, Any] = {
                    "epoch": epoch, "loss": total, "recon": recon, "reg": reg,
                    "seconds": seconds, "samples_per_s": n / seconds,
                }  # fmt: skip
                if eval_data is not None:
                    record.update({f"test_{k}": v for k, v in evaluate(model, eval_data).items()})
                    model.train()
                history.epochs.append(record)
                if on_epoch is not None:
                    on_epoch(record)
    finally:
        model.eval()
        history.seconds = time.perf_counter() - t_start
        torch.set_num_threads(old_threads)
    return history


@torch.no_grad()
def evaluate(model: Autoencoder, data: ImageSet, batch_size: int = 1000) -> dict[str, float]:
    """Test metrics: per-pixel MSE and BCE, PSNR (of the mean MSE), and the family's own
    (`Autoencoder.extra_metrics`: the ELBO in nats for a VAE, rho_hat for a sparse code)."""
    was_training = model.training
    model.eval()
    g = torch.Generator().manual_seed(0)  # the ELBO's sample: same number on every call
    n_pix = math.prod(data.shape)
    sums: dict[str, float] = {"mse": 0.0, "bce": 0.0}
    for i in range(0, len(data), batch_size):
        x = data.floats(slice(i, i + batch_size))
        out = model(x)
        sums["mse"] += reconstruction_per_image(out.x_hat, x, "mse").sum().item()
        if x.min() >= 0 and x.max() <= 1:  # cross-entropy is defined for pixel intensities only
            sums["bce"] += reconstruction_per_image(out.x_hat, x, "bce").sum().item()
        else:
            sums["bce"] = math.nan
        for k, v in model.extra_metrics(x, out, g).items():
            sums[k] = sums.get(k, 0.0) + v.sum().item()
    model.train(was_training)
    n = len(data)
    metrics = {"mse": sums.pop("mse") / (n * n_pix), "bce": sums.pop("bce") / (n * n_pix)}
    metrics["psnr"] = psnr(metrics["mse"])
    return metrics | {k: v / n for k, v in sums.items()}


def psnr(mse: float | Tensor) -> float | Tensor:
    """Peak signal-to-noise ratio in dB for pixels in [0, 1]."""
    if isinstance(mse, Tensor):
        return 10 * torch.log10(1 / mse.clamp_min(1e-10))
    return 10 * math.log10(1 / max(mse, 1e-10))


@torch.no_grad()
def per_image_mse(model: Autoencoder, x: Tensor) -> Tensor:
    """(B,) mean squared error per pixel of each image's reconstruction."""
    return (model.reconstruct(x) - x).square().flatten(1).mean(1)
