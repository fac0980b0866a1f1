"""Child processes that die with their parent: the Dask scheduler and workers, app replicas, HAProxy.

Used by the training service (its own small cluster) and by `python -m aeviz serve`.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from aeviz.limits import LIMITS

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port: int, host: str = "127.0.0.1", timeout: float = 2) -> bool:
    """A Streamlit server (or the balancer in front of one) answers its health check."""
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=timeout) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def streamlit_cmd(script: Path, port: int) -> list[str]:
    """`streamlit run` headless on loopback, as the tests, the benches and `serve` start it."""
    return [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--global.developmentMode", "false",
    ]  # fmt: skip


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here, once: not in a child forked from a threaded server
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child (before exec, or a Dask worker's preload): SIGTERM when the parent dies, even by SIGKILL (PR_SET_PDEATHSIG).
    The signal follows the *thread* that started the child: start children from a thread that lives
    as long as they should (the main thread, or the training service's own)."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(cmd: list[str], log: Path, env: dict[str, str] | None = None, nice: int = 0) -> subprocess.Popen:
    """A child in its own process group (stopped with everything it starts), writing to `log`; with
    `nice`, at a lower priority (the Dask scheduler: its bookkeeping can wait, a page being clicked cannot)."""
    out = open(log, "w")  # noqa: SIM115 - the child gets its own descriptor; the parent's is closed below
    child_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **(env or {}),
    }

    def prepare() -> None:
        die_with_parent()
        if nice:
            os.nice(nice)

    try:
        return subprocess.Popen(
            cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=child_env, preexec_fn=prepare, start_new_session=True
        )
    finally:
        out.close()  # the child holds its copy: one descriptor fewer per (re)start in the parent


def stop(procs: list[subprocess.Popen], timeout: float = 20) -> None:
    """SIGTERM to each child's process group, newest first; SIGKILL what is left after `timeout`."""
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for p in reversed(procs):
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


# `dask scheduler` and `dask worker` (the CLI modules: `dask` itself may not be on PATH in a venv)
SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--no-dashboard", "--no-show"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker", "--nthreads", "1", "--nworkers", "1", "--preload", "aeviz.worker",
          "--no-dashboard", "--memory-limit", f"{int(LIMITS.worker_memory_mb)}MiB"]  # fmt: skip
# a worker that dies mid-job fails that job at once ("try again"), not re-run on another worker
# a short event log: the scheduler keeps each topic's last events (1,000 by default) and hands them on
SCHEDULER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0", "DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH": "50"}


TLS_RENEW_DAYS = 30  # a kept pair this close to its end (Security.temporary's certificates last a year) is replaced


def make_tls(folder: Path, keep: bool = False) -> dict[str, str]:
    """TLS for one cluster, made in `folder` (0700): a self-signed certificate that is its own CA, for
    every role; with `keep`, a usable pair already there is kept (a deployment's containers restart one
    by one and must go on trusting each other). Returns the Dask configuration, as environment, under
    which the scheduler, the workers and the app's clients accept only each other, encrypted."""
    from distributed.security import Security

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir's mode is masked by the umask
    ca, key = folder / "ca.pem", folder / "key.pem"
    if not (keep and tls_usable(folder)):
        made = Security.temporary()  # one key and certificate, in memory: written once, readable by this user only
        for path, text in ((key, made.tls_scheduler_key), (ca, made.tls_ca_file)):
            part = path.with_suffix(".part")
            part.unlink(missing_ok=True)
            part.touch(mode=0o600)
            part.write_text(text)
            os.replace(part, path)  # a pair cut short by a crash does not match, and is made again (tls_usable)
    return tls_env(folder)


def tls_usable(folder: Path) -> bool:
    """The pair in `folder` is a certificate and its own key, valid for TLS_RENEW_DAYS more."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    left = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return (
        left > datetime.timedelta(days=TLS_RENEW_DAYS) and cert.public_key().public_numbers() == key.public_key().public_numbers()
    )


def tls_env(folder: Path | str) -> dict[str, str]:
    """The Dask configuration, as environment, for the pair make_tls wrote in `folder` (which may be
    where a container mounts it: deploy/ sets these same variables)."""
    ca, key = f"{folder}/ca.pem", f"{folder}/key.pem"
    env = {"DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True", "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": ca}
    for role in ("SCHEDULER", "WORKER", "CLIENT"):
        env[f"DASK_DISTRIBUTED__COMM__TLS__{role}__CERT"] = ca  # self-signed: the certificate is the CA
        env[f"DASK_DISTRIBUTED__COMM__TLS__{role}__KEY"] = key
    return env


class DaskCluster:
    """A `dask scheduler` and its `dask worker`s, children of this process: the training service's own
    small cluster, and `serve`'s. The scheduler runs whatever code it is sent: on loopback unless
    workers on other machines must reach it (`host`)."""

    def __init__(self, logs: Path, host: str = "127.0.0.1", port: int = 0, tls: dict[str, str] | None = None) -> None:
        self.logs, self.host, self.port, self.tls = logs, host, port or free_port(), tls or {}  # tls: make_tls's
        self.near = "127.0.0.1" if host in ("0.0.0.0", "") else host  # where this machine reaches it
        self.address = f"{'tls' if tls else 'tcp'}://{self.near}:{self.port}"

    def start_scheduler(self, timeout: float = 60) -> subprocess.Popen:
        """The scheduler, below the web server's priority (its bookkeeping can wait, a page being clicked
        cannot), once it takes connections."""
        log = self.logs / "scheduler.log"
        cmd = [*SCHEDULER, "--host", self.host, "--port", str(self.port), *(["--protocol", "tls"] if self.tls else [])]
        proc = start(cmd, log, SCHEDULER_ENV | self.tls, nice=5)
        deadline = time.monotonic() + timeout
        while not tcp_open(self.near, self.port):
            if time.monotonic() > deadline or proc.poll() is not None:
                stop([proc])
                raise RuntimeError(f"the Dask scheduler did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        return proc

    def start_worker(self, i: int) -> subprocess.Popen:
        # at nice 10: on a teacher's laptop a page being clicked comes before a job's next step (a class of
        # 100 training one after the other held pages at p95 2.9 s without it)
        return start([*WORKER, self.address, "--name", f"w{i + 1}"], self.logs / f"worker-{i + 1}.log", self.tls, nice=10)
