"""What only a browser shows: pages drawn, a real click on a scatter point, switching dataset and model."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import settle, wait_for_app_run
from playwright.sync_api import expect

from aeviz.data import load_test_or_sample

PAGES = {
    "overview": "Overview",
    "reconstructions": "Reconstructions",
    "filters": "Learned filters",
    "latent": "Latent space",
    "vae": "VAE explorer",
    "upload": "Upload & draw",
    "denoise": "Denoise",
    "train": "Train your own",
    "lessons": "Lessons",
    "data": "Your images",
    "lectures": "Lecture map",
    "class": "Class",
    "board": "Class board",
}


def goto(page, url_path: str) -> None:
    settle(page, lambda: page.get_by_role("link", name=PAGES[url_path]).first.click())


@pytest.mark.parametrize("url_path", list(PAGES))
def test_page_draws_without_error(app, url_path, output_path):
    goto(app, url_path)
    expect(app.get_by_role("heading", name=PAGES[url_path], exact=True).first).to_be_visible()
    # these wait for an image, a job or a class, or have no charts
    if url_path not in ("upload", "train", "data", "lectures", "class", "board"):
        expect(app.locator(".js-plotly-plot").first).to_be_visible()  # st.plotly_chart's, or the latent scatter
        app.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert app.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count() == 0
    app.screenshot(path=Path(output_path) / f"{url_path}.png", full_page=True)


def test_plotly_js_loads_before_any_chart_arrives(page, app_url):
    """app.py has the browser load Streamlit's plotly.js chunk first thing, not when a chart arrives."""
    page.goto(app_url + "/upload")  # a page without a chart
    wait_for_app_run(page)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    loaded = "performance.getEntriesByType('resource').some((e) => /PlotlyChart\\.[^/]*\\.js$/.test(e.name))"
    page.wait_for_function(loaded, timeout=15000)


def _pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).or_(page.locator(f"[data-testid='stSelectbox']:has-text('{label}')")).first.click()
    settle(page, lambda: page.get_by_role("option", name=option).first.click())


def test_click_a_scatter_point_shows_its_image(app):
    _pick(app, "Model", "VAE, 2-D latent")
    goto(app, "latent")
    expect(app.get_by_text("Click a point")).to_be_visible()
    settle(app, lambda: app.locator("[data-testid='aez-scatter'] .scatterlayer .point").nth(42).click(force=True))
    expect(app.locator("strong", has_text="Image #")).to_be_visible(timeout=15000)
    expect(app.get_by_text("z = (")).to_be_visible()


def test_latent_views_draw_their_own_figure(app):
    _pick(app, "Model", "VAE, 2-D latent")
    goto(app, "latent")
    charts = app.locator(".js-plotly-plot")
    expect(charts).to_have_count(1)
    settle(app, lambda: app.get_by_role("radio", name="Decoded plane").click())
    expect(charts.locator(".layer-above image, .imagelayer image")).to_have_count(1)
    expect(app.locator("[data-testid='aez-scatter'] .scatterlayer .point")).to_have_count(0)
    expect(app.get_by_label("Grid size")).to_have_count(1)


def test_hovering_a_point_shows_its_image(app):
    goto(app, "latent")
    app.locator("[data-testid='aez-scatter'][data-ready]").wait_for(state="attached")
    point = app.locator("[data-testid='aez-scatter'] .scatterlayer .point").nth(123)
    point.hover(force=True)
    preview = app.locator("[data-testid='aez-hover']")
    expect(preview).to_be_visible()
    row = int(preview.get_attribute("data-row"))
    # the preview's pixels are that test image's, as the app's own test set has them
    shown = app.evaluate("""() => { const c = document.getElementById('aez-hover');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return Array.from({length: 28 * 28}, (_, i) => d[((Math.floor(i / 28) * 4 + 2) * c.width + (i % 28) * 4 + 2) * 4]); }""")
    expected = load_test_or_sample("mnist").x[row, 0].flatten().tolist()
    assert max(abs(a - b) for a, b in zip(shown, expected, strict=True)) <= 1
    app.mouse.move(5, 5)
    expect(preview).to_be_hidden()


def test_the_scatter_follows_the_model(app):
    """Another model on the same page: the scatter draws that model's codes, and still answers clicks."""
    goto(app, "latent")
    scatter = app.locator("[data-testid='aez-scatter']")
    first = scatter.get_attribute("data-ready")
    _pick(app, "Model", "VAE, 2-D latent")
    expect(scatter).not_to_have_attribute("data-ready", first)
    expect(scatter.locator(".xtitle")).to_have_text("z1")
    # what plotly.js drew (calcdata) is the data it was given: Plotly.react would have kept the old codes
    drawn = "(gd) => gd.calcdata.every((cd, i) => cd[0].x === gd.data[i].x[0] && cd[0].y === gd.data[i].y[0])"
    assert scatter.evaluate(drawn)
    assert scatter.evaluate("(gd) => gd._ev.listeners('plotly_click').length") == 1
    settle(app, lambda: scatter.locator(".scatterlayer .point").nth(7).click(force=True))
    expect(app.locator("strong", has_text="Image #")).to_be_visible(timeout=15000)


@pytest.mark.parametrize("url_path", ["overview", "latent"])  # st.plotly_chart's toolbar, and the scatter's
def test_a_figure_downloads_as_png(app, url_path, tmp_path):
    goto(app, url_path)
    chart = app.locator(".js-plotly-plot").first
    chart.hover()
    with app.expect_download() as download:
        chart.locator("[data-title='Download plot as a PNG']").click()
    assert download.value.suggested_filename == "aeviz.png"
    download.value.save_as(tmp_path / "aeviz.png")
    assert (tmp_path / "aeviz.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_second_click_soon_after_the_first_selects_again(app):
    """Two clicks on two points 350 ms apart are two selections: plotly.js 3 took them for a double
    click (500 ms), reset the axes, and Streamlit cleared the selection."""
    _pick(app, "Model", "VAE, 2-D latent")
    goto(app, "latent")
    points = app.locator("[data-testid='aez-scatter'] .scatterlayer .point")
    points.nth(10).click(force=True)
    app.wait_for_timeout(350)
    points.nth(250).click(force=True)
    wait_for_app_run(app)
    expect(app.locator("strong", has_text="Image #")).to_be_visible(timeout=15000)
    expect(app.get_by_text("Click a point")).to_have_count(0)


def test_a_page_clicked_while_the_app_loads_keeps_the_model(page, app_url):
    """The sidebar showed the first model (FC linear) while the page used the conv AE, and the next
    run switched to it: the browser missed the first run's value and fell back on the default."""
    page.goto(app_url)
    settle(page, lambda: page.get_by_role("link", name="Reconstructions").first.click())  # as soon as it shows
    expect(page.get_by_text("Conv AE (lecture 000) · mean MSE")).to_be_visible()
    expect(page.get_by_role("combobox", name="Model")).to_have_value("Conv AE (lecture 000)")
    for view in ("Bottleneck sizes", "Inputs vs outputs"):  # full runs, with the values the browser has
        settle(page, lambda v=view: page.get_by_role("radio", name=v).click())
    expect(page.get_by_text("Conv AE (lecture 000) · mean MSE")).to_be_visible()


def test_switch_dataset_and_model(app):
    _pick(app, "Model", "Conv AE (lecture 000)")
    _pick(app, "Dataset", "Fashion-MNIST")
    expect(app.get_by_text("Conv AE (lecture 000)").first).to_be_visible()
    goto(app, "reconstructions")
    expect(app.get_by_text("Conv AE (lecture 000) · mean MSE")).to_be_visible()
    assert app.locator("[data-testid='stException']").count() == 0


# Every time plotly.js draws an image figure it sets its <image>'s href: count those per chart
# (.js-plotly-plot: the element plotly.js draws in, in st.plotly_chart and in the latent scatter).
COUNT_DRAWS = """() => {
  window.__draws = new Map();
  if (window.__drawCounter) return;  // counting already: start again from zero
  window.__drawCounter = new MutationObserver((records) => records.forEach((r) => {
    if (r.attributeName !== "href") return;  // xlink:href: attributeFilter skips namespaced attributes
    const chart = r.target.closest(".js-plotly-plot");
    window.__draws.set(chart, (window.__draws.get(chart) || 0) + 1);
  }));
  window.__drawCounter.observe(document.querySelector("[data-testid='stApp']"), {subtree: true, attributes: true});
}"""
DRAWS = "[...document.querySelectorAll('.js-plotly-plot')].map((c) => window.__draws.get(c) || 0)"


# Every time plotly.js lays a chart out it sets the width of the chart's first <svg>: count those.
COUNT_LAYOUTS = """() => {
  window.__layouts = new Map();
  if (window.__layoutCounter) return;
  window.__layoutCounter = new MutationObserver((records) => records.forEach((r) => {
    const chart = r.target.closest(".js-plotly-plot");
    if (r.attributeName === "width" && chart && chart.querySelector("svg.main-svg") === r.target)
      window.__layouts.set(chart, (window.__layouts.get(chart) || 0) + 1);
  }));
  window.__layoutCounter.observe(document.querySelector("[data-testid='stApp']"), {subtree: true, attributes: true});
}"""


def test_the_latent_scatter_is_drawn_once(app):
    """It was drawn twice whenever plotly.js had loaded before it arrived (every visit but a cold
    one): plotly.js took the typed arrays in Streamlit's copy of the figure for new data."""
    goto(app, "overview")  # a chart: plotly.js is loaded
    app.evaluate(COUNT_LAYOUTS)
    goto(app, "latent")
    app.locator("[data-testid='aez-scatter'] .scatterlayer .point").first.wait_for()
    app.wait_for_timeout(1000)
    assert app.evaluate(DRAWS.replace("__draws", "__layouts")) == [1]


def _draws_after(app, action) -> list[int]:
    app.evaluate(COUNT_DRAWS)
    settle(app, action)
    app.wait_for_timeout(1000)
    return app.evaluate(DRAWS)


def test_each_chart_is_drawn_once(app):
    """Each chart that a page, a view or a widget shows is drawn once: not a second time when
    Streamlit hands plotly.js its copy of the figure (it was, before figures lost their template)."""
    assert _draws_after(app, lambda: goto(app, "reconstructions")) == [1]
    assert _draws_after(app, lambda: app.get_by_text("by class", exact=True).first.click()) == [1]
    assert _draws_after(app, lambda: app.get_by_role("radio", name="Bottleneck sizes").click()) == [1]
    goto(app, "filters")
    draws = _draws_after(app, lambda: app.get_by_role("radio", name="Feature maps of one input").click())
    assert len(draws) >= 3 and set(draws) == {1}, draws


def test_a_page_link_always_opens_its_page(page, app_url):
    """50 loads of page links in one tab (reloads and shared links, as a class opens them): each
    lands on the page it names, and from the second on the tab is told its earlier session ended."""
    from aeviz.ui.nav import PAGE_LIST

    pages = [(url, title) for _, title, _, url in PAGE_LIST if url != "overview"]  # Overview is also the fallback
    for i in range(50):
        url, title = pages[i % len(pages)]
        page.goto(f"{app_url}/{url}?dataset=mnist")
        wait_for_app_run(page)
        expect(page.locator("h2").first).to_have_text(title, timeout=30000)
        assert page.url.split("?")[0].endswith(f"/{url}"), (i, page.url)
        if i:
            expect(page.get_by_text("This tab's earlier session ended")).to_be_visible()
        # the sidebar's component has noted this session for the next load (a student spends seconds here)
        page.wait_for_function("sessionStorage.getItem('aeviz-session')", timeout=30000)
