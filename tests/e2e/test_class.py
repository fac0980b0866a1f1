"""A class, as a teacher and three students live it, in Chromium against a real `streamlit run`: the
teacher opens a class, three students (separate browsers) join by its link and train the assignment,
the board shows three points and three cards, and ending the class deletes them."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from conftest import quiet, settle, wait_for_app_run
from playwright.sync_api import expect


def _goto(p, url: str) -> None:
    p.goto(url)
    wait_for_app_run(p)
    quiet(p)  # a page's first run may ask for a second: a click during it was lost (CI, once)


def test_a_class_trains_one_sweep_and_the_board_shows_it(browser, app_url):
    teacher = browser.new_context()
    t = teacher.new_page()
    _goto(t, f"{app_url}/class")
    t.get_by_text("Open a class (teachers)").click()
    settle(t, lambda: t.get_by_role("button", name="Open the class").click())
    expect(t.get_by_text("/board?teach=")).to_be_visible(timeout=20000)
    settle(t, lambda: t.get_by_role("link", name="Class board").first.click())
    heading = t.get_by_role("heading", name=re.compile(r"^Class [A-Z2-9]{6} ")).inner_text()
    code = heading.split()[1]

    students = []
    for _ in range(3):
        ctx = browser.new_context()
        s = ctx.new_page()
        _goto(s, f"{app_url}/class?join={code}")
        expect(s.get_by_text("You are")).to_be_visible(timeout=20000)
        settle(s, lambda s=s: s.get_by_role("link", name="Train your own").first.click())
        expect(s.get_by_text("assignment:")).to_be_visible()
        s.get_by_role("button", name="Train the assignment").click()
        students.append((ctx, s))
    for _, s in students:  # one worker: the three jobs run one after the other
        expect(s.get_by_text("Shared on the class board", exact=True)).to_be_visible(timeout=180000)

    # the board picks them up by itself (its fragment refreshes every second): no reload
    expect(t.get_by_test_id("stMetricValue").nth(1)).to_have_text("3", timeout=30000)
    settle(t, lambda: t.get_by_role("radio", name="Cards").click())
    expect(t.get_by_role("button", name="Open in the app")).to_have_count(3, timeout=20000)
    settle(t, lambda: t.get_by_role("radio", name="Sweep").click())
    points = t.locator("[data-testid='stPlotlyChart'] .scatterlayer .trace").first.locator(".point")
    expect(points).to_have_count(3, timeout=20000)

    db = Path(os.environ["AEVIZ_HOME"]) / "aeviz.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from class_models").fetchone()[0] == 3
    t.get_by_text("Teacher controls").click()
    settle(t, lambda: t.get_by_role("button", name="End class…").click())
    expect(t.get_by_text(f"End class {code} now?")).to_be_visible()
    t.get_by_role("button", name="Yes, end it").click()
    wait_for_app_run(t)
    expect(t.get_by_text("the class board is the teacher's", exact=False)).to_be_visible(timeout=20000)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from class_models").fetchone()[0] == 0
        assert conn.execute("select count(*) from members").fetchone()[0] == 0
        assert conn.execute("select count(*) from models where title like 'class %'").fetchone()[0] == 0
    _, s = students[0]
    _goto(s, f"{app_url}/class?join={code}")
    expect(s.get_by_text("no class has the code")).to_be_visible(timeout=20000)
    for ctx, _ in students:
        ctx.close()
    teacher.close()
