"""Training in a worker process, so the server (and every other student's page) stays responsive.

A `TrainJob` runs `aeviz.train` in a spawned process with one torch thread and reports through a
queue: throttled step records, epoch records, previews (first-layer filters, reconstructions),
and finally the checkpoint bytes. Measured here: training inside the server process slowed other
sessions' reruns from ~9 ms to ~79 ms; a separate process kept them at ~8 ms.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import time
from dataclasses import dataclass, field
from typing import Any

from aeviz.config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class Limits:
    """What a classroom server allows one job; the Train page shows these."""

    max_epochs: int = 50
    max_toy_epochs: int = 10_000  # the toy sets are one full batch: an epoch is a single step
    max_samples: int = 20_000
    max_seconds: float = 300.0
    max_params: int = 3_000_000


LIMITS = Limits()


def check_limits(model: ModelConfig, train: TrainConfig, limits: Limits = LIMITS, toy: bool = False) -> list[str]:
    """Reasons this job is over the limits (empty when it may run)."""
    from aeviz import build_model
    from aeviz.explore import n_params

    problems = []
    max_epochs = limits.max_toy_epochs if toy else limits.max_epochs
    if train.epochs > max_epochs:
        problems.append(f"{train.epochs} epochs is over the limit of {max_epochs}")
    if train.max_samples is not None and train.max_samples > limits.max_samples:
        problems.append(f"{train.max_samples:,} samples is over the limit of {limits.max_samples:,}")
    n = n_params(build_model(model))
    if n > limits.max_params:
        problems.append(f"{n:,} parameters is over the limit of {limits.max_params:,}")
    return problems


def _worker(model_cfg, train_cfg, dataset, out, stop, max_seconds) -> None:  # runs in the child
    import torch

    from aeviz import build_model, checkpoint, evaluate, train
    from aeviz.data import DataUnavailable, load, load_sample

    torch.set_num_threads(1)  # one core per job: the server keeps the other
    os.nice(10)  # and the pages being clicked (server and browsers) come first when cores are short
    try:
        note = ""
        try:
            data = load(dataset, "train")
            test = load(dataset, "test")
        except DataUnavailable:
            data = test = load_sample(dataset)  # offline and no files: the shipped sample
            note = "no training set on this machine: trained on the shipped 2,000-image sample"
        data = data.subset(train_cfg.max_samples)
        model = build_model(model_cfg, seed=train_cfg.seed)
        x_preview = test.floats(slice(0, 8))
        t0 = time.perf_counter()
        last = [0.0]

        def preview() -> dict[str, Any]:
            model.eval()
            with torch.no_grad():
                x_hat = model.reconstruct(x_preview)
            model.train()
            w = model.first_layer_filters()[:32]
            return {"filters": w.numpy().copy(), "x": x_preview.numpy(), "x_hat": x_hat.numpy()}

        def on_step(s: dict) -> None:
            now = time.perf_counter()
            if now - last[0] > 0.25 or s["step"] == s["total_steps"]:  # ~4 messages a second
                last[0] = now
                out.put({"type": "step", **s})

        def on_epoch(e: dict) -> None:
            out.put({"type": "epoch", **e, "preview": preview()})

        def should_stop() -> bool:
            return stop.is_set() or time.perf_counter() - t0 > max_seconds

        out.put({"type": "start", "n": len(data), "note": note, "preview": preview()})
        history = train(model, data, train_cfg, on_step=on_step, on_epoch=on_epoch, should_stop=should_stop)
        metrics = evaluate(model, test)
        timed_out = time.perf_counter() - t0 > max_seconds
        blob = checkpoint.to_bytes(model, dataset=dataset, recipe=train_cfg.to_dict(), metrics=metrics)
        out.put({
            "type": "done", "checkpoint": blob, "metrics": metrics, "stopped": history.stopped,
            "timed_out": timed_out, "seconds": history.seconds, "note": note,
        })  # fmt: skip
    except Exception as e:  # the page shows it; the server must not die with the job
        out.put({"type": "error", "message": f"{type(e).__name__}: {e}"})


@dataclass
class TrainJob:
    model: ModelConfig
    train: TrainConfig
    dataset: str
    max_seconds: float = LIMITS.max_seconds
    steps: list[dict] = field(default_factory=list)
    epochs: list[dict] = field(default_factory=list)
    preview: dict | None = None
    result: dict | None = None
    error: str | None = None
    note: str = ""
    started: float = 0.0

    def start(self) -> TrainJob:
        ctx = mp.get_context("spawn")  # no fork: the server has threads
        self._queue = ctx.Queue()
        self._stop = ctx.Event()
        self._proc = ctx.Process(
            target=_worker, args=(self.model, self.train, self.dataset, self._queue, self._stop, self.max_seconds), daemon=True
        )
        self.started = time.perf_counter()
        self._proc.start()
        return self

    def poll(self) -> TrainJob:
        """Take in whatever the worker has sent; cheap, never blocks."""
        was_alive = self._proc.is_alive()  # checked before draining: a finished worker's last words are in the queue
        while True:
            try:
                msg = self._queue.get_nowait()
            except queue_mod.Empty:
                break
            kind = msg.pop("type")
            if kind == "step":
                self.steps.append(msg)
            elif kind == "epoch":
                self.preview = msg.pop("preview")
                self.epochs.append(msg)
            elif kind == "start":
                self.preview, self.note = msg["preview"], msg["note"]
            elif kind == "done":
                self.result = msg
            elif kind == "error":
                self.error = msg["message"]
        if not was_alive and self.result is None and self.error is None:
            self.error = f"the training process ended unexpectedly (exit code {self._proc.exitcode})"
        return self

    @property
    def running(self) -> bool:
        return self.result is None and self.error is None and self._proc.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def kill(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()

    @property
    def progress(self) -> float:
        if self.result is not None:
            return 1.0
        return self.steps[-1]["step"] / self.steps[-1]["total_steps"] if self.steps else 0.0

    @property
    def eta(self) -> float | None:
        p = self.progress
        if not self.steps or p <= 0:
            return None
        return self.steps[-1]["elapsed"] * (1 - p) / p
