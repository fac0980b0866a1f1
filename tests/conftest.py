"""Test tiers by marker: `app` (Streamlit's AppTest), `browser` (tests/e2e), `slow` (servers, clusters).

The quick loop, `pytest -m "not browser and not slow"`, runs the backend and AppTest tiers."""

from __future__ import annotations

import inspect
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from aeviz.processes import free_port
from aeviz.store import Store
from aeviz.store.settings import Settings

# What the app keeps (aeviz.store) goes to a folder of the test run's own, never the user's: servers
# the tests start inherit it. A test that needs another store sets its own.
os.environ["AEVIZ_HOME"] = tempfile.mkdtemp(prefix="aeviz-test-home-")


def pytest_collection_modifyitems(items) -> None:
    """A test that drives the app through AppTest is marked `app`, wherever it lives."""
    for item in items:
        fn = getattr(item, "function", None)
        try:
            source = inspect.getsource(fn) if fn is not None else ""
        except (OSError, TypeError):
            source = ""
        if "new_app(" in source or "AppTest" in source or "opened(" in source or "app_with(" in source:
            item.add_marker(pytest.mark.app)


# --- the store's real back ends: PostgreSQL and an S3-compatible server, on loopback, stopped by PID ---------


PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/lib/postgresql/15/bin"))  # Debian's layout


@pytest.fixture(scope="module")
def postgres():
    """A real PostgreSQL on a loopback port, run as the postgres user (it refuses root), in a throw-away folder."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail("PostgreSQL is not installed: the README's test command installs it (apt-get install -y postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="aeviz-pg-"))
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(folder, "postgres")
    subprocess.run([*as_pg, PG_BIN / "initdb", "-D", folder / "data", "-A", "trust", "-U", "aeviz"], check=True,
                   capture_output=True)  # fmt: skip
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    ctl = [*as_pg, PG_BIN / "pg_ctl", "-D", folder / "data"]
    subprocess.run([*ctl, "-o", opts, "-l", folder / "log", "-w", "start"], check=True, capture_output=True)
    try:
        subprocess.run([PG_BIN / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "aeviz", "-d", "postgres", "-c",
                        "create database aeviz"], check=True, capture_output=True)  # fmt: skip
        yield {"url": f"postgresql+psycopg://aeviz@127.0.0.1:{port}/aeviz", "ctl": ctl, "opts": opts, "folder": folder}
    finally:
        subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def s3():
    """moto's S3-compatible server on a loopback port, stopped by its PID."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    import s3fs

    s3fs.S3FileSystem(key="test", secret="test", endpoint_url=f"http://127.0.0.1:{port}").mkdir("aeviz-test")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(params=["sqlite", pytest.param("postgres+s3", marks=pytest.mark.slow)])
def store(request, tmp_path):
    if request.param == "sqlite":
        settings = Settings(f"sqlite:///{tmp_path / 'aeviz.db'}", f"file://{tmp_path / 'store'}", None, 24.0)
    else:
        pg, endpoint = request.getfixturevalue("postgres"), request.getfixturevalue("s3")
        prefix = f"s3://aeviz-test/{tmp_path.name}"
        settings = Settings(pg["url"], prefix, endpoint, 24.0)
    s = Store(settings)
    s.upgrade()
    if request.param != "sqlite":  # one database for the module: each test starts from empty tables
        with s.engine.begin() as conn:
            conn.exec_driver_sql("truncate class_models, members, classes, jobs, models, datasets, people")
    yield s
    s.close()


@pytest.fixture
def site_pem(tmp_path) -> Path:
    """A site certificate for 127.0.0.1 (self-signed) and its key, in one PEM as HAProxy reads it."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aeviz test site")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = tmp_path / "site.pem"
    pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return pem
