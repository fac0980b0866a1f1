"""`python -m aeviz serve --replicas N --workers M --port P`: the whole topology for a lecture hall.

In the foreground, it starts and watches:
- a Dask scheduler and M Dask workers (`dask worker --preload aeviz.worker`, one thread each);
- N `streamlit run` replicas of the package's own app script (aeviz/ui/script: any install has it) on
  loopback ports, each sending its jobs to that scheduler (`AEVIZ_SCHEDULER`), all with one
  `server.cookieSecret` (XSRF stays on; resume tokens hold on every replica and after a restart) and
  one store (`AEVIZ_DB_URL`, `AEVIZ_STORE_URL`: migrated once, here, before any replica starts);
- HAProxy on P, with cookie affinity (a session and its uploads live in one replica's memory),
  websocket upgrades, timeouts that outlast a 90-minute lecture and health checks on
  /_stcore/health, so a dead replica is taken out and its students sent to another.

Ctrl-C or SIGTERM stops everything it started. The kernel also stops each child if this process
dies without cleaning up (PR_SET_PDEATHSIG): no orphans.

`haproxy_cfg()` is the one source of the balancer's configuration: `serve` renders it for its
loopback replicas, and deploy/haproxy.cfg is the same function rendered for deploy/compose.yaml
(`python -m aeviz serve --print-haproxy-cfg`, tests/test_deploy.py keeps them equal).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aeviz import processes
from aeviz.limits import LIMITS
from aeviz.store import settings as store_settings
from aeviz.ui import script

LECTURE_S = 2 * 3600  # tunnel and client timeouts: a 90-minute lecture and its break


UPLOAD_BODY_BYTES = int((LIMITS.max_upload_mb + 1) * 2**20)
NEW_SESSIONS_PER_10S = 300  # websocket openings per client address: a class of 100 reloading at once, three times over
UPLOADS_PER_10S = 200  # upload PUTs per client address: a class uploading at once, twice over
SESSIONS_PER_REPLICA = 150  # the 2-core bench: 100 students at p95 0.47 s on one replica


def haproxy_cfg(servers: list[tuple[str, str]], bind: str, *, stats: bool = False, cert: str | None = None) -> str:
    """The HAProxy configuration for app replicas `servers` [(name, host:port)] behind `bind` (host:port).

    - cookie affinity: `cookie SRV insert indirect nocache`: the first response pins a browser to a
      replica; Streamlit keeps sessions and uploads in that replica's memory (uploads are plain HTTP
      PUTs, not on the websocket: without affinity half of them reached the wrong replica, HTTP 400)
    - `option redispatch`: a browser pinned to a dead replica goes to a live one (a fresh session there)
    - websockets: HAProxy passes the Upgrade through; `timeout tunnel` then governs the open socket
    - health: GET /_stcore/health every 2 s, down after 2 failures, up after 2 successes
    - `init-addr last,libc,none`: a server name that does not resolve yet (a container still
      starting) does not stop HAProxy from starting
    - `cert`: HTTPS on `bind` with that PEM (certificate chain, then key); the replicas stay plain HTTP
      on loopback or the private network
    """
    header = "# Rendered by aeviz.serve.haproxy_cfg: edit the function, not this file."
    lines = [header, *_haproxy_defaults(), "", *_haproxy_frontend(bind, cert), "", *_haproxy_backends(servers)]
    if stats:
        lines += ["", "listen stats", "    bind 127.0.0.1:0", "    stats enable", "    stats uri /"]
    return "\n".join(lines) + "\n"


def _haproxy_defaults() -> list[str]:
    return [
        "global",
        "    maxconn 4096",
        "    log stdout format raw local0",
        "",
        "defaults",
        "    log global",
        "    mode http",
        "    option httplog",
        "    option redispatch",
        "    retries 2",
        "    timeout connect 5s",
        f"    timeout client {LECTURE_S}s",
        f"    timeout server {LECTURE_S}s",
        f"    timeout tunnel {LECTURE_S}s",
        "    timeout http-request 30s",
        "    default-server init-addr last,libc,none",
    ]


def _haproxy_frontend(bind: str, cert: str | None) -> list[str]:
    tls = [
        # students' sessions, uploads and resume cookies cross the room's network: encrypted, and the
        # browser told to come back the same way
        "    http-request set-header X-Forwarded-Proto https",
        '    http-response set-header Strict-Transport-Security "max-age=31536000"',
    ]
    return [
        "frontend aeviz",
        f"    bind {bind}" + (f" ssl crt {cert}" if cert else ""),
        *(tls if cert else []),
        # the upload limit of Streamlit's config and the widgets, plus room for the multipart framing:
        # refused here from the header, before a byte of the body reaches a replica
        f"    http-request deny deny_status 413 if {{ req.hdr_val(content-length) gt {UPLOAD_BODY_BYTES} }}",
        "    option forwardfor",  # the replicas (and their logs) see the student's address, not the balancer's
        # per client address, flood limits only: a whole class behind one school NAT shares an address, so
        # they are set for a class, not for one student (the training service's caps are per person).
        # Counted apart: websocket openings (a tab's session) and upload PUTs, not every request of a page load
        "    http-request track-sc1 src table ws_opens if { path_beg /_stcore/stream }",
        "    http-request track-sc2 src table uploads if { method PUT }",
        "    http-request deny deny_status 429 if { path_beg /_stcore/stream } "
        f"{{ sc_http_req_rate(1) gt {NEW_SESSIONS_PER_10S} }}",
        f"    http-request deny deny_status 429 if {{ method PUT }} {{ sc_http_req_rate(2) gt {UPLOADS_PER_10S} }}",
        "    default_backend replicas",
    ]


def _haproxy_backends(servers: list[tuple[str, str]]) -> list[str]:
    lines = [
        "backend replicas",
        "    balance roundrobin",
        "    cookie SRV insert indirect nocache",
        # the web server's own health, not /healthz (which adds the training service): taking a replica
        # out moves its students to fresh sessions elsewhere, far worse than training a few seconds late
        "    option httpchk GET /_stcore/health",
        "    http-check expect status 200",
    ]
    # maxconn: a replica holds this many connections (a student's tab is one websocket), the rest wait in
    # HAProxy's queue instead of slowing every student on a full replica
    lines += [
        f"    server {name} {addr} check inter 2s fall 2 rise 2 cookie {name} maxconn {SESSIONS_PER_REPLICA}"
        for name, addr in servers
    ]
    lines += ["", "backend ws_opens", "    stick-table type ip size 100k expire 1m store http_req_rate(10s)"]
    lines += ["", "backend uploads", "    stick-table type ip size 100k expire 1m store http_req_rate(10s)"]
    return lines


def compose_haproxy_cfg(replicas: int = 2, cert: str | None = None) -> str:
    """deploy/haproxy.cfg: the same configuration, for deploy/compose.yaml's app-1 ... app-N on port 8501."""
    return haproxy_cfg([(f"app-{i}", f"app-{i}:8501") for i in range(1, replicas + 1)], "*:8080", cert=cert)


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    log: Path
    restart: Callable[[], Child] | None = None  # how to start it again (the scheduler and HAProxy: none)


class Topology:
    """The processes of one `serve`: started in order, stopped in reverse."""

    def __init__(
        self,
        replicas: int,
        workers: int,
        port: int,
        host: str = "127.0.0.1",
        logs: Path | None = None,
        scheduler_host: str = "127.0.0.1",
        scheduler_port: int = 0,
        dask_tls: bool = False,
        cert: str | None = None,
    ) -> None:
        if not 1 <= replicas <= 64 or not 1 <= workers <= 256:
            raise ValueError("replicas must be in [1, 64] and workers in [1, 256]")
        if not shutil.which("haproxy"):
            raise RuntimeError("haproxy is not installed: apt-get install -y haproxy (Debian's package)")
        self.replicas, self.workers, self.port, self.host, self.cert = replicas, workers, port, host, cert
        self.logs = Path(logs or tempfile.mkdtemp(prefix="aeviz-serve-"))
        self.logs.mkdir(parents=True, exist_ok=True)
        self.children: list[Child] = []
        # one cookie secret: XSRF tokens and resume tokens hold across replicas, and after a restart
        self.secret = os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or store_settings.secret()
        # the scheduler runs whatever code it is sent: with TLS, only from holders of this start's key
        self.tls = processes.make_tls(self.logs / "tls") if dask_tls else {}
        self.cluster = processes.DaskCluster(self.logs, scheduler_host, scheduler_port, tls=self.tls)
        self.scheduler = self.cluster.address
        self.replica_ports = [processes.free_port() for _ in range(replicas)]

    def _start(self, name: str, cmd: list[str], env: dict | None = None, restart=None) -> Child:
        return self._adopt(name, processes.start(cmd, self.logs / f"{name}.log", env), restart)

    def _adopt(self, name: str, proc: subprocess.Popen, restart=None) -> Child:
        child = Child(name, proc, self.logs / f"{name}.log", restart)
        self.children.append(child)
        return child

    def start(self) -> None:
        from aeviz.store import open_store

        open_store()  # one store for every replica, migrated here once: two replicas migrating at once could race
        self._adopt("scheduler", self.cluster.start_scheduler())
        for i in range(self.workers):
            self.start_worker(i)
        for i, p in enumerate(self.replica_ports, 1):
            self.start_replica(i, p)
        for i, p in enumerate(self.replica_ports, 1):
            self._wait(lambda p=p: processes.healthy(p), f"replica r{i}", 120)
        cfg = self.logs / "haproxy.cfg"
        servers = [(f"r{i}", f"127.0.0.1:{p}") for i, p in enumerate(self.replica_ports, 1)]
        cfg.write_text(haproxy_cfg(servers, f"{self.host}:{self.port}", cert=self.cert))
        check = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        self._start("haproxy", ["haproxy", "-f", str(cfg), "-db"])
        near = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        # behind HTTPS the site's certificate names the site, not this address: HAProxy listening is enough
        up = (lambda: processes.tcp_open(near, self.port)) if self.cert else (lambda: processes.healthy(self.port, self.host))
        self._wait(up, "HAProxy", 30)

    def start_worker(self, i: int) -> Child:
        return self._adopt(f"worker-{i + 1}", self.cluster.start_worker(i), restart=lambda: self.start_worker(i))

    def start_replica(self, i: int, port: int) -> Child:
        # the secret by environment: Streamlit refuses it on the command line (where `ps` would show it)
        env = {"AEVIZ_SCHEDULER": self.scheduler, "STREAMLIT_SERVER_COOKIE_SECRET": self.secret, **self.tls}
        cmd = processes.streamlit_cmd(script.APP, port)
        return self._start(f"r{i}", cmd, env, restart=lambda: self.start_replica(i, port))

    def _wait(self, ready, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [c for c in self.children if c.proc.poll() is not None]
            if dead or time.monotonic() > deadline:
                why = f"{dead[0].name} exited with {dead[0].proc.returncode}" if dead else f"no answer in {timeout:.0f} s"
                log = (dead[0].log if dead else self.children[-1].log).read_text()[-2000:]
                raise RuntimeError(f"{what} did not start ({why}):\n{log}")
            time.sleep(0.2)

    def pids(self) -> dict[str, int]:
        return {c.name: c.proc.pid for c in self.children}

    def stop(self) -> None:
        processes.stop([c.proc for c in self.children])


def serve(replicas: int, workers: int, port: int, host: str = "127.0.0.1", scheduler_host: str = "127.0.0.1",
          scheduler_port: int = 0, dask_tls: bool = False, cert: str | None = None) -> int:  # fmt: skip
    """Run the topology in the foreground until Ctrl-C or SIGTERM."""
    topo = Topology(replicas, workers, port, host, scheduler_host=scheduler_host, scheduler_port=scheduler_port,
                    dask_tls=dask_tls, cert=cert)  # fmt: skip
    stopping = []

    def on_signal(signum, _frame) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        topo.start()
        scheme = "https" if cert else "http"
        print(f"aeviz: {scheme}://{host}:{port}  ({replicas} replicas, {workers} Dask workers at {topo.scheduler}; "
              f"logs in {topo.logs})")  # fmt: skip
        if scheduler_host == "127.0.0.1":
            print("Workers on this machine only (--scheduler-host ADDRESS lets other machines' workers in).")
        else:
            tls = f" --tls-ca-file ca.pem --tls-cert ca.pem --tls-key key.pem (from {topo.logs / 'tls'})" if dask_tls else ""
            print(f"More workers, on any machine with the project: dask worker {topo.scheduler} --nthreads 1 "
                  f"--preload aeviz.worker{tls}")  # fmt: skip
        print("Ctrl-C stops everything.", flush=True)
        while not stopping:
            for c in list(topo.children):  # a replica or worker that dies is started again; HAProxy routes around it
                if c.proc.poll() is not None and not stopping:
                    if c.restart is None:
                        raise RuntimeError(f"{c.name} stopped; restart `serve`")
                    print(f"aeviz: {c.name} exited ({c.proc.returncode}): starting it again", flush=True)
                    topo.children.remove(c)
                    c.restart()
            time.sleep(1)
    finally:
        topo.stop()
        print("aeviz: stopped", flush=True)
    return 0
