"""The load benchmark's small run: 5 simulated students over Streamlit's websocket protocol for 20 s.

Asserts what must hold at any speed: no exception on any page, no student sees another's model,
and every student's actions were served. Never a timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_small_class_gets_no_exception_and_no_leak():
    r = subprocess.run(
        [sys.executable, "-m", "aeviz.bench", "load", "--sessions", "5", "--duration", "20", "--train-share", "0.4",
         "--crafted", "0.2", "--ramp", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = r.stdout
    assert r.returncode == 0, out + r.stderr[-3000:]
    assert "exceptions: 0" in out and "cross-session leaks: 0" in out, out
    assert "models trained: 2" in out, out  # both training students got their model, and only theirs
    kinds = {line.split()[0] for line in out.split("-- by kind")[1].split("-- by page")[0].strip().splitlines()}
    assert {"first", "page", "widget"} <= kinds, out
