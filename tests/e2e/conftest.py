"""Browser tier: a real `streamlit run` on 127.0.0.1, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from aeviz.bench import server
from aeviz.bench.server import quiet, settle, wait_for_app_run

__all__ = ["quiet", "settle", "wait_for_app_run"]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    proc, url = server.start(tmp_path_factory.mktemp("st") / "server.log")
    yield url
    server.stop(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": server.CHROMIUM, "args": server.CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1500, "height": 1000}}


@pytest.fixture
def app(page, app_url):
    page.goto(app_url)
    wait_for_app_run(page)
    return page


def pytest_collection_modifyitems(items) -> None:
    """Every test in this folder drives Chromium: `pytest -m "not browser"` runs the fast tiers alone."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
