"""Deployment files, checked statically (no Docker engine here): they parse, agree with each other
and with `serve`, and HAProxy accepts the configuration `serve` renders."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from aeviz import serve

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_the_committed_haproxy_cfg_is_what_serve_renders():
    assert (DEPLOY / "haproxy.cfg").read_text() == serve.compose_haproxy_cfg(2)


def test_the_haproxy_cfg_has_affinity_websockets_health_and_lecture_long_timeouts():
    cfg = serve.haproxy_cfg([("r1", "127.0.0.1:9001"), ("r2", "127.0.0.1:9002")], "127.0.0.1:9000")
    assert "cookie SRV insert indirect nocache" in cfg and "option redispatch" in cfg
    assert "option httpchk GET /_stcore/health" in cfg
    assert all(f"timeout {t} {serve.LECTURE_S}s" in cfg for t in ("tunnel", "client", "server"))
    assert serve.LECTURE_S >= 90 * 60
    assert cfg.count("check inter 2s") == 2 and "cookie r2" in cfg


@pytest.mark.skipif(not shutil.which("haproxy"), reason="Debian's haproxy is installed by the README's test command")
@pytest.mark.parametrize("which", ["deploy", "serve", "https"])
def test_haproxy_accepts_the_configuration(which, tmp_path, site_pem):
    if which == "deploy":
        path = DEPLOY / "haproxy.cfg"
    else:
        path = tmp_path / "haproxy.cfg"
        cert = str(site_pem) if which == "https" else None
        path.write_text(serve.haproxy_cfg([("r1", "127.0.0.1:9001")], "127.0.0.1:9000", cert=cert))
        assert (f"bind 127.0.0.1:9000 ssl crt {site_pem}" in path.read_text()) == bool(cert)
    r = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_serve_says_which_https_certificate_is_missing(capsys):
    from aeviz import cli

    assert cli.main(["serve", "--https-cert", "/no/such/site.pem"]) == 1
    assert "--https-cert: no file /no/such/site.pem" in capsys.readouterr().err


def test_compose_runs_haproxy_replicas_a_scheduler_and_workers_of_one_image():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    apps = sorted(n for n in services if n.startswith("app-"))
    assert apps == ["app-1", "app-2"] and {"haproxy", "dask-scheduler", "dask-worker"} <= set(services)
    cfg = (DEPLOY / "haproxy.cfg").read_text()
    for name in apps:
        assert f"server {name} {name}:8501" in cfg, "the balancer names every replica of compose.yaml"
        assert services[name]["environment"]["AEVIZ_SCHEDULER"] == "tls://dask-scheduler:8786"
        assert "8501" in services[name]["command"]
    assert services["haproxy"]["ports"] == ["8080:8080"] and "bind *:8080" in cfg
    images = {services[n]["image"] for n in (*apps, "dask-scheduler", "dask-worker")}
    assert images == {"aeviz:0.2.0"}
    assert "aeviz.worker" in services["dask-worker"]["command"]
    assert services["dask-scheduler"]["environment"]["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] == "0"


def test_kubernetes_manifests_agree_on_images_ports_and_cookie_affinity():
    docs = _docs(DEPLOY / "k8s" / "aeviz.yaml") + _docs(DEPLOY / "k8s" / "dask.yaml")
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert {("Deployment", "aeviz"), ("Service", "aeviz"), ("Ingress", "aeviz"), ("Deployment", "dask-scheduler"),
            ("Service", "dask-scheduler"), ("Deployment", "dask-worker")} <= kinds  # fmt: skip
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    images = {c["image"] for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {"aeviz:0.2.0"}
    app = by[("Deployment", "aeviz")]["spec"]["template"]["spec"]["containers"][0]
    assert app["ports"][0]["containerPort"] == 8501 and app["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"
    assert {"name": "AEVIZ_SCHEDULER", "value": "tls://dask-scheduler:8786"} in app["env"]
    assert by[("Service", "dask-scheduler")]["spec"]["ports"][0]["port"] == 8786
    annotations = by[("Ingress", "aeviz")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/affinity-mode"] == "persistent"
    backend = by[("Ingress", "aeviz")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "aeviz" and by[("Service", "aeviz")]["spec"]["ports"][0]["targetPort"] == "http"


def test_the_dockerfile_runs_as_a_user_with_a_healthcheck_and_the_weights():
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "USER aeviz" in text and "HEALTHCHECK" in text and "/_stcore/health" in text
    assert "COPY pretrained/ pretrained/" in text and "EXPOSE 8501" in text


def test_one_upload_limit_in_streamlit_haproxy_and_the_ingress():
    """The widgets' limit (aeviz.limits), Streamlit's maxUploadSize, HAProxy's and the Ingress's agree."""
    import re
    import tomllib

    from aeviz.limits import LIMITS
    from aeviz.serve import UPLOAD_BODY_BYTES

    config = tomllib.loads((DEPLOY.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == LIMITS.max_upload_mb
    assert f"gt {UPLOAD_BODY_BYTES} }}" in (DEPLOY / "haproxy.cfg").read_text()
    assert LIMITS.max_upload_mb * 2**20 < UPLOAD_BODY_BYTES <= (LIMITS.max_upload_mb + 1) * 2**20
    body = re.search(r"proxy-body-size: (\d+)m", (DEPLOY / "k8s" / "aeviz.yaml").read_text())
    assert int(body.group(1)) == LIMITS.max_upload_mb + 1


def test_every_pod_is_locked_down_with_resources_probes_and_the_cluster_fenced():
    """Non-root, read-only root filesystem (an emptyDir for /tmp), no capabilities, seccomp RuntimeDefault,
    resources and probes for every container; the Dask pods reachable from the app and themselves only;
    TLS on the Ingress; disruption budgets."""
    docs = _docs(DEPLOY / "k8s" / "aeviz.yaml") + _docs(DEPLOY / "k8s" / "dask.yaml") + _docs(DEPLOY / "k8s" / "postgres.yaml")
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    for d in (d for d in docs if d["kind"] in ("Deployment", "StatefulSet")):
        pod = d["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"] and sc["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
            assert c["resources"]["requests"] and c["resources"]["limits"]["memory"], d["metadata"]["name"]
            assert "livenessProbe" in c, d["metadata"]["name"]
    policy = by[("NetworkPolicy", "dask")]["spec"]
    allowed = policy["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"]
    assert set(allowed) == {"aeviz", "dask-scheduler", "dask-worker"} and policy["policyTypes"] == ["Ingress"]
    assert by[("Ingress", "aeviz")]["spec"]["tls"][0]["secretName"]
    assert ("PodDisruptionBudget", "aeviz") in by and ("PodDisruptionBudget", "dask-worker") in by
    app = by[("Deployment", "aeviz")]["spec"]["template"]["spec"]["containers"][0]
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    # the store: every replica reads one database (only the app may reach it), its URL from a Secret
    db = by[("NetworkPolicy", "postgres")]["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert db == {"app": "aeviz"} and ("StatefulSet", "postgres") in by
    env = {e["name"]: e for e in app["env"]}
    assert env["AEVIZ_DB_URL"]["valueFrom"]["secretKeyRef"] and env["AEVIZ_STORE_URL"]["valueFrom"]["secretKeyRef"]


def test_compose_services_are_read_only_without_capabilities_and_check_their_own_health():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name, s in services.items():
        assert s["read_only"] and "ALL" in s["cap_drop"] and "healthcheck" in s, name
    assert "/healthz" in " ".join(services["app-1"]["healthcheck"]["test"])
    assert "8786" in " ".join(services["dask-scheduler"]["healthcheck"]["test"])  # not the image's (the app's)
    for app in ("app-1", "app-2"):  # one database and one blob store for both replicas
        env = services[app]["environment"]
        assert env["AEVIZ_DB_URL"].startswith("postgresql+psycopg://") and "@postgres:5432/" in env["AEVIZ_DB_URL"]
        assert "blobs:/var/lib/aeviz" in services[app]["volumes"] and services[app]["depends_on"]["postgres"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def _manifest_dask(where: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    """(command, environment) of the scheduler, a worker and an app replica, as deploy/ runs them."""
    if where == "compose":
        services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
        names = {"dask-tls": "dask-tls", "scheduler": "dask-scheduler", "worker": "dask-worker", "app": "app-1"}
        return {
            role: (services[n].get("command", []), services[n].get("environment", {}),
                   services[n]["healthcheck"].get("test", [None])[1:])
            for role, n in names.items()
        }  # fmt: skip
    docs = _docs(DEPLOY / "k8s" / "dask.yaml") + _docs(DEPLOY / "k8s" / "aeviz.yaml")
    pods = {d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0] for d in docs if d["kind"] == "Deployment"}

    def env(c: dict) -> dict[str, str]:
        return {e["name"]: e["value"] for e in c["env"] if "value" in e}  # the Secrets' values are the store's

    def probe(c: dict) -> list[str]:
        return c["livenessProbe"].get("exec", {}).get("command", [])

    return {role: (pods[n].get("args", []) if role != "app" else [], env(pods[n]), probe(pods[n]))
            for role, n in (("scheduler", "dask-scheduler"), ("worker", "dask-worker"), ("app", "aeviz"))}  # fmt: skip


def test_a_kept_dask_key_is_replaced_when_it_is_damaged_or_near_its_end(tmp_path, site_pem):
    """`dask-tls` runs at every `docker compose up`: it keeps a usable pair, and replaces one whose key is
    not the certificate's (a crash between the two writes) or whose certificate ends within 30 days."""
    from aeviz import processes

    folder = tmp_path / "tls"
    processes.make_tls(folder)
    first = (folder / "key.pem").read_bytes()
    processes.make_tls(folder, keep=True)
    assert (folder / "key.pem").read_bytes() == first and processes.tls_usable(folder)
    (folder / "key.pem").write_bytes(site_pem.read_bytes().split(b"-----END CERTIFICATE-----\n")[1])  # another key
    assert not processes.tls_usable(folder)
    processes.make_tls(folder, keep=True)
    assert processes.tls_usable(folder) and (folder / "key.pem").read_bytes() != first
    (folder / "ca.pem").write_bytes(
        site_pem.read_bytes().split(b"-----END CERTIFICATE-----\n")[0] + b"-----END CERTIFICATE-----\n"
    )
    (folder / "key.pem").write_bytes(site_pem.read_bytes().split(b"-----END CERTIFICATE-----\n")[1])
    assert not processes.tls_usable(folder), "the site certificate ends in a day: inside the 30 days"
    processes.make_tls(folder, keep=True)
    assert processes.tls_usable(folder)


@pytest.mark.parametrize("where", ["compose", "k8s"])
def test_every_dask_process_and_replica_in_the_manifests_has_the_clusters_tls_settings(where):
    from aeviz.processes import tls_env

    roles = _manifest_dask(where)
    assert all(roles[r][2][:3] == ["python", "-m", "aeviz.probe"] for r in ("scheduler", "worker")), "TLS-aware probes"
    for role in ("scheduler", "worker", "app"):
        assert tls_env("/var/lib/dask-tls").items() <= roles[role][1].items(), role
    assert "tls://dask-scheduler:8786" in [roles["app"][1]["AEVIZ_SCHEDULER"], *roles["worker"][0]]
    assert roles["scheduler"][0][roles["scheduler"][0].index("--protocol") + 1] == "tls"


@pytest.mark.slow
@pytest.mark.parametrize("where", ["compose", "k8s"])
def test_the_manifests_dask_cluster_runs_jobs_over_tls_and_refuses_a_client_without_the_key(where, tmp_path):
    """deploy/'s scheduler, worker and replica settings, run here on real Dask processes (no Docker engine
    here): with the pair `python -m aeviz dask-tls` writes, put where the manifests mount it, a replica's
    client has a worker run a job; a client without the key gets nothing."""
    import os
    import stat
    import sys

    from aeviz import processes

    tls, port = tmp_path / "tls", processes.free_port()
    roles = _manifest_dask(where)
    make = roles.get("dask-tls", (["python", "-m", "aeviz", "dask-tls", "/var/lib/dask-tls"], {}, []))[0]

    def here(value: str) -> str:  # the mount and the scheduler's address, as this machine has them
        return value.replace("/var/lib/dask-tls", str(tls)).replace("dask-scheduler:", "127.0.0.1:").replace(":8786", f":{port}")

    def cmd(args: list[str]) -> list[str]:
        exe = {"dask": str(Path(sys.executable).parent / "dask"), "python": sys.executable}
        args = [exe.get(a, here(a)) for a in args]
        return [str(port) if i and args[i - 1] == "--port" else a for i, a in enumerate(args)]

    def env(role: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
        return base | {k: here(v) for k, v in roles[role][1].items() if k != "HOME"}

    made = subprocess.run(cmd(make), capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(tls.stat().st_mode) == 0o700 and stat.S_IMODE((tls / "key.pem").stat().st_mode) == 0o600
    again = subprocess.run(cmd(make), capture_output=True, text=True, timeout=120)  # a restarted container keeps it
    assert "kept" in again.stdout and (tls / "key.pem").read_bytes() and again.returncode == 0
    scheduler_cmd = [*cmd(roles["scheduler"][0]), "--host", "127.0.0.1"]
    procs = [processes.start(scheduler_cmd, tmp_path / "scheduler.log", env("scheduler"))]
    try:
        procs.append(processes.start(cmd(roles["worker"][0]), tmp_path / "worker.log", env("worker")))
        job = (
            "import os; from distributed import Client\n"
            "with Client(os.environ['AEVIZ_SCHEDULER'], timeout=60) as c:\n"
            "    c.wait_for_workers(1, timeout=120); print(c.submit(pow, 2, 10).result(timeout=60))"
        )
        ran = subprocess.run([sys.executable, "-c", job], env=env("app"), capture_output=True, text=True, timeout=240)
        logs = "".join(p.read_text()[-1500:] for p in tmp_path.glob("*.log"))
        assert ran.stdout.strip() == "1024", ran.stderr[-2000:] + logs
        assert env("app")["AEVIZ_SCHEDULER"].startswith("tls://")
        for address in (f"tls://127.0.0.1:{port}", f"tcp://127.0.0.1:{port}"):  # no key: refused, either way
            stranger = "import sys; from distributed import Client; Client(sys.argv[1], timeout=5)"
            refused = subprocess.run([sys.executable, "-c", stranger, address], env=env("app") | {
                k: "" for k in env("app") if k.startswith("DASK_")}, capture_output=True, text=True, timeout=120)  # fmt: skip
            assert refused.returncode != 0 and "Error" in refused.stderr, address
        before = len((tmp_path / "scheduler.log").read_text())  # the stranger above was warned of, rightly
        for role in ("scheduler", "worker"):  # their health probes: a TLS handshake, not a bare connection
            answered = subprocess.run(cmd(roles[role][2]), env=env(role), capture_output=True, text=True, timeout=60)
            assert answered.returncode == 0, (role, answered.stderr)
        time.sleep(1)
        probed = (tmp_path / "scheduler.log").read_text()[before:]
        assert "TLS handshake failed" not in probed and "closed before handshake" in probed, probed
    finally:
        processes.stop(procs)
    gone = subprocess.run(cmd(roles["scheduler"][2]), env=env("scheduler"), capture_output=True, text=True, timeout=60)
    assert gone.returncode == 1 and "does not answer" in gone.stderr


def test_the_dask_probe_says_what_is_wrong(capsys):
    from aeviz import probe
    from aeviz.processes import free_port

    assert probe.main([]) == 2 and "usage" in capsys.readouterr().err
    assert probe.main([f"127.0.0.1:{free_port()}"]) == 1 and "does not answer" in capsys.readouterr().err
