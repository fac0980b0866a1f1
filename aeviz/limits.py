"""What a shared classroom server allows: per job, per student, in all. Checked on the server.

A disabled widget is not a limit: a crafted client can send any value, so every job and every
upload is checked here, with numbers a student can read. The defaults can be changed per server
with environment variables, `AEVIZ_<FIELD>` (for example `AEVIZ_MAX_PARAMS=5000000`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from aeviz.config import ModelConfig, TrainConfig

TOY_DATASETS = ("patterns", "random")  # one full batch per epoch: an epoch is a single step


@dataclass(frozen=True)
class Limits:
    max_epochs: int = 50
    max_toy_epochs: int = 10_000
    max_samples: int = 20_000  # training images per job
    max_batch: int = 4096
    max_seconds: float = 300.0  # wall clock per job, enforced by the job itself
    max_params: int = 3_000_000  # the deep 784-1000-500-250-32 AE has 2.8 M
    max_models: int = 8  # models a student keeps in a session (trained or uploaded)
    max_session_mb: float = 64.0  # their checkpoints, in all
    max_datasets: int = 3  # image sets of their own a student keeps in a session
    max_data_mb: float = 128.0  # those images, in all (5,000 colour 64x64 images take 61 MB)
    max_queue: int = 30  # jobs waiting for a worker, all students together
    max_lesson_runs: int = 4  # a lesson's runs one student may have waiting or running (each new setting is a new run)
    max_sessions: int = 200  # open tabs one server serves (behind `aeviz serve`, HAProxy queues past 150)
    max_upload_mb: float = 32.0  # one uploaded checkpoint or dataset
    # what one training step may hold (batch x the model's activations, estimated before it runs): a batch of
    # 4,096 on a 64x64 colour conv AE wanted ~4.5 GB; the largest preset at its batch takes under 100 MB
    max_step_mb: float = 1024.0
    worker_memory_mb: float = 3072.0  # a training worker over this is restarted, and its job fails with a message
    max_class_students: int = 100  # students one class takes
    max_classes: int = 20  # classes taught at once on one server (or one store): open, with students
    class_hours: float = 24.0  # a class left open longer (its teacher never ended it) no longer counts in max_classes
    max_cards: int = 120  # models one class board shows (the newest)
    retention_days: float = 14.0  # what is left of a class is deleted this long after it ends

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        changes = {}
        for f in dataclasses.fields(cls):
            text = env.get(f"AEVIZ_{f.name.upper()}")
            if text is not None:
                try:
                    value = float(text) if f.type == "float" else int(text)
                except ValueError:
                    raise ValueError(f"AEVIZ_{f.name.upper()} must be a number, got {text!r}") from None
                if value <= 0:
                    raise ValueError(f"AEVIZ_{f.name.upper()} must be positive, got {text!r}")
                changes[f.name] = value
        return cls(**changes)


LIMITS = Limits.from_env()


def check_job(model: ModelConfig, train: TrainConfig, dataset: str, limits: Limits = LIMITS) -> list[str]:
    """Reasons this job is over the limits (empty when it may run). The parameter count comes from
    the model's skeleton on the meta device: nothing is allocated for a model that is refused."""
    from aeviz.models import count_params, step_bytes

    problems = []
    max_epochs = limits.max_toy_epochs if dataset in TOY_DATASETS else limits.max_epochs
    if train.epochs > max_epochs:
        problems.append(f"{train.epochs:,} epochs is over the limit of {max_epochs:,}")
    if train.max_samples is not None and train.max_samples > limits.max_samples:
        problems.append(f"{train.max_samples:,} training images is over the limit of {limits.max_samples:,}")
    if train.batch_size > limits.max_batch:
        problems.append(f"a batch of {train.batch_size:,} is over the limit of {limits.max_batch:,}")
    n = count_params(model)
    if n > limits.max_params:
        problems.append(f"{n:,} parameters is over the limit of {limits.max_params:,}")
    elif (mb := step_bytes(model, min(train.batch_size, limits.max_batch)) / 2**20) > limits.max_step_mb:
        problems.append(
            f"one training step would take about {mb:,.0f} MB, over the limit of {limits.max_step_mb:,.0f} MB: "
            "lower the batch size"
        )
    return problems


def describe(limits: Limits = LIMITS) -> str:
    """The limits as a student reads them."""
    return (
        f"{limits.max_epochs} epochs ({limits.max_toy_epochs:,} on the toy sets), {limits.max_samples:,} training images, "
        f"{limits.max_params:,} parameters, {limits.max_seconds / 60:.0f} minutes per job, one job at a time per student, "
        f"{limits.max_models} models per student"
    )
