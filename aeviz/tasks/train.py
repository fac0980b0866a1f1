"""The Train page's task (one model, trained end to end or layer by layer) and the uploads' ingest."""

from __future__ import annotations

import functools
from typing import Any

from aeviz.tasks.registry import Report, task


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
    from aeviz.training import evaluate, fit

    model_cfg, train_cfg, dataset = p["model"], p["train"], p["dataset"]
    data, test, note = dataset_splits(dataset, p.get("images"))
    if note:
        report.note(note)
    data = data.subset(train_cfg.max_samples)
    model = build_model(model_cfg, seed=train_cfg.seed)
    x_preview = test.floats(slice(0, 8))
    # a class's own pictures stay out of the progress events (the scheduler keeps and broadcasts those):
    # their live preview shows the filters only, and the pictures come back with the result, to the owner alone
    private = p.get("images") is not None

    def preview(pixels: bool = not private) -> dict[str, Any]:
        out = {"filters": model.encoder_filters()[0].weights[:32].copy()}  # as pictures: (P, h, w), colour (P, 3, h, w)
        if pixels:
            with torch.no_grad():
                out |= {"x": x_preview.numpy(), "x_hat": model.reconstruct(x_preview).numpy()}
        return out

    report.send({"type": "start", "n": len(data), "preview": preview()})
    last_epoch = train_cfg.epochs

    def on_epoch(e: dict[str, Any]) -> None:
        report.epoch({**e, "last": e["epoch"] == last_epoch}, preview)

    # a stacked AE's points are its layers' epochs, few and each worth drawing: none is thinned out
    on_step = functools.partial(report.step, force=True) if train_cfg.greedy else report.step
    history = fit(model, data, train_cfg, on_step=on_step, on_epoch=on_epoch, should_stop=report.stop)
    meta = {"dataset": dataset, "recipe": train_cfg.to_dict(), "seconds": history.seconds}
    if p.get("images") is not None:
        meta["data"] = {"name": p["images"].name, **p["images"].recipe.to_dict()}
    # float16, as the app keeps and downloads it: metrics measured on the weights as kept
    saved, _ = checkpoint.from_bytes(checkpoint.to_bytes(model, half=True, **meta))
    metrics = evaluate(saved, test)
    return {
        "checkpoint": checkpoint.to_bytes(saved, half=True, **meta, metrics=metrics), "metrics": metrics,
        "stopped": history.stopped, "timed_out": report.timed_out, "seconds": history.seconds, "note": note,
        "preview": preview(pixels=True),
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
    files = p["files"]
    # one budget for the job, over every file: a few archives each under the limits are not the limits times a few
    if (total := sum(len(blob) for _, blob in files)) > userdata.MAX_TOTAL:
        raise userdata.UserDataError(f"the files hold {total / 2**20:,.0f} MB; at most {userdata.MAX_TOTAL // 2**20} MB in all")
    items = []
    for name, blob in files:
        if name.lower().endswith(".npz"):
            return userdata.from_npz(blob, p["name"], p.get("test_share", 0.1))
        left = userdata.MAX_TOTAL - sum(len(b) for _, _, b in items)
        items += userdata.read_zip(blob, max_total=left) if name.lower().endswith(".zip") else [(name, None, blob)]
        if len(items) > userdata.MAX_ENTRIES:
            raise userdata.UserDataError(f"the files hold over {userdata.MAX_ENTRIES:,} images in all: refused")
    return userdata.from_images(items, recipe, p["name"], p.get("test_share", 0.1), p.get("seed", 0), should_stop=report.stop)
