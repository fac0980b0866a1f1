"""The jobs the training service runs: `registry` (names, `JobSpec`, `Report`, the message codec;
torch-free), `train` (the Train page's training and the uploads' ingest) and `lessons` (the lessons'
runs). Importing this package imports neither of the task modules: a task's module is imported
where the task runs."""

from aeviz.tasks.registry import TASKS, JobSpec, Report, resolve, run_here, task

__all__ = ["TASKS", "JobSpec", "Report", "resolve", "run_here", "task"]
