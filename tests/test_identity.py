"""One person, many tabs: the id cookie (aeviz.ui.identity) on a real `streamlit run`, and the training
service's caps applied to the person, not the tab."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from aeviz.bench import server
from aeviz.bench.wsclient import Student
from aeviz.ui import identity

pytestmark = pytest.mark.slow
LONG = "Lecture 002 · one layer, 2 latents"


def run(coro):
    """The coroutine on an event loop of its own thread: a browser test before may have left one running here."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_a_cookie_is_signed_and_a_forged_one_is_refused():
    value = identity.new_value()
    token = identity.verify(value)
    assert token and len(token) >= 22  # 128 random bits
    assert identity.verify(value[:-1] + ("0" if value[-1] != "0" else "1")) is None
    assert identity.verify("x" * 200) is None and identity.verify(None) is None and identity.verify("a.b.c") is None


async def _train(s: Student) -> list[str]:
    await s.switch_page("Train your own")
    await s.set_widget("tr_preset", LONG)
    await s.set_widget("tr_samples", 20_000)
    await s.set_widget("tr_epochs", 20)
    if s.page.widget("tr_start").proto.disabled:  # this person's job, from another tab, is shown here already
        return ["disabled: " + " ".join(s.page.texts())]
    r = await s.click("tr_start")
    return r.errors


async def _class(url: str) -> tuple[list[str], list[str], list[str]]:
    first = Student(url, name="tab-1")
    await first.connect()
    assert identity.COOKIE in first.cookies, "the server set an id cookie"
    second = Student(url, name="tab-2")
    second.cookies = {identity.COOKIE: first.cookies[identity.COOKIE]}  # the same browser, another tab
    await second.connect()
    other = Student(url, name="someone-else")
    forged = first.cookies[identity.COOKIE][:-4] + "0000"
    other.cookies = {identity.COOKIE: forged}  # a forged id is not the first tab's person: the server issues a new one
    await other.connect()
    assert other.cookies[identity.COOKIE] != forged
    try:
        return await _train(first), await _train(second), await _train(other)
    finally:
        for s in (first, second, other):
            await s.rerun()  # whatever is on the page, then the tabs close (their jobs are cancelled)
            await s.close()


def test_one_person_has_one_job_across_tabs_and_another_person_has_their_own(tmp_path):
    proc, url = server.start(tmp_path / "server.log")
    try:
        first, second, other = run(_class(url))
    finally:
        server.stop(proc)
    assert first == [] and other == [], (first, other)
    # the second tab shows the first tab's job (its Train button disabled), or is told it has one
    assert any(("already have a job" in e and "another" in e) or e.startswith("disabled: ") for e in second), second


async def _tabs(url: str, n: int) -> list[list[str]]:
    tabs = [Student(url, name=f"tab-{i}") for i in range(n)]
    try:
        return [(await s.connect()).errors for s in tabs]
    finally:
        for s in tabs:
            await s.close()


def test_a_full_server_says_so_instead_of_slowing_everyone(tmp_path):
    proc, url = server.start(tmp_path / "server.log", env={"AEVIZ_MAX_SESSIONS": "2"})
    try:
        errors = run(_tabs(url, 3))
    finally:
        server.stop(proc)
    assert errors[0] == [] and errors[1] == []
    assert any("server is full" in e for e in errors[2]), errors
