"""Start and stop a real `streamlit run` on 127.0.0.1 (used by the browser tests and the benches).

Started as the README's one-machine command starts it (`streamlit run app.py` in the project folder,
so with .streamlit/config.toml), given only a loopback address, a free port and no browser to open:
a figure measured here is one for the command a teacher runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from aeviz.processes import free_port, healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking"]


def start(
    log_path: Path, env: dict | None = None, timeout: float = 90, script: Path = ROOT / "app.py"
) -> tuple[subprocess.Popen, str]:
    """(process, url) of a headless server for `script` on a free loopback port; raises with the log if it fails."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.headless", "true"]  # fmt: skip
    log = open(log_path, "w+")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    deadline = time.time() + timeout
    while not healthy(port, timeout=1):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.seek(0)
            raise RuntimeError("streamlit did not start:\n" + log.read())
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


# The page settles when the app has finished its run and the DOM has stopped changing: we record
# the frame after every DOM change (hover labels aside), and every pointer release (a click acts on
# release). Watching the script-state attribute alone misses runs: React can render "running" and
# "notRunning" in one go, and on a busy machine a run may not have begun when we first look.
OBSERVER = """() => {
  window.__changes = [];
  window.__releases = [];
  if (window.__settleObserver) return;  // watching already: start again from nothing
  document.addEventListener('pointerup', (e) => window.__releases.push(e.timeStamp), true);
  const ignored = (r) => {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    return el && el.closest('.hoverlayer, .modebar-container, [data-testid="stTooltipContent"]');
  };
  window.__settleObserver = new MutationObserver((records) => {
    if (!records.every(ignored)) requestAnimationFrame(() => window.__changes.push(performance.now()));
  });
  window.__settleObserver.observe(document.querySelector("[data-testid='stApp']"),
                                  {subtree: true, childList: true, attributes: true, characterData: true});
}"""
# Settled: the script is not running, the DOM changed after `since` (default: the last pointer
# release) and has not changed for `quiet` ms.
SETTLED = """([since, quiet]) => {
  const state = document.querySelector("[data-testid='stApp']").getAttribute('data-test-script-state');
  const last = window.__changes.at(-1) || 0;
  return state === 'notRunning' && last > (since ?? window.__releases.at(-1)) && performance.now() - last > quiet;
}"""

# Quiet: the script is not running and the DOM has not changed for `quiet` ms since `start`.
QUIET = """([start, quiet]) => {
  const state = document.querySelector("[data-testid='stApp']").getAttribute('data-test-script-state');
  return state === 'notRunning' && performance.now() - Math.max(start, window.__changes.at(-1) || 0) > quiet;
}"""


def settle(page, action, quiet_ms: int = 300, timeout: int = 60000) -> None:
    """Do `action`, which makes the app run, and return once the page shows that run's end."""
    page.locator("[data-testid='stApp']").wait_for(state="attached", timeout=timeout)  # what OBSERVER watches
    page.evaluate(OBSERVER)
    since = page.evaluate("performance.now()")
    action()
    page.wait_for_function(SETTLED, arg=[since, quiet_ms], timeout=timeout, polling=50)


def quiet(page, quiet_ms: int = 500, timeout: int = 60000) -> None:
    """Wait until the app is not running and its page has not changed for `quiet_ms`: after a page
    load, whose first run may ask for another (a session restoring its person's work), before the
    next action. A click during that second run could land on an element being replaced, and be lost."""
    page.locator("[data-testid='stApp']").wait_for(state="attached", timeout=timeout)
    page.evaluate(OBSERVER)
    start = page.evaluate("performance.now()")
    page.wait_for_function(QUIET, arg=[start, quiet_ms], timeout=timeout, polling=50)


def wait_for_app_run(page, timeout: int = 60000) -> None:
    """Streamlit's own e2e idiom: connected, and the script not running. It can return before a run
    that an action has just asked for has begun: after an action, `settle` is the sure wait."""
    page.wait_for_timeout(150)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached", timeout=timeout)
