"""GET /healthz on a real `streamlit run app.py`: the web server and its training service, through a
scheduler killed and the service coming back by itself."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request

import psutil
import pytest

from aeviz.bench import server

pytestmark = pytest.mark.slow


def _health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _until(check, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if got := check():
            return got
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_healthz_says_when_training_is_down_and_when_it_is_back(tmp_path):
    proc, url = server.start(tmp_path / "server.log")
    try:
        _until(lambda: _health(url) == (200, {"web": "ok", "training": "ok"}), 180)
        scheduler = next(
            p for p in psutil.Process(proc.pid).children(recursive=True) if "dask_scheduler" in " ".join(p.cmdline())
        )
        os.killpg(scheduler.pid, signal.SIGKILL)
        _, body = _until(lambda: (h := _health(url))[0] == 503 and h, 30)
        assert "restarting" in body["training"] and body["web"] == "ok"
        _until(lambda: _health(url) == (200, {"web": "ok", "training": "ok"}), 120)
    finally:
        server.stop(proc)
