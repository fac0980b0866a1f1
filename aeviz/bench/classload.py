"""`python -m aeviz.bench load --class`: the class as one experiment. A teacher opens a class from the
Class page (the assignment: lecture 002's one-layer AE, code size 2 … 64) and keeps the Class board open
(its fragment refreshes every second, as in the browser); every student joins by the class's link and trains
the assignment with their own value, then goes on using the app as in the plain bench.

Reported besides the plain bench's figures: the board's refresh latency (each timed fragment run), and the
time from a job's end (its model on its student's page) to its card on the board.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from aeviz.bench.wsclient import RunResult, Student, StudentError

NICKNAME = re.compile(r"You are \*\*(.+?)\*\*")


def percentile(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]


@dataclass
class Board:
    code: str = ""
    refresh_ms: list[float] = field(default_factory=list)
    nicknames: dict[str, str] = field(default_factory=dict)  # student -> nickname
    done: dict[str, float] = field(default_factory=dict)  # student -> when their model reached their page
    carded: dict[str, float] = field(default_factory=dict)  # student -> when their card reached the board
    failures: list[str] = field(default_factory=list)

    def seen(self, teacher: Student, r: RunResult) -> None:
        """After each board refresh: its time, and which students' cards are on it now."""
        self.refresh_ms.append(r.elapsed_ms)
        text = " ".join(teacher.page.texts())
        now = time.monotonic()
        for name, nick in self.nicknames.items():
            if name not in self.carded and f"**{nick}**" in text:
                self.carded[name] = now

    def delays(self) -> list[float]:
        return sorted(self.carded[n] - self.done[n] for n in self.done if n in self.carded)


async def open_class(url: str, board: Board) -> Student:
    """The teacher's session: the class opened from the Class page, the board open on its cards."""
    t = Student(url, auto_reruns=True, timeout=120, name="teacher")
    await t.connect()
    await t.switch_page("Class")
    r = await t.click("cl_open")
    if r.errors:
        raise StudentError(f"the class did not open: {r.errors}")
    await t.switch_page("Class board")
    found = re.search(r"Class ([A-Z2-9]{6}) ", " ".join(t.page.texts()))
    if found is None:
        raise StudentError("no class code on the board")
    board.code = found.group(1)
    await t.set_widget("bd_view", "Cards")
    t.on_auto_rerun = lambda r: board.seen(t, r)
    return t


async def leave_board(t: Student) -> None:
    """The teacher goes to a page that does not refresh by itself: the board's figures end here."""
    t.on_auto_rerun = None
    await t.switch_page("Overview")


async def end_class(t: Student, board: Board) -> None:
    """The teacher ends the class, as at the end of a lesson: a bench leaves no class open behind it
    (each counts against the server's open classes for a day). A failure is reported, not raised."""
    await t.switch_page("Class board")
    await t.click("bd_end_ask")
    r = await t.click("bd_end")
    if r.errors or any(board.code in text for text in t.page.texts()):
        board.failures.append(f"teacher: the class did not end: {r.errors or t.page.texts()[:3]}")


async def join(url: str, name: str, board: Board) -> Student:
    """A student opening the class's join link (its QR code)."""
    s = Student(url, page="class", query_string=f"join={board.code}", auto_reruns=True, timeout=120, name=name)
    await s.connect()
    found = NICKNAME.search(" ".join(s.page.texts()))
    if found is None:
        raise StudentError(f"{name} did not join: {s.page.texts()[:3]}")
    board.nicknames[name] = found.group(1)
    return s


async def train_assignment(s: Student, name: str, board: Board, tags, until: float, busy=None, think=None) -> set[str]:
    """One click on the Train page, then `busy()` every `think()` seconds (the student goes on using the
    page) until the model arrives (its tag in the picker): the new tags."""
    await s.switch_page("Train your own")
    before = tags(s)
    while True:
        r = await s.click("tr_assignment")
        if not any("queue is full" in e for e in r.errors):
            break
        if time.monotonic() > until:  # as a student would: try again in a little while, until the class ends
            board.failures.append(f"{name}: the queue stayed full")
            return set()
        await asyncio.sleep(10)
    if any("Can't start" in e for e in r.errors):
        board.failures.append(f"{name}: {r.errors}")
        return set()
    deadline = max(until, time.monotonic()) + 600
    next_act = time.monotonic() + (think() if think else 0)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        if mine := tags(s) - before:
            board.done[name] = time.monotonic()
            return mine
        if busy is not None and time.monotonic() >= next_act and time.monotonic() < until:
            await busy()
            if mine := tags(s) - before:  # the job ended during the action: its rerun brought the model
                board.done[name] = time.monotonic()
                return mine
            next_act = time.monotonic() + think()
    board.failures.append(f"{name}: the assignment did not finish")
    return set()


def _summary(values: list[float], digits: int) -> dict:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "max": None}
    return {"n": len(values), "p50": round(percentile(values, 0.5), digits or None),
            "p95": round(percentile(values, 0.95), digits or None), "max": round(max(values), digits or None)}  # fmt: skip


def report(board: Board, students: int) -> dict:
    delays = board.delays()
    out = {
        "code": board.code,
        "joined": len(board.nicknames),
        "trained": len(board.done),
        "carded": len(board.carded),
        "board_refresh_ms": _summary(board.refresh_ms, 0),
        "job_end_to_card_s": _summary(delays, 2),
    }
    print(f"class {board.code}: {len(board.nicknames)} of {students} students joined, {len(board.done)} trained the "
          f"assignment, {len(board.carded)} cards seen on the board")  # fmt: skip
    r, d = out["board_refresh_ms"], out["job_end_to_card_s"]
    print(f"board refresh (every second): p50 {r['p50']} ms, p95 {r['p95']} ms over {r['n']} refreshes")
    print(f"job end -> its card on the board: p50 {d['p50']} s, p95 {d['p95']} s, max {d['max']} s over {d['n']} jobs")
    if board.failures:
        print(f"class failures: {len(board.failures)}" + "".join(f"\n  {e}" for e in board.failures[:10]))
    return out
