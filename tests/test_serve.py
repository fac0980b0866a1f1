"""`python -m aeviz serve` as a teacher runs it: the whole topology answers, and SIGTERM leaves no process behind."""

from __future__ import annotations

import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from aeviz import processes

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("locked", [False, True], ids=["plain", "https-and-dask-tls"])
def test_serve_answers_through_haproxy_and_sigterm_stops_every_child(tmp_path, locked, site_pem):
    port, scheduler = processes.free_port(), processes.free_port()
    site = site_pem if locked else None
    cmd = [sys.executable, "-m", "aeviz", "serve", "--replicas", "1", "--workers", "1", "--port", str(port),
           "--scheduler-port", str(scheduler), *(["--dask-tls", "--https-cert", str(site)] if locked else [])]  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while not (tmp_path / "serve.log").read_text().count("Ctrl-C stops everything"):
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.5)
        base, https = (
            (f"https://127.0.0.1:{port}", ssl.create_default_context(cafile=site))
            if locked
            else (f"http://127.0.0.1:{port}", None)
        )
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10, context=https) as r:
            assert r.read() == b"ok"
            assert ("Strict-Transport-Security" in r.headers) == locked
        assert processes.tcp_open("127.0.0.1", scheduler), "the scheduler is on the port asked for"
        if locked:
            with pytest.raises(OSError):  # HTTPS only: plain HTTP gets no page
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10).read()
            _tls_only(scheduler, base, https)
        children = psutil.Process(proc.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "haproxy" in names and "streamlit" in names and "dask_worker" in names and "dask_scheduler" in names
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, [c.cmdline() for c in alive]
        assert "aeviz: stopped" in (tmp_path / "serve.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


def _tls_only(scheduler: int, base: str, https) -> None:
    """The replica's training service reached the scheduler over TLS; a client without this start's key does not."""
    import json

    from distributed import Client

    deadline = time.monotonic() + 180
    while True:  # the replica's service connects in the background
        with urllib.request.urlopen(f"{base}/healthz", timeout=10, context=https) as r:
            if json.loads(r.read())["training"] == "ok":
                break
        assert time.monotonic() < deadline, "the training service never reached the TLS scheduler"
        time.sleep(1)
    with pytest.raises(OSError):  # CommClosedError and TimeoutError are OSErrors
        Client(f"tcp://127.0.0.1:{scheduler}", timeout=5).close()
