"""The work the app hands to the training service, as plain functions of (params, report).

A task runs on a Dask worker (`aeviz.service`), or in this process for the CLI and the tests
(`run_here`). It reports through a `Report`: throttled loss points, epoch records, small previews,
and it polls `report.stop()` between steps, which says yes once the job is cancelled or over its
wall-clock budget. Its return value is small and picklable (checkpoint bytes, arrays, numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TASKS: dict[str, Callable[[dict[str, Any], Report], Any]] = {}


def task(name: str):
    def wrap(fn):
        if name in TASKS:
            raise ValueError(f"task {name!r} is already registered")
        TASKS[name] = fn
        return fn

    return wrap


@dataclass(frozen=True)
class JobSpec:
    """What to run: a task's name and its parameters (hashable: configs, numbers, strings, tuples)."""

    task: str
    params: tuple[tuple[str, Any], ...] = ()
    title: str = ""
    shared: bool = False  # the result depends on the spec alone: one run serves every student asking

    @classmethod
    def of(cls, task: str, title: str = "", shared: bool = False, **params: Any) -> JobSpec:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; choose from {sorted(TASKS)}")
        return cls(task, tuple(sorted(params.items())), title, shared)

    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass
class Report:
    """How a running task talks back. `send` is the transport (a Dask queue, or a list in tests)."""

    send: Callable[[dict[str, Any]], None]
    cancelled: Callable[[], bool] = lambda: False
    deadline: float = float("inf")  # time.monotonic() after which the task must stop
    every: float = 0.25  # seconds between loss points: ~4 a second is all a page can draw
    preview_every: float = 1.0  # and between previews (a toy set's 10,000 epochs must not flood the page)
    _last: dict[str, float] = field(default_factory=dict)
    _checked: float = 0.0
    _stop: bool = False
    timed_out: bool = False

    def _due(self, kind: str, interval: float, force: bool) -> bool:
        now = time.monotonic()
        if force or now - self._last.get(kind, -1e9) >= interval:
            self._last[kind] = now
            return True
        return False

    def step(self, record: dict[str, Any], force: bool = False) -> None:
        if self._due("step", self.every, force or record.get("step") == record.get("total_steps")):
            self.send({"type": "step", **record})

    def epoch(self, record: dict[str, Any], preview: Callable[[], dict] | None = None) -> None:
        msg = {"type": "epoch", **record}
        last = record.get("last", False)
        if preview is not None and self._due("preview", self.preview_every, last):
            msg["preview"] = preview()
        if "preview" in msg or self._due("epoch", self.every, last):  # a toy set's epochs take microseconds
            self.send(msg)

    def note(self, text: str) -> None:
        self.send({"type": "note", "text": text})

    def stop(self) -> bool:
        """True once the job is cancelled or out of time; the cancel flag is asked at most 5 times a second."""
        if self._stop:
            return True
        now = time.monotonic()
        if now > self.deadline:
            self.timed_out = self._stop = True
        elif now - self._checked > 0.2:
            self._checked = now
            self._stop = bool(self.cancelled())
        return self._stop


def run_here(spec: JobSpec, max_seconds: float = float("inf")) -> tuple[Any, list[dict]]:
    """Run a task in this process: (result, the messages it sent). For the CLI and the tests."""
    messages: list[dict] = []
    report = Report(messages.append, deadline=time.monotonic() + max_seconds, every=0.0, preview_every=0.0)
    return TASKS[spec.task](spec.kwargs(), report), messages


def dataset_splits(dataset: str, images: Any = None):
    """(train, test, note) for a built-in dataset name, a toy set, or a session's own images."""
    from aeviz import data

    if images is not None:  # a class's own images (aeviz.userdata), sent along with the job
        return images.train, images.test, ""
    if dataset in ("patterns", "random"):
        return data.load(dataset, "train"), data.load(dataset, "test"), ""
    return data.splits(dataset)


@task("train")
def train_model(p: dict[str, Any], report: Report) -> dict[str, Any]:
    """Train `model` (a ModelConfig) with `train` (a TrainConfig) on `dataset`: the Train page's job."""
    import torch

    from aeviz import checkpoint
    from aeviz.models import build_model
    from aeviz.training import evaluate, train

    model_cfg, train_cfg, dataset = p["model"], p["train"], p["dataset"]
    data, test, note = dataset_splits(dataset, p.get("images"))
    if note:
        report.note(note)
    data = data.subset(train_cfg.max_samples)
    model = build_model(model_cfg, seed=train_cfg.seed)
    x_preview = test.floats(slice(0, 8))

    def preview() -> dict[str, Any]:
        with torch.no_grad():
            x_hat = model.reconstruct(x_preview)
        return {
            "filters": model.encoder_filters()[0].weights[:32].copy(),  # as pictures: (P, h, w), colour (P, 3, h, w)
            "x": x_preview.numpy(),
            "x_hat": x_hat.numpy(),
        }

    report.send({"type": "start", "n": len(data), "preview": preview()})
    last_epoch = train_cfg.epochs

    def on_epoch(e: dict[str, Any]) -> None:
        report.epoch({**e, "last": e["epoch"] == last_epoch}, preview)

    if train_cfg.greedy:  # a stacked AE (lectures 003, 004): one layer after another
        from aeviz import stacked
        from aeviz.training import History

        total, t0 = (len(model_cfg.hidden) + 1) * train_cfg.epochs, time.perf_counter()

        def layer_epoch(k: int, e: int, loss: float) -> None:
            done = k * train_cfg.epochs + e + 1
            rate = len(data) * done / (time.perf_counter() - t0)
            report.step({"step": done, "total_steps": total, "epoch": done, "loss": loss, "recon": loss, "reg": 0.0,
                         "samples_per_s": rate}, force=True)  # fmt: skip

        curves = stacked.pretrain(model, data, train_cfg, on_epoch=layer_epoch, should_stop=report.stop)
        history = History(stopped=report.stop(), seconds=time.perf_counter() - t0)
        history.epochs = [{"layer": k + 1, "loss": c[-1]} for k, c in enumerate(curves) if c]
    else:
        history = train(model, data, train_cfg, on_step=report.step, on_epoch=on_epoch, should_stop=report.stop)
    meta = {"dataset": dataset, "recipe": train_cfg.to_dict(), "seconds": history.seconds}
    if p.get("images") is not None:
        meta["data"] = {"name": p["images"].name, **p["images"].recipe.to_dict()}
    # float16, as the app keeps and downloads it: metrics measured on the weights as kept
    saved, _ = checkpoint.from_bytes(checkpoint.to_bytes(model, half=True, **meta))
    metrics = evaluate(saved, test)
    return {
        "checkpoint": checkpoint.to_bytes(saved, half=True, **meta, metrics=metrics), "metrics": metrics,
        "stopped": history.stopped, "timed_out": report.timed_out, "seconds": history.seconds, "note": note,
    }  # fmt: skip


@task("ingest")
def ingest(p: dict[str, Any], report: Report):
    """Decode a class's upload into a dataset (aeviz.userdata): a zip, image files, an .npz, or one
    of torchvision's sets by name. Thousands of images take seconds: not in a page's thread."""
    from aeviz import userdata
    from aeviz.data import data_root

    recipe = userdata.Recipe(**p["recipe"]) if p.get("recipe") else userdata.Recipe()
    if p.get("torchvision"):
        return userdata.fetch(p["torchvision"], data_root(), test_share=p.get("test_share", 0.1))
    items = []
    for name, blob in p["files"]:
        if name.lower().endswith(".npz"):
            return userdata.from_npz(blob, p["name"], p.get("test_share", 0.1))
        items += userdata.read_zip(blob) if name.lower().endswith(".zip") else [(name, None, blob)]
    return userdata.from_images(items, recipe, p["name"], p.get("test_share", 0.1), p.get("seed", 0))


# importing the modules that define more tasks fills the registry
from aeviz import lessons  # noqa: E402, F401
