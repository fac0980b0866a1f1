"""`python -m aeviz.bench ui`: drive Chromium against a real server; time interactions to a settled page.

- cold start: `streamlit run` spawned -> first page settled in the browser (script done, frame drawn);
- per interaction (widget change, page switch, scatter click): the pointer's release -> the frame
  after the page's last change (script done, 400 ms without a change), timed in the page; page
  switches go round the app's first four pages (TOUR), each page's figures also given on their own;
- the same for a one-radio app on its own server: what Streamlit itself costs here, now (the
  machine's speed varies by 20-30 % from one minute to the next, so read aeviz's figures against it);
- latent slider drag (browser-side decoding): decodes per second over a 2 s mouse drag, and the
  latency from each `input` event to its pixels written;
- the same interactions in one session while another session trains a model (worker process).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from aeviz.bench import server


def timed(page, action, quiet_ms: int = 400) -> float:
    """ms from the pointer release that `action` makes to the frame after the page's last change.

    From the release the browser gets, not from when Playwright begins looking for the element:
    its actionability checks cost 50-150 ms of their own."""
    action()
    page.wait_for_function(server.SETTLED, arg=[None, quiet_ms], timeout=30000, polling=50)
    return page.evaluate("window.__changes.at(-1) - window.__releases.at(-1)")


def _p95(ms: list[float]) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def summary(name: str, ms: list[float]) -> str:
    med, p95 = statistics.median(ms), _p95(ms)
    return f"{name:18s} n={len(ms):3d}  median {med:6.1f} ms  p95 {p95:6.1f} ms  max {max(ms):6.1f} ms"


def nav(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()


# The pages a page switch goes to, in turn: the four pages of the app's first part (issue #4)
TOUR = ("Overview", "Reconstructions", "Learned filters", "Latent space")


def run_interactions(page, reps: int) -> dict[str, list[float]]:
    """Times of `reps` widget changes, page switches (`reps` to each page of TOUR) and scatter clicks."""
    page.evaluate(server.OBSERVER)
    out: dict[str, list[float]] = {"widget change": [], "page switch": [], **{f"  to {t}": [] for t in TOUR}, "scatter click": []}
    nav(page, "Reconstructions")
    server.wait_for_app_run(page)
    for i in range(reps):
        option = "by class" if i % 2 == 0 else "random"
        out["widget change"].append(timed(page, lambda o=option: page.get_by_text(o, exact=True).first.click()))
    for i in range(reps * len(TOUR)):
        title = TOUR[i % len(TOUR)]
        out[f"  to {title}"].append(ms := timed(page, lambda t=title: nav(page, t)))
        out["page switch"].append(ms)
    page.locator("[data-testid='stSelectbox']:has-text('Model')").first.click()
    page.get_by_role("option", name="VAE, 2-D latent").first.click()
    server.wait_for_app_run(page)
    nav(page, "Latent space")
    server.wait_for_app_run(page)
    points = page.locator("[data-testid='aez-scatter'] .scatterlayer .point")
    points.first.wait_for()  # the scatter draws once plotly.js has the figure
    n = points.count()
    for i in range(reps):
        out["scatter click"].append(timed(page, lambda i=i: points.nth(37 * i % n).click(force=True)))
    return out


def slider_drag(page, seconds: float = 2.0) -> tuple[float, list[float]]:
    """Drag the first latent slider back and forth for `seconds`: (decodes per second, latencies ms)."""
    nav(page, "VAE explorer")
    server.wait_for_app_run(page)
    slider = page.locator("input[type='range'][aria-label^='z1 ']").first
    slider.wait_for()
    box = slider.bounding_box()
    canvas = page.locator("[data-testid='aez-canvas']").first
    before = int(canvas.get_attribute("data-decodes") or 0)
    page.evaluate("window.__aezLatency = []")
    x0, y = box["x"] + 5, box["y"] + box["height"] / 2
    page.mouse.move(x0, y)
    page.mouse.down()
    t0 = time.perf_counter()
    i = 0
    while time.perf_counter() - t0 < seconds:
        i += 1
        frac = abs((i % 80) - 40) / 40  # back and forth across the track
        page.mouse.move(x0 + frac * (box["width"] - 10), y)
    elapsed = time.perf_counter() - t0
    page.mouse.up()
    decodes = int(canvas.get_attribute("data-decodes") or 0) - before
    return decodes / elapsed, page.evaluate("window.__aezLatency")


def start_training_elsewhere(browser, url: str):
    """Another student's session: start a longer MNIST job on the Train page and leave it running."""
    other = browser.new_page(viewport={"width": 1500, "height": 1000})
    other.goto(url + "/train")
    server.wait_for_app_run(other)
    other.get_by_role("spinbutton", name="Epochs").fill("20")
    other.keyboard.press("Enter")
    server.wait_for_app_run(other)
    other.get_by_role("button", name="Train").first.click()
    other.get_by_text("images/s").first.wait_for(timeout=60000)
    return other


def floor(browser, reps: int) -> list[float]:
    """Click-to-settled times of a one-radio app (floor_app.py) on its own server: Streamlit's own cost."""
    log = Path(tempfile.mkdtemp()) / "floor.log"
    proc, url = server.start(log, script=Path(__file__).with_name("floor_app.py"))
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    try:
        page.goto(url)
        server.wait_for_app_run(page)
        page.evaluate(server.OBSERVER)
        options = ["by class", "random"]
        return [timed(page, lambda o=options[i % 2]: page.get_by_text(o, exact=True).first.click()) for i in range(reps)]
    finally:
        page.close()
        server.stop(proc)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench ui")
    p.add_argument("--reps", type=int, default=40, help="repetitions per interaction")
    a = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "server.log"
    with sync_playwright() as pw:
        # the browser is open before the clock starts: a teacher's browser is already running
        browser = pw.chromium.launch(executable_path=server.CHROMIUM, args=server.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        t_spawn = time.perf_counter()
        proc, url = server.start(log)
        try:
            t_up = time.perf_counter()
            page.goto(url)
            server.wait_for_app_run(page)
            page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
            t_done = time.perf_counter()
            print(
                f"cold start (spawn -> first page settled): {t_done - t_spawn:.2f} s"
                f"  (server up {t_up - t_spawn:.2f} s, then page {t_done - t_up:.2f} s)"
            )
            results = run_interactions(page, a.reps)
            base = floor(browser, a.reps)
            print(summary("one-radio app", base) + "  (Streamlit's own floor, measured in this run)")
            for name, ms in results.items():
                print(summary(name, ms) + f"  median {statistics.median(ms) / statistics.median(base):.1f}x the floor")
            rate, lat = slider_drag(page)
            print(f"latent slider drag: {rate:.0f} decodes/s, " + summary("input->pixels", lat).split(None, 1)[1])
            other = start_training_elsewhere(browser, url)
            page.reload()
            server.wait_for_app_run(page)
            busy = run_interactions(page, a.reps)
            print("while another session trains (worker process):")
            for name, ms in busy.items():
                ratio = _p95(ms) / _p95(results[name])
                print(summary(name, ms) + f"  p95 {ratio:.2f}x idle")
            other.close()
        finally:
            server.stop(proc)
            browser.close()
    return 0
