"""The lessons, one module each: `TITLE`, `LECTURE` (the lecture file it follows) and `render(sel)`.
The Lessons page (index.py) lists them in this order; a new lesson is one new file and one line here."""

from __future__ import annotations

import importlib
from types import ModuleType

ORDER = [
    "pca", "upsampling", "worked", "vae_math", "capacity", "bottleneck", "sparsity", "q1", "q2", "q3", "stacked",
    "features", "applications", "errata",
]  # fmt: skip


def lessons() -> dict[str, ModuleType]:
    return {key: importlib.import_module(f"{__name__}.{key}") for key in ORDER}
