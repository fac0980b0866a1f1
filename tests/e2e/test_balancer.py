"""A lecture hall: `python -m aeviz serve`'s topology (HAProxy, 2 replicas, a Dask scheduler and a
worker, real processes on loopback), driven through the balancer in Chromium."""

from __future__ import annotations

import io
import os
import shutil
import signal
import time

import numpy as np
import psutil
import pytest
from conftest import settle, wait_for_app_run
from PIL import Image
from playwright.sync_api import expect

from aeviz.processes import free_port
from aeviz.serve import Topology

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("haproxy"), reason="needs Debian's haproxy")]


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    topo = Topology(replicas=2, workers=1, port=free_port(), logs=tmp_path_factory.mktemp("serve"))
    try:
        topo.start()
        yield topo
    finally:
        topo.stop()


@pytest.fixture(scope="module")
def url(hall):
    return f"http://127.0.0.1:{hall.port}"


def _replica(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "SRV")


def _open(browser, url, page: str = ""):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    p = context.new_page()
    p.goto(f"{url}/{page}")
    wait_for_app_run(p)
    return context, p


def _digit() -> bytes:
    a = np.zeros((60, 60), np.uint8)
    a[8:52, 27:33] = 255
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def _own_models(p) -> list[str]:
    p.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).click()
    names = [o.inner_text() for o in p.get_by_role("option").all()]
    p.keyboard.press("Escape")
    return [n for n in names if "(yours)" in n]


def _train(p, preset: str = "Lecture 002 · one layer, 2 latents", epochs: str = "1") -> None:
    settle(p, lambda: p.get_by_role("link", name="Train your own").first.click())
    p.locator("[data-testid='stSelectbox']:has-text('Start from a lecture')").first.click()
    p.get_by_role("option", name=preset).first.click()
    wait_for_app_run(p)
    box = p.get_by_role("spinbutton", name="Epochs")
    box.fill(epochs)
    box.press("Enter")
    wait_for_app_run(p)
    p.get_by_role("button", name="Train").first.click()


def test_two_students_keep_their_replicas_and_their_uploads_and_models(browser, url, hall):
    a, pa = _open(browser, url)
    b, pb = _open(browser, url)
    ra, rb = _replica(a), _replica(b)
    assert {ra, rb} == {"r1", "r2"}, "round robin: the two students are on different replicas"
    for _ in range(3):  # every request of a browser goes to its replica
        pa.reload()
        wait_for_app_run(pa)
    assert _replica(a) == ra
    # an upload is a plain HTTP PUT: it must reach the replica that holds the session
    settle(pa, lambda: pa.get_by_role("link", name="Upload & draw").first.click())
    pa.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "one.png", "mimeType": "image/png", "buffer": _digit()}]
    )
    expect(pa.get_by_text("reconstruction MSE")).to_be_visible(timeout=30000)
    # a training job runs on the Dask worker, not in a replica, and its model stays with its student
    _train(pa)
    expect(pa.get_by_text("#1 mlp, code 2").first).to_be_visible(timeout=90000)
    replicas = [psutil.Process(hall.pids()[r]) for r in ("r1", "r2")]
    assert not [c for r in replicas for c in r.children(recursive=True) if "python" in c.name()], "no worker in a replica"
    from distributed import Client

    with Client(hall.scheduler, timeout=10) as client:
        events = client.get_events("aeviz-progress")
    assert events, "the job's progress came from a Dask worker"
    assert len(_own_models(pa)) == 1 and _own_models(pb) == []
    a.close()
    b.close()


def test_a_dead_replica_moves_its_students_to_a_fresh_session_with_their_work(browser, url, hall):
    a, pa = _open(browser, url)
    b, pb = _open(browser, url)
    victim, other = _replica(a), _replica(b)
    assert victim != other
    _train(pa)
    expect(pa.get_by_text("#1 mlp, code 2").first).to_be_visible(timeout=90000)
    before = _own_models(pa)
    pa.wait_for_timeout(1000)  # the keeper writes it off the page's thread (milliseconds)
    os.kill(hall.pids()[victim], signal.SIGKILL)
    # the page reconnects by itself (through the balancer, to the live replica); its next run is in a fresh session
    pa.wait_for_timeout(1000)
    wait_for_app_run(pa)
    pa.get_by_role("link", name="Latent space").first.click()
    expect(pa.get_by_text("This tab's earlier session ended")).to_be_visible(timeout=60000)
    expect(pa.get_by_text("with the models and image sets you kept")).to_be_visible()
    expect(pa.get_by_role("heading", name="Latent space")).to_be_visible()
    assert _replica(a) == other, "the balancer sent the student to the live replica"
    assert _own_models(pa) == before and len(before) == 1, "the model trained before the kill came back (the store)"
    settle(pb, lambda: pb.get_by_role("link", name="Reconstructions").first.click())  # the others go on
    expect(pb.get_by_role("heading", name="Reconstructions")).to_be_visible()
    expect(pb.get_by_text("This tab's earlier session ended")).to_have_count(0)
    a.close()
    b.close()


def test_a_dead_worker_fails_its_job_with_a_message_and_the_next_job_runs(browser, url, hall):
    c, p = _open(browser, url)
    _train(p, "Lecture 000 · Conv AE", "50")  # long enough to be killed mid-job
    expect(p.get_by_text("images/s").first).to_be_visible(timeout=60000)
    nanny = psutil.Process(hall.pids()["worker-1"])
    # the nanny's children: multiprocessing's resource tracker, and the worker, which holds torch
    worker = max(nanny.children(recursive=True), key=lambda ch: ch.memory_info().rss)
    worker.send_signal(signal.SIGKILL)
    expect(p.get_by_text("the worker running your job stopped").first).to_be_visible(timeout=30000)
    deadline = time.monotonic() + 60  # the nanny starts the worker again (torch loaded: ~500 MB)
    while time.monotonic() < deadline and max(ch.memory_info().rss for ch in nanny.children(recursive=True)) < 300 * 2**20:
        time.sleep(0.5)
    _train(p)
    expect(p.get_by_text("#1 mlp, code 2").first).to_be_visible(timeout=120000)
    c.close()
