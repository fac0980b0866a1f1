"""The lecture map: one catalogue for the page and the command; every live item's URL renders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_app import new_app

from aeviz import lectures
from aeviz.ui.nav import PAGE_LIST

ROOT = Path(__file__).resolve().parents[1]
FILES = {url: f"aeviz/ui/pages/{file}" for file, _, _, url in PAGE_LIST} | {"": f"aeviz/ui/pages/{PAGE_LIST[0][0]}"}


def test_the_catalogue_covers_the_five_lectures():
    c = lectures.counts()
    assert c["items"] >= 61 and c["live"] >= 55, c
    assert {i.lecture for i in lectures.ITEMS} == set(lectures.LECTURES)
    assert len({i.id for i in lectures.ITEMS}) == len(lectures.ITEMS), "ids are unique"
    for i in lectures.ITEMS:
        assert i.status in lectures.STATUSES and i.id.startswith(i.lecture)
        assert i.status == "live" or i.note, f"{i.id}: say what is missing"
        assert i.page in FILES, i.id


def test_the_command_prints_the_same_catalogue():
    r = subprocess.run([sys.executable, "-m", "aeviz", "lectures", "--json"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    assert [i["id"] for i in items] == [i.id for i in lectures.ITEMS]
    assert set(items[0]) == {"id", "lecture", "title", "status", "note", "url"}
    assert all(i["url"].startswith("/") for i in items)


@pytest.mark.parametrize("item", [i for i in lectures.ITEMS if i.status == "live"], ids=lambda i: i.id)
def test_every_live_item_opens_without_exception(item):
    at = new_app().run()  # then the item's link, followed inside the app (AppTest opens the default page first)
    at.query_params.clear()
    at.query_params.update(item.params)
    at.switch_page(FILES[item.page]).run()
    assert not at.exception, [e.value for e in at.exception]
    for k, v in item.params.items():  # the link's state is the page's state
        if k == "model":
            assert at.session_state["model"] == v
        if k == "lesson":
            from aeviz.ui.pages.lessons import lessons

            assert at.session_state["lesson"] == lessons()[v].TITLE


def test_the_lecture_map_page_links_every_item():
    at = new_app()
    at.switch_page(FILES["lectures"]).run()
    assert not at.exception
    assert len(at.get("page_link")) == sum(i.status != "missing" for i in lectures.ITEMS)


def teardown_module():
    from aeviz.ui import state

    state.service().cancel_all()  # the lessons' runs these pages started: the next tests need the worker
