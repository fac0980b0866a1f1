"""`python -m aeviz.bench load --sessions N --duration S [--url URL]`: a class of simulated students.

Each student is one Streamlit session driven over the websocket as the browser drives it
(aeviz.bench.wsclient): it thinks 1-5 s between actions, switches pages, moves widgets, uploads
an image by HTTP PUT with the XSRF cookie, and one in ten trains a model on the Train page. A few
actions send values no widget allows (a crafted client). Fragments that tick (a job's progress)
rerun as in the browser.

Printed: p50 / p95 / max per page and per kind of action, the exceptions seen, RSS of the server
and its workers, memory per extra session, server CPU ms per rerun of each page, and the time from
a Train click to the first loss point on the page. Exits 1 on an exception or when a student sees
another student's model.

Without --url it starts its own `streamlit run app.py` on loopback and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from aeviz.bench import server
from aeviz.bench.wsclient import Student, StudentError

PAGES = [
    "Overview", "Reconstructions", "Learned filters", "Latent space", "VAE explorer", "Upload & draw", "Denoise",
    "Train your own", "Lessons",
]  # fmt: skip
QUICK = "Lecture 002 · one layer, 2 latents"  # the preset a training student picks
# page -> [(widget key, f(random generator, the widget's options) -> a value)]: what a student moves there
WIDGETS = {
    "Reconstructions": [("rec_n", lambda r, o: r.randint(4, 20)), ("rec_mode", lambda r, o: r.choice(["random", "by class"])),
                        ("rec_view", lambda r, o: r.choice(["Inputs vs outputs", "Bottleneck sizes · linear AE vs PCA"]))],
    "Learned filters": [("filt_layer", lambda r, o: r.choice(o))],
    "Latent space": [("lat_view", lambda r, o: r.choice(["Codes", "Walk between images"]))],
    "VAE explorer": [("vae_start", lambda r, o: r.choice(["zero", "a test image"]))],
    "Denoise": [("dn_noise", lambda r, o: r.choice(["gaussian", "masking (zeroed pixels)", "salt and pepper"])),
                ("dn_seed", lambda r, o: r.randint(0, 100))],
    "Lessons": [("lesson", lambda r, o: r.choice(["Linear AE = PCA", "Tutorial 10 · Q1", "Tutorial 10 · Q2", "Upsampling"]))],
}  # fmt: skip
# values a crafted client sends past every widget's bounds: the page must answer with a message, not an exception
CRAFTED = {
    "Reconstructions": [("rec_n", {"double_array_value": [1e12]}), ("rec_view", {"string_array_value": ["<script>"]})],
    "Denoise": [("dn_seed", {"int_value": -(10**15)})],
    "VAE explorer": [("vae_image", {"int_value": 10**9})],
    "Latent space": [("lat_view", {"string_array_value": ["Decoded plane", "Codes"]})],
    "Train your own": [("tr_epochs", {"int_value": 10**9}), ("tr_lr", {"double_value": float("inf")})],
}


def digit_png(rng: random.Random) -> bytes:
    a = np.zeros((60, 60), np.uint8)
    x = rng.randint(15, 40)
    a[8:52, x : x + 6] = 255
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Stats:
    times: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))  # (kind, page) -> ms
    exceptions: list[str] = field(default_factory=list)
    errors: int = 0
    first_loss: list[float] = field(default_factory=list)  # Train click -> first loss point on the page, s
    trained: int = 0
    refused: int = 0  # Train clicks the server refused (queue full, one job per student)
    own: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> tags of their models
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> tags in their picker
    failures: list[str] = field(default_factory=list)  # protocol failures (timeouts, closed sockets)
    replicas: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # behind HAProxy: students per replica

    def record(self, kind: str, page: str, result) -> None:
        if result is None:
            return
        self.times[(kind, page)].append(result.elapsed_ms)
        for e in result.exceptions:
            self.exceptions.append(f"{page} / {kind}: {e['type']}: {e['message'][:200]}")
        self.errors += len(result.errors)


def _tags(student: Student) -> set[str]:
    """The tags of '(yours)' models in this student's model picker (the title ends '· tag  (yours)')."""
    try:
        options = student.page.widget("model").options
    except StudentError:
        return set()
    return {o.rsplit("· ", 1)[1].split()[0] for o in options if o.endswith("(yours)") and "· " in o}


async def student_life(i: int, url: str, until: float, trains: bool, crafted: float, stats: Stats, seed: int) -> None:
    rng = random.Random(seed * 1000 + i)
    name = f"s{i}"
    s = Student(url, auto_reruns=True, timeout=120, name=name)
    page = "Overview"
    try:
        r = await s.connect()
        stats.record("first load", page, r)
        if "SRV" in s.cookies:  # behind `aeviz serve`'s HAProxy: the replica this student is pinned to
            stats.replicas[s.cookies["SRV"]] += 1
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(1, 5))  # think time
            if time.monotonic() >= until:
                break
            if trains and not stats.own[name]:
                await train(s, stats, name, until)
                page = "Train your own"
                continue
            roll = rng.random()
            if roll < crafted and page in CRAFTED:
                key, raw = rng.choice(CRAFTED[page])
                stats.record("crafted value", page, await _set(s, key, lambda r, o, raw=raw: raw, rng))
            elif roll < 0.45:
                page = rng.choice([p for p in PAGES if p != page])
                stats.record("page switch", page, await s.switch_page(page))
            elif page == "Upload & draw" and rng.random() < 0.5:
                stats.record("upload", page, await s.upload("upload", "digit.png", digit_png(rng), "image/png"))
            elif page in WIDGETS:
                key, value = rng.choice(WIDGETS[page])
                stats.record("widget change", page, await _set(s, key, value, rng))
            else:
                options = s.page.widget("model").options
                stats.record("widget change", "sidebar", await s.set_widget("model", rng.choice(options)))
            stats.seen[name] |= _tags(s)
    except (TimeoutError, StudentError, OSError) as e:
        stats.failures.append(f"{name}: {e}")
    finally:
        stats.seen[name] |= _tags(s)
        await s.close()


async def _set(s: Student, key: str, value, rng: random.Random):
    try:
        widget = s.page.widget(key)
    except StudentError:
        return None  # the widget is not on the page now (another view, another model): nothing to do
    return await s.set_widget(key, value(rng, widget.options))


async def train(s: Student, stats: Stats, name: str, until: float) -> None:
    """Start a quick job on the Train page; time the click to the first loss point; wait for the model."""
    stats.record("page switch", "Train your own", await s.switch_page("Train your own"))
    stats.record("widget change", "Train your own", await s.set_widget("tr_preset", QUICK))
    # 2 x 10,000 images: a few seconds of training, long enough to see the first loss points arrive
    stats.record("widget change", "Train your own", await s.set_widget("tr_samples", 10_000))
    stats.record("widget change", "Train your own", await s.set_widget("tr_epochs", 2))
    before = _tags(s)
    t0 = time.monotonic()
    r = await s.click("tr_start")
    stats.record("train click", "Train your own", r)
    if r is not None and any("Can't start" in e for e in r.errors):
        stats.refused += 1
        return
    deadline = max(until, time.monotonic()) + 120
    first = None
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if first is None and any(n.type == "progress" and "images/s" in n.body.text for n in s.page.elements):
            first = time.monotonic() - t0
            stats.first_loss.append(first)
        mine = _tags(s) - before
        if mine:
            stats.own[name] |= mine
            stats.trained += 1
            return
    stats.failures.append(f"{name}: training did not finish")


def _p(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]


def _rss(pids: list[int]) -> tuple[float, float]:
    """(MB of the given processes, MB of their children) by RSS."""
    import psutil

    own = kids = 0
    for pid in pids:
        try:
            p = psutil.Process(pid)
            own += p.memory_info().rss
            kids += sum(c.memory_info().rss for c in p.children(recursive=True))
        except psutil.Error:
            pass
    return own / 2**20, kids / 2**20


async def warm(url: str) -> None:
    """One visit before the class: the server's start-up work (models, workers) is done by then."""
    async with Student(url, name="warm", timeout=180) as s:
        await s.switch_page("Latent space")


async def extra_sessions(url: str, n: int) -> list[Student]:
    """n more students who open every page once and stay connected: what one more session costs."""
    students = [Student(url, name=f"x{i}") for i in range(n)]
    for s in students:
        await s.connect()
        for page in PAGES:
            await s.switch_page(page)
    return students


async def cpu_per_page(url: str, pid: int, reps: int) -> dict[str, float]:
    """Server CPU ms per rerun of each page: one student, page after page, the server otherwise idle."""
    import psutil

    proc = psutil.Process(pid)
    out = {}
    async with Student(url, name="cpu") as s:
        for page in PAGES:
            await s.switch_page(page)
            t = proc.cpu_times()
            for _ in range(reps):
                await s.rerun()
            t2 = proc.cpu_times()
            out[page] = 1000 * ((t2.user - t.user) + (t2.system - t.system)) / reps
    return out


async def run(a: argparse.Namespace, url: str, pids: list[int]) -> int:
    stats = Stats()
    rng = random.Random(a.seed)
    n_train = max(1, round(a.train_share * a.sessions)) if a.train_share > 0 else 0
    trainers = set(rng.sample(range(a.sessions), n_train))
    baseline = _rss(pids) if pids else None
    t_start = time.monotonic()
    until = t_start + a.duration
    peak = [0.0, 0.0]

    async def sample() -> None:
        while time.monotonic() < until:
            if pids:
                own, kids = _rss(pids)
                peak[0], peak[1] = max(peak[0], own), max(peak[1], kids)
            await asyncio.sleep(1)

    tasks = []
    for i in range(a.sessions):  # students arrive over the first seconds, as a class does
        await asyncio.sleep(min(a.ramp, a.duration / 4) / a.sessions)
        tasks.append(asyncio.create_task(student_life(i, url, until, i in trainers, a.crafted, stats, a.seed)))
    await asyncio.gather(sample(), *tasks)
    elapsed = time.monotonic() - t_start

    leaks = []
    for name, seen in stats.seen.items():
        for other, tags in stats.own.items():
            if other != name and seen & tags:
                leaks.append(f"{name} sees {other}'s model(s) {sorted(seen & tags)}")

    print(f"\n{a.sessions} students for {elapsed:.0f} s against {url} ({n_train} training, think 1-5 s)")
    if stats.replicas:
        print("students per replica: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.replicas.items())))
    report(stats)
    if pids:
        end = _rss(pids)
        print(f"RSS: server {baseline[0]:.0f} MB before the class, {peak[0]:.0f} MB at peak, {end[0]:.0f} MB at the end; "
              f"workers {baseline[1]:.0f} -> {peak[1]:.0f} MB at peak")  # fmt: skip
        # an upper bound: the caches the class filled (figures, codes of session models) count too
        print(f"memory per session: {(end[0] - baseline[0]) / a.sessions:.2f} MB (server RSS growth over the class / students)")
        if a.extra:
            before = _rss(pids)[0]
            extra = await extra_sessions(url, a.extra)
            after = _rss(pids)[0]
            per = (after - before) / a.extra
            print(f"memory per extra session (server RSS, {a.extra} more students on every page): {per:.2f} MB")
            for s in extra:
                await s.close()
        if a.cpu_reps:
            cpu = await cpu_per_page(url, pids[0], a.cpu_reps)
            print(
                "server CPU ms per rerun, one student on an idle server: " + ", ".join(f"{p} {ms:.1f}" for p, ms in cpu.items())
            )
    print(f"exceptions: {len(stats.exceptions)}" + "".join(f"\n  {e}" for e in stats.exceptions[:20]))
    print(f"cross-session leaks: {len(leaks)}" + "".join(f"\n  {e}" for e in leaks[:20]))
    if stats.failures:
        print(f"protocol failures: {len(stats.failures)}" + "".join(f"\n  {e}" for e in stats.failures[:10]))
    return 1 if stats.exceptions or leaks else 0


def report(stats: Stats) -> None:
    by_kind, by_page = defaultdict(list), defaultdict(list)
    for (kind, page), ms in stats.times.items():
        by_kind[kind] += ms
        if kind != "crafted value":
            by_page[page] += ms
    every = [m for ms in by_kind.values() for m in ms]
    if not every:
        print("no actions completed")
        return
    line = "{:26s} {:>6} {:>9} {:>9} {:>9}"
    print(line.format("", "n", "p50 ms", "p95 ms", "max ms"))
    print(line.format("all actions", len(every), f"{_p(every, 0.5):.0f}", f"{_p(every, 0.95):.0f}", f"{max(every):.0f}"))
    for title, groups in (("by kind", by_kind), ("by page", by_page)):
        print(f"-- {title}")
        for k, ms in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(line.format(k, len(ms), f"{_p(ms, 0.5):.0f}", f"{_p(ms, 0.95):.0f}", f"{max(ms):.0f}"))
    if stats.first_loss:
        print(f"Train click -> first loss point on the page: median {statistics.median(stats.first_loss):.2f} s, "
              f"max {max(stats.first_loss):.2f} s over {len(stats.first_loss)} jobs")  # fmt: skip
    print(f"models trained: {stats.trained}; Train clicks the server refused: {stats.refused}")
    print(f"st.error messages shown: {stats.errors}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench load", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--duration", type=float, default=60, help="seconds of class")
    p.add_argument("--url", help="a running app (or its balancer); default: start one here")
    p.add_argument("--pid", type=int, action="append", default=[], help="with --url: processes whose RSS to report")
    p.add_argument("--train-share", type=float, default=0.1, help="the share of students who train a model")
    p.add_argument("--crafted", type=float, default=0.05, help="the share of actions sending values no widget allows")
    p.add_argument("--ramp", type=float, default=10, help="seconds over which the students arrive")
    p.add_argument("--extra", type=int, default=0, help="then this many more students, for the memory one session costs")
    p.add_argument("--cpu-reps", type=int, default=0, help="then server CPU ms per rerun of each page, over this many reruns")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    if not (1 <= a.sessions <= 1000 and 1 <= a.duration <= 3600):
        p.error("--sessions must be in [1, 1000] and --duration in [1, 3600] seconds")
    if a.url:
        return asyncio.run(run(a, a.url.rstrip("/"), a.pid))
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = server.start(Path(tmp) / "server.log")
        try:
            asyncio.run(warm(url))
            return asyncio.run(run(a, url, [proc.pid]))
        finally:
            server.stop(proc)


if __name__ == "__main__":
    sys.exit(main())
