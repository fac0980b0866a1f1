"""The README's Python snippet runs as printed, on synthetic data instead of MNIST."""

from __future__ import annotations

import re
from pathlib import Path

import torch

import aeviz
from aeviz.data import ImageSet

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_library_snippet_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    snippet = re.search(r"```python\n(.+?)\n```", readme.split("## The `aeviz` library", 1)[1], re.S).group(1)
    g = torch.Generator().manual_seed(0)
    fake = ImageSet((torch.rand(256, 1, 28, 28, generator=g) * 255).to(torch.uint8), torch.arange(256) % 10, "mnist")
    monkeypatch.setattr("aeviz.data.load", lambda name, split="train": fake)  # MNIST is not on a fresh clone
    namespace: dict = {}
    exec(compile(snippet.replace("epochs=10", "epochs=1"), "README.md", "exec"), namespace)
    assert isinstance(namespace["model"], aeviz.Autoencoder) and namespace["history"].epochs
    assert namespace["vae"].config.family == "vae"
