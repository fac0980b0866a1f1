"""`python -m aeviz.bench load --sessions N --duration S [--url URL]`: a class of simulated students.

Each student is one Streamlit session driven over the websocket as the browser drives it
(aeviz.bench.wsclient): it thinks 1-5 s between actions, switches among all the pages and lessons,
moves any widget on the page it is on (the sidebar's Dataset and Model pickers, the share dialog and
presenter mode included), uploads drawings, checkpoints and zips, and opens share links
(aeviz.bench.students). One in ten trains a model on the Train page. One student tours every
widget of every page and lesson once. A few actions send values no widget allows (a crafted
client); with `--hostile N`, N more students send crafted files and links all the while (a 40-MP
one-bit PNG, a run-length BMP, a cut file, a checkpoint with a forged header, an .npz with twin
arrays, a zip of 40 huge pictures, a 100 KB latent vector, Markdown in a link): theirs is the
"hostile" row, kept out of the class's figures. Fragments that tick (a job's progress) rerun as in
the browser.

Printed: p50 / p95 / max per kind of action, per page and per widget (the slowest controls
named), the server's longest stall (its health check polled every 0.1 s by another process), the
exceptions seen, links that opened another page, RSS of the server and its workers, memory per
extra session, server CPU ms per rerun of each page, and the time from a Train click to the first
loss point on the page. `--json FILE` writes the same figures. Exits 1 on an exception, a link that
opened another page, or a student who sees another student's model.

`--persist-check`: after the class, every model every student trained must be in the store (its
database row and its blob) and come back in a new session carrying the student's cookie (a reload);
exits 1 if one does not. `--persist off` starts the server with `AEVIZ_DB_URL=off`, the baseline
persistence is measured against. A student keeps their cookie when they open a link (the same browser).

Without --url it starts the server as the README's one-machine command does (`streamlit run app.py`
in the project folder, so with its .streamlit/config.toml), on a loopback port, and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from aeviz.bench import classload, server, students
from aeviz.bench.classload import percentile
from aeviz.bench.wsclient import Student, StudentError
from aeviz.ui.identity import COOKIE

QUICK = "Lecture 002 · one layer, 2 latents"  # the preset a training student picks
LINK_SHARE = 0.03  # the share of actions that open a shared link in a new tab (the old one closes)
# values a crafted client sends past every widget's bounds: the page must answer with a message, not an exception
CRAFTED = {
    "Reconstructions": [("rec_n", {"double_array_value": [1e12]}), ("rec_view", {"string_array_value": ["<script>"]})],
    "Denoise": [("dn_seed", {"int_value": -(10**15)})],
    "VAE explorer": [("vae_image", {"int_value": 10**9})],
    "Latent space": [("lat_view", {"string_array_value": ["Decoded plane", "Codes"]})],
    "Train your own": [("tr_epochs", {"int_value": 10**9}), ("tr_lr", {"double_value": float("inf")})],
}


@dataclass
class Stats:
    # (kind, page, widget) -> ms; widget is "" for page switches and first loads
    times: dict[tuple[str, str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    exceptions: list[str] = field(default_factory=list)
    errors: int = 0
    first_loss: list[float] = field(default_factory=list)  # Train click -> first loss point on the page, s
    trained: int = 0
    refused: int = 0  # Train clicks the server refused (queue full, one job per student)
    own: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> tags of their models
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> tags in their picker
    failures: list[str] = field(default_factory=list)  # protocol failures (timeouts, closed sockets)
    replicas: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # behind HAProxy: students per replica
    links: int = 0
    wrong_page: list[str] = field(default_factory=list)  # links that opened another page than theirs
    toured: int = 0  # widgets the touring student moved
    cookies: dict[str, dict] = field(default_factory=dict)  # student -> their browser's cookies (the resume token)
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> tags they deleted
    per_student: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # student -> their actions' ms

    def record(self, kind: str, page: str, widget: str, result, who: str = "") -> None:
        if result is None:
            return
        self.times[(kind, page, widget)].append(result.elapsed_ms)
        if who:
            self.per_student[who].append(result.elapsed_ms)
        for e in result.exceptions:
            self.exceptions.append(f"{page} / {kind} {widget}: {e['type']}: {e['message'][:200]}")
        self.errors += len(result.errors)


def _tags(student: Student) -> set[str]:
    """The tags of '(yours)' models in this student's model picker (the title ends '· tag  (yours)')."""
    try:
        options = student.page.widget("model").options
    except StudentError:
        return set()
    return {o.rsplit("· ", 1)[1].split()[0] for o in options if o.endswith("(yours)") and "· " in o}


def _page_of(s: Student) -> str:
    return next((p.page_name for p in s.app_pages if p.page_script_hash == s.page_script_hash), "Overview")


async def _follow_link(url: str, s: Student, name: str, rng: random.Random, stats: Stats) -> Student:
    """The student opens a link the teacher shared, in place of the tab it had."""
    path, query = rng.choice(students.LINKS)
    await s.close()
    s, r, landed = await students.open_link(url, path, query, name, stats.cookies.get(name))
    stats.links += 1
    stats.record("share link", _page_of(s), "", r, name)
    if not landed:
        stats.wrong_page.append(f"{name}: /{path}?{query} opened {_page_of(s)}")
    return s


async def _act(s: Student, page: str, rng: random.Random, crafted: float, stats: Stats) -> None:
    """One action on the page the student is on: a page switch, a lesson, any widget, or a crafted value."""
    roll = rng.random()
    if roll < crafted and page in CRAFTED:
        key, raw = rng.choice(CRAFTED[page])
        with contextlib.suppress(StudentError):  # the widget is not on the page now (another view, another model)
            stats.record("crafted value", page, key, await s.set_widget(key, raw), s.name)
    elif roll < 0.35:
        target = rng.choice([p["title"] for p in s.pages() if p["title"] != page])
        stats.record("page switch", target, "", await s.switch_page(target), s.name)
    elif page == "Lessons" and roll < 0.5 and (lessons := students.lessons_of(s)):
        stats.record("widget change", page, "lesson", await s.set_widget("lesson", rng.choice(lessons)), s.name)
    else:
        widgets = [w for w in s.page.widgets if students.movable(w)]
        if widgets:
            w = rng.choice(widgets)
            if w.key and w.key.startswith("del_yours-"):  # the student deletes one of their models: not a loss
                stats.deleted[s.name] |= {w.key.removeprefix("del_yours-")[:6]}
            stats.record(students.kind_of(w), page, w.key or w.label, await students.move(s, w, rng), s.name)


async def _fiddle(s: Student, rng: random.Random, stats: Stats) -> None:
    """One change to a widget of the page (no click: no Train, Stop or Delete), as a student waiting for a job does."""
    widgets = [w for w in s.page.widgets if students.movable(w) and students.kind_of(w) == "widget change"]
    if widgets:
        w = rng.choice(widgets)
        with contextlib.suppress(StudentError):
            stats.record("widget change", _page_of(s), w.key or w.label, await students.move(s, w, rng), s.name)


async def student_life(i: int, url: str, until: float, trains: bool, crafted: float, stats: Stats, seed: int,
                       board: classload.Board | None = None) -> None:  # fmt: skip
    rng = random.Random(seed * 1000 + i)
    name = f"s{i}"
    s = Student(url, auto_reruns=True, timeout=120, name=name)
    try:
        if board is not None:  # a class: the student opens its join link, and trains the assignment first
            t0 = time.monotonic()
            s = await classload.join(url, name, board)
            stats.times[("first load", "Class", "")].append((time.monotonic() - t0) * 1000)
            stats.per_student[name].append((time.monotonic() - t0) * 1000)
            stats.cookies[name] = {k: v for k, v in s.cookies.items() if k == COOKIE}

            async def fiddle() -> None:  # what a student does on the Train page while their job runs
                await _fiddle(s, rng, stats)

            stats.own[name] |= await classload.train_assignment(s, name, board, _tags, until, fiddle, lambda: rng.uniform(1, 5))
        else:
            r = await s.connect()
            stats.record("first load", "Overview", "", r, name)
        stats.cookies[name] = {k: v for k, v in s.cookies.items() if k == COOKIE}
        if "SRV" in s.cookies:  # behind `aeviz serve`'s HAProxy: the replica this student is pinned to
            stats.replicas[s.cookies["SRV"]] += 1
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(1, 5))  # think time
            if time.monotonic() >= until:
                break
            if trains and not stats.own[name] and board is None:
                await train(s, stats, name, until)
            elif rng.random() < LINK_SHARE:  # the same browser: their models come along (the resume token)
                s = await _follow_link(url, s, name, rng, stats)
            else:
                with contextlib.suppress(StudentError):  # the widget left the page between the look and the move
                    await _act(s, _page_of(s), rng, crafted, stats)
            stats.seen[name] |= _tags(s)
    except (TimeoutError, StudentError, OSError) as e:
        stats.failures.append(f"{name}: {e}")
    finally:
        stats.seen[name] |= _tags(s)
        await s.close()


async def hostile_life(url: str, until: float, stats: Stats, seed: int) -> None:
    """A student who sends crafted files and links (aeviz.bench.students.hostile) while the class works."""
    try:
        async with Student(url, auto_reruns=True, timeout=120, name="hostile") as s:
            await students.hostile(s, stats.record, random.Random(seed), until)
    except (TimeoutError, StudentError, OSError) as e:
        stats.failures.append(f"hostile: {e}")


async def tour_life(url: str, stats: Stats) -> None:
    """One student who moves every widget of every page and lesson once, while the class works."""
    try:
        async with Student(url, auto_reruns=True, timeout=120, name="tour") as s:
            stats.toured = await students.tour(s, stats.record)
    except (TimeoutError, StudentError, OSError) as e:
        stats.failures.append(f"tour: {e}")


async def train(s: Student, stats: Stats, name: str, until: float) -> None:
    """Start a quick job on the Train page; time the click to the first loss point; wait for the model."""
    page = "Train your own"
    stats.record("page switch", page, "", await s.switch_page(page), name)
    stats.record("widget change", page, "tr_preset", await s.set_widget("tr_preset", QUICK), name)
    # 2 x 10,000 images: a few seconds of training, long enough to see the first loss points arrive
    stats.record("widget change", page, "tr_samples", await s.set_widget("tr_samples", 10_000), name)
    stats.record("widget change", page, "tr_epochs", await s.set_widget("tr_epochs", 2), name)
    before = _tags(s)
    t0 = time.monotonic()
    r = await s.click("tr_start")
    stats.record("train click", page, "tr_start", r, name)
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
    extra = [Student(url, name=f"x{i}") for i in range(n)]
    for s in extra:
        await s.connect()
        for page in s.pages():
            await s.switch_page(page["title"])
    return extra


async def cpu_per_page(url: str, pid: int, reps: int) -> dict[str, float]:
    """Server CPU ms per rerun of each page: one student, page after page, the server otherwise idle."""
    import psutil

    proc = psutil.Process(pid)
    out = {}
    async with Student(url, name="cpu") as s:
        for page in [p["title"] for p in s.pages()]:
            await s.switch_page(page)
            t = proc.cpu_times()
            for _ in range(reps):
                await s.rerun()
            t2 = proc.cpu_times()
            out[page] = 1000 * ((t2.user - t.user) + (t2.system - t.system)) / reps
    return out


async def _memory(a: argparse.Namespace, url: str, pids: list[int], baseline, peak) -> dict:
    """The server's memory over the class (and per extra session, and CPU per rerun, when asked)."""
    end = _rss(pids)
    print(f"RSS: server {baseline[0]:.0f} MB before the class, {peak[0]:.0f} MB at peak, {end[0]:.0f} MB at the end; "
          f"workers {baseline[1]:.0f} -> {peak[1]:.0f} MB at peak")  # fmt: skip
    # an upper bound: the caches the class filled (figures, codes of session models) count too
    print(f"memory per session: {(end[0] - baseline[0]) / a.sessions:.2f} MB (server RSS growth over the class / students)")
    if a.extra:
        before = _rss(pids)[0]
        extra = await extra_sessions(url, a.extra)
        per = (_rss(pids)[0] - before) / a.extra
        print(f"memory per extra session (server RSS, {a.extra} more students on every page): {per:.2f} MB")
        for s in extra:
            await s.close()
    if a.cpu_reps:
        cpu = await cpu_per_page(url, pids[0], a.cpu_reps)
        print("server CPU ms per rerun, one student on an idle server: " + ", ".join(f"{p} {ms:.1f}" for p, ms in cpu.items()))
    return {"before": round(baseline[0]), "peak": round(peak[0]), "end": round(end[0]), "workers_peak": round(peak[1])}


def _stall_poller(url: str, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aeviz.bench.stall", url, str(seconds)], stdout=subprocess.PIPE, text=True)


async def run(a: argparse.Namespace, url: str, pids: list[int]) -> int:
    stats = Stats()
    rng = random.Random(a.seed)
    n_train = max(1, round(a.train_share * a.sessions)) if a.train_share > 0 else 0
    trainers = set(rng.sample(range(a.sessions), n_train))
    baseline = _rss(pids) if pids else None
    t_start = time.monotonic()
    until = t_start + a.duration
    peak = [0.0, 0.0]
    poller = _stall_poller(url, a.duration)
    board = classload.Board() if a.klass else None
    teacher = await classload.open_class(url, board) if board is not None else None

    async def sample() -> None:
        while time.monotonic() < until:
            if pids:
                own, kids = _rss(pids)
                peak[0], peak[1] = max(peak[0], own), max(peak[1], kids)
            await asyncio.sleep(1)

    tasks = [asyncio.create_task(tour_life(url, stats))] if a.tour else []
    tasks += [asyncio.create_task(hostile_life(url, until, stats, a.seed + k)) for k in range(a.hostile)]
    for i in range(a.sessions):  # students arrive over the first seconds, as a class does
        await asyncio.sleep(min(a.ramp, a.duration / 4) / a.sessions)
        tasks.append(asyncio.create_task(student_life(i, url, until, i in trainers, a.crafted, stats, a.seed, board)))
    await asyncio.gather(sample(), *tasks)
    if teacher is not None:
        await asyncio.sleep(4)  # two more board refreshes: the last jobs' cards
        await classload.leave_board(teacher)  # the memory and CPU figures below are the class's, not the board's
    elapsed = time.monotonic() - t_start
    stall = json.loads(await asyncio.to_thread(lambda: poller.communicate(timeout=120)[0]) or "{}")

    leaks = []
    for name, seen in stats.seen.items():
        for other, tags in stats.own.items():
            if other != name and seen & tags:
                leaks.append(f"{name} sees {other}'s model(s) {sorted(seen & tags)}")

    print(f"\n{a.sessions} students for {elapsed:.0f} s against {url} ({n_train} training, think 1-5 s)")
    if stats.replicas:
        print("students per replica: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.replicas.items())))
    summary = report(stats)
    summary.update(students=a.sessions, seconds=round(elapsed), stall=stall, leaks=len(leaks))
    print(f"server stalls (health polled every 0.1 s, {stall.get('polls', 0)} polls): longest {stall.get('longest_s', 0):.2f} s, "
          f"{stall.get('over_1s', 0)} over 1 s, {stall.get('over_0_5s', 0)} over 0.5 s")  # fmt: skip
    if pids:
        summary["rss_mb"] = await _memory(a, url, pids, baseline, peak)
    print(f"exceptions: {len(stats.exceptions)}" + "".join(f"\n  {e}" for e in stats.exceptions[:20]))
    print(f"cross-session leaks: {len(leaks)}" + "".join(f"\n  {e}" for e in leaks[:20]))
    print(f"share links opened: {stats.links}; on another page than theirs: {len(stats.wrong_page)}"
          + "".join(f"\n  {e}" for e in stats.wrong_page[:10]))  # fmt: skip
    if stats.failures:
        print(f"protocol failures: {len(stats.failures)}" + "".join(f"\n  {e}" for e in stats.failures[:10]))
    lost = await persist_check(url, stats) if a.persist_check else []
    summary["lost"] = lost
    if teacher is not None:  # ended after the persist check: ending a class deletes the models trained for it
        await classload.end_class(teacher, board)
        await teacher.close()
        summary["class"] = classload.report(board, a.sessions)
    if a.json:
        Path(a.json).write_text(json.dumps(summary, indent=1))
    return 1 if stats.exceptions or leaks or stats.wrong_page or lost else 0


async def persist_check(url: str, stats: Stats) -> list[str]:
    """Every model a student trained: in the store (row and blob), and back for them in a new session
    with their cookie. Returns what was lost."""
    from aeviz.store import open_store

    store = open_store()
    lost, checked = [], 0
    if store is None:
        print("persist check: persistence is off (AEVIZ_DB_URL=off)")
        return ["persistence is off"]
    for name, tags in stats.own.items():
        tags = tags - stats.deleted[name]  # what the student deleted themselves is meant to be gone
        if not tags:
            continue
        token = (stats.cookies.get(name) or {}).get(COOKIE, "").split(".")[0]
        rows = {r.name.removeprefix("yours-")[:6]: r for r in store.models(f"person:{token}")}
        for tag in tags:
            checked += 1
            if tag not in rows or not store.blobs.exists(rows[tag].blob):
                lost.append(f"{name}: model {tag} not in the store")
        s = Student(url, timeout=120, name=f"{name}-again")
        s.cookies.update(stats.cookies.get(name) or {})
        try:
            await s.connect()
            back = _tags(s)
        finally:
            await s.close()
        lost += [f"{name}: model {tag} did not come back after a reload" for tag in tags - back]
    deleted = sum(len(t) for t in stats.deleted.values())
    print(f"persist check: {checked} models of {sum(1 for t in stats.own.values() if t)} students ({deleted} deleted by "
          f"their students, left out); lost: {len(lost)}"
          + "".join(f"\n  {e}" for e in lost[:10]))  # fmt: skip
    return lost


def _row(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": round(percentile(ms, 0.5)), "p95": round(percentile(ms, 0.95)), "max": round(max(ms))}


def report(stats: Stats) -> dict:
    """Print the latency tables; return them (and the counts) for --json."""
    by_kind, by_page, by_widget = defaultdict(list), defaultdict(list), defaultdict(list)
    for (kind, page, widget), ms in stats.times.items():
        by_kind[kind] += ms
        if kind not in ("crafted value", "hostile"):  # the class's own actions; the hostile ones have their row
            by_page[page] += ms
            if widget:
                by_widget[f"{page} › {widget}"] += ms
    every = [m for k, ms in by_kind.items() if k != "hostile" for m in ms]
    out = {"all": _row(every) if every else None, "exceptions": stats.exceptions, "failures": stats.failures,
           "trained": stats.trained, "refused": stats.refused, "errors_shown": stats.errors, "links": stats.links,
           "wrong_page": stats.wrong_page, "toured": stats.toured,
           "first_loss_s": sorted(round(x, 2) for x in stats.first_loss)}  # fmt: skip
    if not every:
        print("no actions completed")
        return out
    line = "{:42s} {:>6} {:>9} {:>9} {:>9}"
    print(line.format("", "n", "p50 ms", "p95 ms", "max ms"))
    print(line.format("all actions", *_row(every).values()))
    if own := sorted(percentile(ms, 0.95) for ms in stats.per_student.values() if ms):
        out["per_student_p95_ms"] = {"students": len(own), "p50": round(percentile(own, 0.5)), "max": round(own[-1]),
                                     "over_1s": sum(v > 1000 for v in own)}  # fmt: skip
        print(f"each student's own p95: median {percentile(own, 0.5):.0f} ms, worst {own[-1]:.0f} ms; "
              f"{out['per_student_p95_ms']['over_1s']} of {len(own)} students over 1 s")  # fmt: skip
    widgets = {k: ms for k, ms in by_widget.items() if len(ms) >= 3}
    slowest = dict(sorted(widgets.items(), key=lambda kv: -percentile(kv[1], 0.95))[:15])
    tables = (("by kind", by_kind, None), ("by page", by_page, None), ("slowest controls (n ≥ 3)", slowest, 1))
    for title, groups, order in tables:
        print(f"-- {title}")
        rows = groups.items() if order else sorted(groups.items(), key=lambda kv: -len(kv[1]))
        for k, ms in rows:
            print(line.format(k[:42], *_row(ms).values()))
    out.update({name: {k: _row(ms) for k, ms in g.items()} for name, g in
                (("by_kind", by_kind), ("by_page", by_page), ("by_widget", by_widget))})  # fmt: skip
    print(f"widgets the touring student moved: {stats.toured}")
    if stats.first_loss:
        print(f"Train click -> first loss point on the page: median {statistics.median(stats.first_loss):.2f} s, "
              f"max {max(stats.first_loss):.2f} s over {len(stats.first_loss)} jobs")  # fmt: skip
    print(f"models trained: {stats.trained}; Train clicks the server refused: {stats.refused}")
    print(f"st.error messages shown: {stats.errors}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m aeviz.bench load", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--duration", type=float, default=60, help="seconds of class")
    p.add_argument("--url", help="a running app (or its balancer); default: start one as the README's command does")
    p.add_argument("--pid", type=int, action="append", default=[], help="with --url: processes whose RSS to report")
    p.add_argument("--train-share", type=float, default=0.1, help="the share of students who train a model")
    p.add_argument("--crafted", type=float, default=0.05, help="the share of actions sending values no widget allows")
    p.add_argument("--ramp", type=float, default=10, help="seconds over which the students arrive")
    p.add_argument("--no-tour", dest="tour", action="store_false", help="no student touring every widget")
    p.add_argument("--hostile", type=int, default=0, help="this many more students sending crafted files and links")
    p.add_argument("--extra", type=int, default=0, help="then this many more students, for the memory one session costs")
    p.add_argument("--cpu-reps", type=int, default=0, help="then server CPU ms per rerun of each page, over this many reruns")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--persist-check", action="store_true", help="then check every trained model is kept and comes back")
    p.add_argument("--client-nice", type=int, default=10, help="the simulated students' niceness (they share the server's cores)")
    p.add_argument("--class", dest="klass", action="store_true",
                   help="a class: a teacher keeps the board open, every student joins and trains the assignment")  # fmt: skip
    p.add_argument("--persist", choices=["on", "off"], default="on",
                   help="off: start the server with AEVIZ_DB_URL=off (the baseline without persistence)")  # fmt: skip
    a = p.parse_args(argv)
    if not (1 <= a.sessions <= 1000 and 1 <= a.duration <= 3600):
        p.error("--sessions must be in [1, 1000] and --duration in [1, 3600] seconds")
    if a.url:
        return asyncio.run(run(a, a.url.rstrip("/"), a.pid))
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = server.start(Path(tmp) / "server.log", env={"AEVIZ_DB_URL": "off"} if a.persist == "off" else None)
        # the simulated students below the server's priority: in a classroom their browsers run on their own
        # laptops, not on the server's cores (the server started above keeps its own priority)
        os.nice(a.client_nice)
        try:
            asyncio.run(warm(url))
            return asyncio.run(run(a, url, [proc.pid]))
        finally:
            server.stop(proc)


if __name__ == "__main__":
    sys.exit(main())
