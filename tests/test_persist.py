"""Work that lasts: a real `streamlit run` with the default store (SQLite and a folder under
AEVIZ_HOME). A student's uploaded checkpoint comes back after a reload (a new session with the same
cookie) and after the server restarts; another person never sees it; a forged resume link is told."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from aeviz.bench import server
from aeviz.bench.students import checkpoint_bytes
from aeviz.bench.wsclient import Student
from aeviz.store import person_key
from aeviz.ui import identity

pytestmark = pytest.mark.slow


def run(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _opened(url: str, resume: str) -> str | None:
    """The cookie a browser without one gets when it opens a resume link (the page's HTML request)."""
    with urllib.request.urlopen(f"{url}/?resume={resume}", timeout=10) as r:
        jar = SimpleCookie()
        for header in r.headers.get_all("set-cookie") or []:
            jar.load(header)
    return jar[identity.COOKIE].value if identity.COOKIE in jar else None


async def _models(url: str, cookie: str | None, query: str = "") -> tuple[list[str], list[str], str]:
    """(the sidebar's model options, the page's texts, the cookie it ends with) for a new session."""
    s = Student(url, name="tab", query_string=query)
    if cookie:
        s.cookies = {identity.COOKIE: cookie}
    await s.connect()
    try:
        first = s.page.texts()  # a notice is a toast on the first page
        await s.switch_page("Train your own")
        return s.page.widget("Model").options, first + s.page.texts(), s.cookies[identity.COOKIE]
    finally:
        await s.close()


async def _upload(url: str) -> str:
    s = Student(url, name="uploader")
    await s.connect()
    try:
        await s.switch_page("Train your own")
        r = await s.upload("tr_upload", "mine.safetensors", checkpoint_bytes(), "application/octet-stream")
        assert not r.errors and not r.exceptions, (r.errors, r.exceptions)
        return s.cookies[identity.COOKIE]
    finally:
        await s.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AEVIZ_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_an_upload_comes_back_after_a_reload_and_a_restart(home, tmp_path):
    proc, url = server.start(tmp_path / "a.log", env={"AEVIZ_HOME": str(home)})
    try:
        cookie = run(_upload(url))
        token = cookie.split(".")[0]  # the server signed it with its own secret (AEVIZ_HOME/secret)
        db = sqlite3.connect(home / "aeviz.db")
        for _ in range(50):  # the keeper writes off the page's thread
            rows = db.execute("select person, title from models").fetchall()
            if rows:
                break
            run(asyncio.sleep(0.1))
        assert rows == [(person_key(f"person:{token}"), "uploaded mine.safetensors")]
        assert not db.execute("select count(*) from people where id = ?", (token,)).fetchone()[0], "no raw token stored"
        again, texts, _ = run(_models(url, cookie))
        mine = [o for o in again if "uploaded mine" in o]
        assert len(mine) == 1, ("a reload brings the model back", again)
        assert any("uploaded mine" in t and ":material/cloud_done: saved" in t for t in texts), "and shows as saved"
        assert any("Open this link on another device" in t for t in texts), "the resume link, shown by itself once"
        stranger, _, _ = run(_models(url, None))
        assert not [o for o in stranger if "uploaded" in o], "another person does not see it"
    finally:
        server.stop(proc)
    proc, url = server.start(tmp_path / "b.log", env={"AEVIZ_HOME": str(home)})
    try:
        after, _, _ = run(_models(url, cookie))
        assert mine[0] in after, "a restart brings it back: the token's signature holds (AEVIZ_HOME/secret)"
        assert _opened(url, cookie) == cookie, "a resume link sets its cookie in a new browser"
        resumed, _, _ = run(_models(url, cookie, f"resume={cookie}"))
        assert mine[0] in resumed
        forged = cookie[:-4] + ("0000" if not cookie.endswith("0000") else "1111")
        fresh = _opened(url, forged)
        assert fresh is not None and fresh != forged, "a forged link gets a fresh cookie"
        others, _, _ = run(_models(url, fresh, f"resume={forged}"))
        assert mine[0] not in others, "a forged link opens nobody's work"
    finally:
        server.stop(proc)


def test_postgres_down_mid_class_is_said_and_the_work_comes_back_when_it_returns(postgres, tmp_path):
    """The database stops: a new session says work is not being saved and goes on in memory; it starts
    again: within seconds, a new session has the student's model back, and no warning."""
    env = {"AEVIZ_HOME": str(tmp_path / "home"), "AEVIZ_DB_URL": postgres["url"]}
    proc, url = server.start(tmp_path / "pg.log", env=env)
    ctl = [*postgres["ctl"], "-o", postgres["opts"], "-l", postgres["folder"] / "log", "-w"]
    try:
        cookie = run(_upload(url))
        run(asyncio.sleep(1))  # the keeper writes it off the page's thread
        before, texts, _ = run(_models(url, cookie))
        mine = [o for o in before if "uploaded mine" in o]
        assert mine and not any("not being saved" in t for t in texts)
        subprocess.run([*postgres["ctl"], "-m", "fast", "-w", "stop"], check=True, capture_output=True)
        try:
            _, texts, _ = run(_models(url, cookie))  # no crash: the page says so, and goes on
            assert any("Your work is not being saved right now" in t for t in texts), texts
        finally:
            subprocess.run([*ctl, "start"], check=True, capture_output=True)
        run(asyncio.sleep(11))  # past the 10 s in which no page tries the store again
        after, texts, _ = run(_models(url, cookie))
        assert mine[0] in after and not any("not being saved" in t for t in texts), "recovered by itself, nothing lost"
    finally:
        server.stop(proc)


async def _image_set(url: str) -> tuple[str, list[str]]:
    """A student reads a zip of drawings on Your images and uses them: (their cookie, the Dataset picker's options)."""
    import random

    from aeviz.bench.students import drawings_zip

    s = Student(url, name="images", auto_reruns=True, timeout=120)
    await s.connect()
    try:
        await s.switch_page("Your images")
        await s.upload("ud_files", files=[("drawings.zip", drawings_zip(random.Random(0)), "application/zip")])
        await s.click("ud_read")
        for _ in range(600):  # the ingest job runs on the training service; the page's fragment polls it
            await asyncio.sleep(0.1)
            if any(w.key == "ud_use" for w in s.page.widgets):
                break
        await s.click("ud_use")
        await s.rerun()
        return s.cookies[identity.COOKIE], s.page.widget("Dataset").options
    finally:
        await s.close()


def test_an_image_set_comes_back_after_a_reload(tmp_path):
    proc, url = server.start(tmp_path / "images.log", env={"AEVIZ_HOME": str(tmp_path / "home")})
    try:
        cookie, options = run(_image_set(url))
        mine = [o for o in options if o.startswith("own-drawings")]
        assert len(mine) == 1, options
        run(asyncio.sleep(2))  # compressed and written by the keeper's thread
        s = Student(url, name="again")
        s.cookies = {identity.COOKIE: cookie}

        async def again() -> list[str]:
            await s.connect()
            try:
                return s.page.widget("Dataset").options
            finally:
                await s.close()

        assert mine[0] in run(again()), "the image set is back in a new session with the same cookie"
    finally:
        server.stop(proc)
