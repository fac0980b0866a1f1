"""The one training loop (used by the CLI, the zoo, the benchmarks and the UI) and evaluation.

The loop batches from tensors already in memory: a random permutation per epoch, one fancy-index
and one uint8 -> float conversion per batch. Progress goes out through callbacks, so the loop
never knows who is watching (a progress bar, a Streamlit fragment, a worker process's queue).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


Hook = Callable[[dict[str, float]], None] | None  # told each step's (or epoch's) record


def fit(model: Autoencoder, data: ImageSet, config: TrainConfig, *, on_step: Hook = None, on_epoch: Hook = None,
        should_stop: Callable[[], bool] | None = None) -> History:  # fmt: skip
    """Train `model` as its recipe says, the one entry point of the CLI, the zoo and the training
    service: end to end (`train`), or with `config.greedy` a stacked AE layer by layer (lectures 003
    and 004, `aeviz.stacked.pretrain`), each layer's epochs reported as steps of one run."""
    if not config.greedy:
        return train(model, data, config, on_step=on_step, on_epoch=on_epoch, should_stop=should_stop)
    from aeviz import stacked  # it trains with its own loop, one layer pair at a time

    data = data.subset(config.max_samples)
    total, t0 = (len(model.config.hidden) + 1) * config.epochs, time.perf_counter()
    history = History()

    def layer_epoch(k: int, e: int, loss: float) -> None:
        done = k * config.epochs + e + 1
        record = {"step": done, "total_steps": total, "epoch": done, "loss": loss, "recon": loss, "reg": 0.0,
                  "samples_per_s": len(data) * done / (time.perf_counter() - t0)}  # fmt: skip
        history.steps.append(record)
        if on_step is not None:
            on_step(record)

    with _threads(config.threads):
        curves = stacked.pretrain(model, data, config, on_epoch=layer_epoch, should_stop=should_stop)
    history.stopped = sum(map(len, curves)) < total
    history.seconds = time.perf_counter() - t0
    history.epochs = [{"layer": k + 1, "loss": c[-1]} for k, c in enumerate(curves) if c]
    return history


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
    data, inputs = _paired(data, inputs, config.max_samples)
    n, bs = len(data), min(config.batch_size, len(data))
    # a last batch of a single image is dropped: BatchNorm cannot normalise one sample
    steps_per_epoch = max(1, n // bs + (n % bs > 1))
    total_steps = steps_per_epoch * config.epochs
    opt = make_optimizer(model, config)
    # cosine decay to 0 per step: ends at the bottom of the basin instead of bouncing around it
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps) if config.cosine else None
    history = History()
    with _threads(config.threads):
        t_start = time.perf_counter()
        step = 0
        try:
            with _seeded(config.seed) as g:
                model.train()
                for epoch in range(1, config.epochs + 1):
                    t_epoch = time.perf_counter()
                    sums = torch.zeros(3)
                    progress = {"epoch": epoch, "total_steps": total_steps, "batch_size": bs, "t_start": t_start}
                    for x, x_in in _batches(data, inputs, torch.randperm(n, generator=g), bs, steps_per_epoch):
                        if should_stop is not None and should_stop():
                            history.stopped = True
                            return history
                        step += 1
                        parts = _step(model, opt, sched, x, x_in, g, step, config)
                        sums += parts * len(x)
                        _record_step(history, parts, step, on_step, **progress)
                    record = _epoch_record(model, epoch, sums / n, n, t_epoch, eval_data)
                    history.epochs.append(record)
                    if on_epoch is not None:
                        on_epoch(record)
        finally:
            model.eval()
            history.seconds = time.perf_counter() - t_start
        return history


def _paired(data: ImageSet, inputs: ImageSet | None, max_samples: int | None) -> tuple[ImageSet, ImageSet | None]:
    """The targets, and the inputs paired with them one to one (None: an autoencoder sees its targets)."""
    data = data.subset(max_samples)
    if inputs is not None:
        inputs = inputs.subset(max_samples)
        if len(inputs) != len(data):
            raise ValueError(f"{len(inputs)} inputs for {len(data)} targets: they must pair up")
    return data, inputs


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """torch's thread count set to `n` (if given) for the block, and put back after it."""
    old_threads = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)


@contextmanager
def _seeded(seed: int) -> Iterator[torch.Generator]:
    """A generator seeded with `seed`, and torch's global stream seeded too but forked: noise and
    sampling draw from a private stream, and the caller's stream is as it was after the block."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield torch.Generator().manual_seed(seed)


def _batches(data: ImageSet, inputs: ImageSet | None, perm: Tensor, bs: int, steps: int) -> Iterator[tuple[Tensor, Tensor]]:
    """An epoch's (x, x_in) batches in the order of `perm`: the targets (B, C, H, W) in [0, 1], and
    what the model is given (x itself, unless `inputs` pairs other images with them)."""
    for i in range(steps):
        rows = perm[i * bs : (i + 1) * bs]
        x = data.floats(rows)
        yield x, inputs.floats(rows) if inputs is not None else x


def _step(
    model: Autoencoder,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler | None,
    x: Tensor,
    x_in: Tensor,
    g: torch.Generator,
    step: int,
    config: TrainConfig,
) -> Tensor:
    """One optimisation step on a batch; returns the loss parts (total, recon, reg), detached."""
    noise, level = model.config.noise, model.config.noise_level
    out = model(corrupt(x_in, noise, level, g) if level > 0 else x_in)
    loss = model.loss(x, out)  # against the clean x
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
    return torch.stack([p.detach() for p in loss])


def _record_step(
    history: History,
    parts: Tensor,
    step: int,
    on_step: Callable[[dict[str, float]], None] | None,
    *,
    epoch: int,
    total_steps: int,
    batch_size: int,
    t_start: float,
) -> None:
    """The step's loss parts into `history`, and to `on_step` with the run's progress and speed."""
    total, recon, reg = parts.tolist()
    history.steps.append({"step": step, "loss": total, "recon": recon, "reg": reg})
    if on_step is not None:
        elapsed = time.perf_counter() - t_start
        on_step({
            **history.steps[-1], "epoch": epoch, "total_steps": total_steps,
            "samples_per_s": step * batch_size / elapsed, "elapsed": elapsed,
        })  # fmt: skip


def _epoch_record(
    model: Autoencoder, epoch: int, means: Tensor, n: int, t_epoch: float, eval_data: ImageSet | None
) -> dict[str, Any]:
    """An epoch's mean loss parts and speed, and with `eval_data` that set's metrics (the model is
    left in training mode)."""
    seconds = time.perf_counter() - t_epoch
    total, recon, reg = means.tolist()
    record: dict[str, Any] = {
        "epoch": epoch, "loss": total, "recon": recon, "reg": reg,
        "seconds": seconds, "samples_per_s": n / seconds,
    }  # fmt: skip
    if eval_data is not None:
        record.update({f"test_{k}": v for k, v in evaluate(model, eval_data).items()})
        model.train()
    return record


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
