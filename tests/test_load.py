"""The load benchmark's small run: 5 simulated students over Streamlit's websocket protocol for 25 s,
on a server started as the README's command starts it, with one student touring every widget and one
sending crafted files and links.

Asserts what must hold at any speed, from the bench's JSON: no exception on any page, no student
sees another's model, every link opened its own page, every training student got a model, and the
tour reached every page. Never a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_small_class_gets_no_exception_and_no_leak(tmp_path):
    out = tmp_path / "load.json"
    r = subprocess.run(
        [sys.executable, "-m", "aeviz.bench", "load", "--sessions", "5", "--duration", "25", "--train-share", "0.4",
         "--crafted", "0.2", "--ramp", "2", "--hostile", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    d = json.loads(out.read_text())
    assert d["exceptions"] == [] and d["leaks"] == 0 and d["wrong_page"] == [], d
    assert d["trained"] == 2, d  # both training students got their model, and only theirs
    assert {"first load", "page switch", "widget change", "click", "train click"} <= set(d["by_kind"]), d["by_kind"]
    from aeviz.ui.nav import PAGE_LIST

    assert {title for _, title, _, _ in PAGE_LIST} <= set(d["by_page"]), d["by_page"]  # the tour went everywhere
    assert d["toured"] > 100 and d["stall"]["polls"] > 0, d
    assert d["by_kind"]["hostile"]["n"] >= 6, "the hostile student's files and links were sent, and none raised"
