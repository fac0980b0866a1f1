"""In front of a class: shared links restore the view, presenter mode, keyboard use, and axe-core on every page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import settle, wait_for_app_run
from playwright.sync_api import expect
from test_browser import PAGES, goto

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=AXE)
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in json.loads(result)["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("url_path", list(PAGES))
def test_no_serious_or_critical_accessibility_violations(app, url_path, output_path):
    goto(app, url_path)
    app.wait_for_timeout(500)  # components finish drawing
    found = axe(app)
    Path(output_path).mkdir(parents=True, exist_ok=True)
    (Path(output_path) / f"axe-{url_path}.json").write_text(json.dumps(found, indent=1))
    assert not found, found


def test_a_shared_link_opens_the_same_view_in_a_fresh_browser(app, app_url, browser):
    goto(app, "latent")
    app.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    settle(app, lambda: app.get_by_role("option", name="Fashion-MNIST").click())
    app.get_by_role("radio", name="Walk between images").click()
    wait_for_app_run(app)
    app.wait_for_timeout(500)
    url = app.url
    assert "dataset=fashion" in url and "view=Walk" in url, url
    fresh = browser.new_context(viewport={"width": 1500, "height": 1000})
    other = fresh.new_page()
    other.goto(url)
    wait_for_app_run(other)
    expect(other.get_by_role("heading", name="Latent space")).to_be_visible()
    expect(other.get_by_role("radio", name="Walk between images")).to_be_checked()
    expect(other.get_by_role("combobox", name="Dataset")).to_have_value("Fashion-MNIST")
    fresh.close()


def test_a_stale_link_opens_the_nearest_view_and_says_what_was_dropped(app_url, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.goto(f"{app_url}/denoise?dataset=mnist&model=mnist-transformer&noise=pink&present=1")
    wait_for_app_run(page)
    expect(page.get_by_text("Parts of the link were left out").first).to_be_visible()
    expect(page.get_by_role("heading", name="Denoise")).to_be_visible()
    context.close()


def test_presenter_mode_is_larger_and_in_the_link(app, app_url, output_path):
    goto(app, "reconstructions")
    before = app.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    settle(app, lambda: app.get_by_text("Presenter mode").click())
    after = app.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after > before * 1.2, (before, after)
    app.wait_for_timeout(300)
    assert "present=1" in app.url
    app.screenshot(path=str(Path(output_path) / "presenter-reconstructions.png"), full_page=True)
    app.goto(f"{app_url}/vae?present=1")  # the sidebar is folded; the link alone opens presenter mode
    wait_for_app_run(app)
    # the browser-side decoder's canvases grow with the type
    canvas = app.get_by_test_id("aez-canvas").first
    expect(canvas).to_have_attribute("data-decodes", re.compile(r"\d+"), timeout=15000)
    assert canvas.bounding_box()["width"] > 280 * 1.2
    assert app.get_by_test_id("aez-plane").first.bounding_box()["width"] > 360 * 1.2
    app.wait_for_timeout(500)
    assert not axe(app), "presenter mode's high contrast keeps every check"
    app.screenshot(path=str(Path(output_path) / "presenter-vae.png"), full_page=True)


def test_the_qr_code_dialog_spells_the_link_out(app):
    goto(app, "vae")
    app.get_by_role("button", name="Share with the class").click()
    dialog = app.get_by_role("dialog")
    expect(dialog.get_by_text("Scan to open this view")).to_be_visible()
    code = dialog.locator("code").first.inner_text()
    assert code.startswith("http://127.0.0.1") and "/vae?" in code and "dataset=" in code, code
    expect(dialog.get_by_role("button", name="QR code as SVG")).to_be_visible()


def test_the_latent_plane_and_sliders_answer_the_keyboard(app):
    goto(app, "vae")
    canvas = app.get_by_test_id("aez-canvas").first
    expect(canvas).to_have_attribute("data-decodes", "1", timeout=10000)
    slider = app.get_by_role("slider").first
    slider.focus()
    for _ in range(5):
        app.keyboard.press("ArrowRight")
    assert int(canvas.get_attribute("data-decodes")) >= 6, "each arrow key decodes in the browser"
    wait_for_app_run(app)  # each key also sends z to the server (a change event): the page runs again
    app.wait_for_timeout(500)
    plane = app.get_by_test_id("aez-plane").first
    plane.focus()
    label = app.locator(".aez-at").first
    before = label.inner_text()
    app.keyboard.press("ArrowUp")
    app.keyboard.press("ArrowRight")
    assert label.inner_text() != before, "arrow keys move the plane's point"


def test_the_latent_scatter_answers_the_keyboard(app):
    goto(app, "latent")
    scatter = app.get_by_test_id("aez-scatter")
    app.wait_for_function("document.querySelector('[data-testid=aez-scatter]')?.dataset.ready")
    scatter.focus()
    app.keyboard.press("ArrowRight")
    app.keyboard.press("ArrowRight")
    assert "Point 2 of 300" in scatter.get_attribute("aria-label")
    expect(app.get_by_test_id("aez-hover")).to_be_visible()  # the point's image, as on hover
    settle(app, lambda: app.keyboard.press("Enter"))
    expect(app.get_by_text("Image #").first).to_be_visible()
