"""Classes: a teacher opens one (no account), students join with a 6-character code, each gets a
two-word nickname and their own point of the class's sweep (one hyper-parameter over a range), and
the models they train for it are shared on the teacher's board.

Torch-free, on a `Store`'s engine. Who is who is by hash only: the teacher link's token and each
student's resume token are stored as SHA-256. Every refusal is a `ClassError` a student can read.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from aeviz.store import ModelRecord, Store, person_key, schema

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I/1, L, O/0: read off a projector without mistakes
CODE_LENGTH = 6
MAX_RESPINS = 3
# the hyper-parameters a class sweeps: (field, where it lives, on a log scale, whole numbers, the bounds any value must keep)
PARAMS = {
    "latent": ("code size", "model", False, True, (1, 1024)),
    "beta": ("β", "model", True, False, (1e-4, 100.0)),
    "rho": ("ρ", "model", True, False, (1e-3, 0.5)),
    "noise_level": ("noise level", "model", False, False, (0.0, 1.0)),
    "epochs": ("epochs", "train", False, True, (1, 50)),
    "lr": ("learning rate", "train", True, False, (1e-5, 1.0)),
}
ADJECTIVES = ("amber", "brave", "calm", "clever", "cosmic", "daring", "eager", "fuzzy", "gentle", "golden", "happy",
              "jolly", "kind", "lively", "lucky", "mellow", "merry", "nimble", "polite", "quick", "quiet", "rapid",
              "shiny", "silver", "sunny", "swift", "tidy", "vivid", "witty", "zesty")  # fmt: skip
ANIMALS = ("badger", "beaver", "bison", "crane", "dolphin", "falcon", "ferret", "gecko", "heron", "ibis", "koala",
           "lemur", "lynx", "marten", "narwhal", "ocelot", "otter", "panda", "puffin", "quokka", "raven", "seal",
           "stoat", "tapir", "toucan", "walrus", "wombat", "yak", "zebra", "orca")  # fmt: skip


class ClassError(ValueError):
    """A code, a link or an assignment the class cannot take; the message is for the student or teacher."""


@dataclass(frozen=True)
class Class:
    id: str
    code: str | None
    dataset: str
    preset: str
    param: str
    lo: float
    hi: float
    locked: bool
    paused: bool
    created: float
    ended: float | None


@dataclass(frozen=True)
class Member:
    person: str  # the hash
    nickname: str
    value: float
    respins: int
    removed: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """What a student typed, as a code: upper case, spaces and dashes out."""
    return "".join(ch for ch in str(text).upper() if ch not in " -")[:20]


def check_range(param: str, lo: float, hi: float) -> None:
    if param not in PARAMS:
        raise ClassError(f"the class can sweep {', '.join(PARAMS)}; not {param!r}")
    name, _, log, _whole, (floor, ceiling) = PARAMS[param]
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ClassError(f"the range of {name} must go from a smaller number to a larger one")
    if log and lo <= 0:
        raise ClassError(f"{name} is a scale: its range must be above 0")
    if lo < floor or hi > ceiling:
        raise ClassError(f"{name} must stay within {floor:g} … {ceiling:g}")


def value_for(param: str, lo: float, hi: float, slot: int) -> float:
    """The `slot`-th student's value: spread over the range as students arrive (the van der Corput
    sequence: 1/2, 1/4, 3/4, 1/8 …, after both ends), on a log scale for a scale, whole for a count."""
    _, _, log, whole, _ = PARAMS[param]
    if slot == 0:
        f = 0.0
    elif slot == 1:
        f = 1.0
    else:
        n, f, base = slot - 1, 0.0, 0.5
        while n:
            f, n, base = f + base * (n & 1), n >> 1, base / 2
    v = math.exp(math.log(lo) + f * (math.log(hi) - math.log(lo))) if log else lo + f * (hi - lo)
    return float(round(v)) if whole else float(f"{v:.3g}")


def _class(row) -> Class:
    return Class(row.id, row.code, row.dataset, row.preset, row.param, row.lo, row.hi, bool(row.locked), bool(row.paused),
                 row.created, row.ended)  # fmt: skip


def open_class(store: Store, teacher_person: str, *, dataset: str, preset: str, param: str, lo: float, hi: float,
               max_classes: int, class_hours: float = 24.0) -> tuple[Class, str]:  # fmt: skip
    """A new class, and its teacher link's token (shown once; only its hash is kept).

    The cap counts the classes being taught: open, opened in the last `class_hours`, with a student in
    them. A class nobody joined (a curious student's click on Open, a bench's) or one its teacher forgot
    to end stops counting then, so neither fills a server for the retention's days; what is left of
    both is deleted with the ended ones. Empty classes have a cap of their own, ten times larger, per
    hour: opening them costs a row each, and a script must not add them without end."""
    check_range(param, lo, hi)
    if (n := _taught(store, class_hours)) >= max_classes:
        raise ClassError(f"this server is teaching {n} classes (opened in the last {class_hours:g} h), "
                         "its most: end one first, or try again later")  # fmt: skip
    c = schema.classes
    recent = sa.select(sa.func.count()).select_from(c).where(c.c.created >= time.time() - 3600)  # ended ones too
    if (n := store._guard(store._scalar, recent)) >= 10 * max_classes:
        raise ClassError(f"{n} classes were opened on this server in the last hour, its most: try again later")
    token = secrets.token_urlsafe(16)
    for _ in range(10):  # a code taken already (1 in 900 million per open class): another
        row = dict(id=secrets.token_hex(16), code=new_code(), teacher=_hash(token), teacher_person=person_key(teacher_person),
                   dataset=dataset, preset=preset, param=param, lo=lo, hi=hi, locked=0, paused=0,
                   created=time.time())  # fmt: skip
        try:
            store._guard(_insert, store, schema.classes, row)
            return get(store, row["id"]), token
        except IntegrityError:
            continue
    raise ClassError("no free code: try again")


def _taught(store: Store, class_hours: float) -> int:
    """Classes being taught: open, opened in the last `class_hours`, with a student in them."""
    c, m = schema.classes, schema.members
    query = sa.select(sa.func.count()).select_from(c).where(
        c.c.ended.is_(None), c.c.created >= time.time() - class_hours * 3600,
        sa.exists().where(m.c.class_id == c.c.id, m.c.removed == 0))  # fmt: skip
    return store._guard(store._scalar, query)


def _insert(store: Store, table, row: dict) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.insert(table).values(**row))


def get(store: Store, class_id: str) -> Class | None:
    rows = store._guard(store._rows, sa.select(schema.classes).where(schema.classes.c.id == class_id))
    return _class(rows[0]) if rows else None


def by_teacher_token(store: Store, token: str) -> Class:
    rows = store._guard(store._rows, sa.select(schema.classes).where(schema.classes.c.teacher == _hash(str(token)[:100])))
    if not rows or rows[0].ended is not None:
        raise ClassError("this teacher link opens no class (it was changed, or the class has ended)")
    return _class(rows[0])


def taught_by(store: Store, person: str) -> Class | None:
    """The open class this person opened (their own tabs are the teacher's)."""
    t = schema.classes
    query = sa.select(t).where(t.c.teacher_person == person_key(person), t.c.ended.is_(None)).order_by(t.c.created.desc())
    rows = store._guard(store._rows, query.limit(1))
    return _class(rows[0]) if rows else None


def _update(store: Store, class_id: str, **values) -> None:
    def run() -> None:
        with store.engine.begin() as conn:
            conn.execute(sa.update(schema.classes).where(schema.classes.c.id == class_id).values(**values))

    store._guard(run)


def rotate_code(store: Store, class_id: str) -> str:
    for _ in range(10):
        code = new_code()
        try:
            _update(store, class_id, code=code)
            return code
        except IntegrityError:
            continue
    raise ClassError("no free code: try again")


def set_flags(store: Store, class_id: str, *, locked: bool | None = None, paused: bool | None = None) -> None:
    values = {k: int(v) for k, v in (("locked", locked), ("paused", paused)) if v is not None}
    if values:
        _update(store, class_id, **values)


def set_assignment(store: Store, class_id: str, *, preset: str, param: str, lo: float, hi: float) -> None:
    """A new assignment: every member's value is spread over the new range again, in the order they joined."""
    check_range(param, lo, hi)

    def run() -> None:
        with store.engine.begin() as conn:
            conn.execute(sa.update(schema.classes).where(schema.classes.c.id == class_id)
                         .values(preset=preset, param=param, lo=lo, hi=hi))  # fmt: skip
            m = schema.members
            for r in conn.execute(sa.select(m.c.person, m.c.slot).where(m.c.class_id == class_id)):
                conn.execute(sa.update(m).where(m.c.class_id == class_id, m.c.person == r.person)
                             .values(value=value_for(param, lo, hi, r.slot)))  # fmt: skip

    store._guard(run)


def _nickname(taken: set[str]) -> str:
    for _ in range(50):
        name = f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)}"
        if name not in taken:
            return name
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)} {secrets.randbelow(100)}"


def join(store: Store, code: str, person: str, *, max_students: int, max_classes: int | None = None,
         class_hours: float = 24.0) -> tuple[Class, Member]:  # fmt: skip
    """A student joins the class of `code` (or is in it already); ClassError says why not. The first
    student makes a class taught: with `max_classes`, not past the server's cap (classes opened at
    once, before any student joined, are all let open: the cap holds here)."""
    code = normal_code(code)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise ClassError(f"a class code is {CODE_LENGTH} letters and digits, like {new_code()}")
    rows = store._guard(store._rows, sa.select(schema.classes).where(schema.classes.c.code == code))
    if not rows or rows[0].ended is not None:
        raise ClassError(f"no class has the code {code}: it may have changed, or the class has ended; ask your teacher")
    c = _class(rows[0])
    me = member(store, c.id, person)
    if me is not None:
        if me.removed:
            raise ClassError("your teacher removed you from this class")
        return c, me
    if c.locked:
        raise ClassError("this class is not taking new students now; ask your teacher")
    m = schema.members
    for _ in range(5):  # two students joining at once may take the same slot: the second tries the next
        existing = store._guard(store._rows, sa.select(m.c.slot, m.c.nickname).where(m.c.class_id == c.id))
        if len(existing) >= max_students:
            raise ClassError(f"this class has {len(existing)} students, the most a class takes")
        if not existing and max_classes is not None and (n := _taught(store, class_hours)) >= max_classes:
            raise ClassError(f"this server is teaching {n} classes, its most: your class opens to students when one "
                             "of them ends; ask your teacher")  # fmt: skip
        slot = len(existing)
        row = dict(class_id=c.id, person=person_key(person), nickname=_nickname({r.nickname for r in existing}),
                   value=value_for(c.param, c.lo, c.hi, slot), slot=slot, respins=0, removed=0, joined=time.time())  # fmt: skip
        try:
            store._guard(_insert, store, m, row)
            store.touch(person)
            return c, member(store, c.id, person)
        except IntegrityError:
            if (me := member(store, c.id, person)) is not None:
                return c, me
    raise ClassError("too many students joined at once: try again")


def member(store: Store, class_id: str, person: str) -> Member | None:
    m = schema.members
    rows = store._guard(store._rows, sa.select(m).where(m.c.class_id == class_id, m.c.person == person_key(person)))
    return Member(rows[0].person, rows[0].nickname, rows[0].value, rows[0].respins, bool(rows[0].removed)) if rows else None


def membership(store: Store, person: str) -> tuple[Class, Member] | None:
    """The open class this person is in (the latest they joined), if any."""
    m, c = schema.members, schema.classes
    query = (sa.select(m, c.c.ended).join(c, c.c.id == m.c.class_id)
             .where(m.c.person == person_key(person), m.c.removed == 0, c.c.ended.is_(None))
             .order_by(m.c.joined.desc()).limit(1))  # fmt: skip
    rows = store._guard(store._rows, query)
    if not rows:
        return None
    r = rows[0]
    return get(store, r.class_id), Member(r.person, r.nickname, r.value, r.respins, False)


def respin(store: Store, class_id: str, person: str) -> str:
    me = member(store, class_id, person)
    if me is None:
        raise ClassError("you are not in this class")
    if me.respins >= MAX_RESPINS:
        raise ClassError(f"you have had {MAX_RESPINS} new nicknames: this one stays")
    taken = {r.nickname for r in members(store, class_id)}
    name = _nickname(taken)

    def run() -> None:
        m = schema.members
        with store.engine.begin() as conn:
            conn.execute(sa.update(m).where(m.c.class_id == class_id, m.c.person == me.person)
                         .values(nickname=name, respins=me.respins + 1))  # fmt: skip

    store._guard(run)
    return name


def set_value(store: Store, c: Class, person: str, value: float) -> float:
    """A student's own choice of their point of the sweep, within the class's range."""
    _, _, _, whole, _ = PARAMS[c.param]
    if not (math.isfinite(value) and c.lo <= value <= c.hi):
        raise ClassError(f"choose a value within {c.lo:g} … {c.hi:g}")
    value = float(round(value)) if whole else float(value)

    def run() -> None:
        m = schema.members
        with store.engine.begin() as conn:
            conn.execute(sa.update(m).where(m.c.class_id == c.id, m.c.person == person_key(person)).values(value=value))

    store._guard(run)
    return value


def members(store: Store, class_id: str) -> list[Member]:
    m = schema.members
    rows = store._guard(store._rows, sa.select(m).where(m.c.class_id == class_id).order_by(m.c.slot))
    return [Member(r.person, r.nickname, r.value, r.respins, bool(r.removed)) for r in rows]


def remove(store: Store, class_id: str, member_hash: str) -> None:
    """The teacher removes a student: their token no longer opens the class, and their cards leave the board."""

    def run() -> None:
        with store.engine.begin() as conn:
            m, cm = schema.members, schema.class_models
            conn.execute(sa.update(m).where(m.c.class_id == class_id, m.c.person == member_hash).values(removed=1))
            conn.execute(sa.delete(cm).where(cm.c.class_id == class_id, cm.c.person == member_hash))

    store._guard(run)


def add_model(store: Store, class_id: str, person: str, model: str, value: float, shared: bool = True) -> None:
    row = dict(model=model, class_id=class_id, person=person_key(person), value=value, shared=int(shared), created=time.time())
    with contextlib.suppress(IntegrityError):
        store._guard(_insert, store, schema.class_models, row)


def set_shared(store: Store, person: str, model: str, shared: bool) -> None:
    def run() -> None:
        cm = schema.class_models
        with store.engine.begin() as conn:
            conn.execute(sa.update(cm).where(cm.c.model == model, cm.c.person == person_key(person)).values(shared=int(shared)))

    store._guard(run)


def shared_of(store: Store, person: str) -> dict[str, bool]:
    """{model name: shared} for a person's models trained for a class."""
    cm = schema.class_models
    rows = store._guard(store._rows, sa.select(cm.c.model, cm.c.shared).where(cm.c.person == person_key(person)))
    return {r.model: bool(r.shared) for r in rows}


@dataclass(frozen=True)
class Card(ModelRecord):
    """A shared model on the board: the model, its student's nickname, their swept value."""

    nickname: str
    value: float


def cards(store: Store, class_id: str, limit: int) -> list[Card]:
    """The class's shared models, newest first, at most `limit`: one bounded query."""
    cm, m, mem = schema.class_models, schema.models, schema.members
    query = (sa.select(m, cm.c.value, mem.c.nickname)
             .join(m, m.c.name == cm.c.model)
             .join(mem, sa.and_(mem.c.class_id == cm.c.class_id, mem.c.person == cm.c.person))
             .where(cm.c.class_id == class_id, cm.c.shared == 1, mem.c.removed == 0)
             .order_by(cm.c.created.desc()).limit(limit))  # fmt: skip
    import json

    return [Card(r.name, r.title, r.dataset, json.loads(r.config), json.loads(r.metrics), json.loads(r.history), r.blob,
                 r.size, r.created, r.nickname, r.value) for r in store._guard(store._rows, query)]  # fmt: skip


def end(store: Store, class_id: str) -> list[str]:
    """End a class: its code and teacher link stop working first, then its members and the models
    trained for it are deleted; returns the blobs to delete (in the background: `store.drop_unused`)."""
    _update(store, class_id, code=None, teacher="ended-" + secrets.token_hex(8), ended=time.time())

    def run() -> list[str]:
        cm, m = schema.class_models, schema.models
        with store.engine.begin() as conn:
            names = [r.model for r in conn.execute(sa.select(cm.c.model).where(cm.c.class_id == class_id))]
            shas = [r.blob for r in conn.execute(sa.select(m.c.blob).where(m.c.name.in_(names)))] if names else []
            conn.execute(sa.delete(cm).where(cm.c.class_id == class_id))
            if names:
                conn.execute(sa.delete(m).where(m.c.name.in_(names)))
            conn.execute(sa.delete(schema.members).where(schema.members.c.class_id == class_id))
        return shas

    return store._guard(run)


def sweep_ended(store: Store, retention_days: float, now: float | None = None) -> int:
    """Delete what is left of classes ended (or opened and left) more than `retention_days` ago."""
    cutoff = (now or time.time()) - retention_days * 86400
    c = schema.classes
    old = [r.id for r in store._guard(store._rows, sa.select(c.c.id).where(
        sa.or_(c.c.ended < cutoff, sa.and_(c.c.ended.is_(None), c.c.created < cutoff))))]  # fmt: skip
    for class_id in old:
        store.drop_unused(end(store, class_id))

        def run(class_id=class_id) -> None:
            with store.engine.begin() as conn:
                conn.execute(sa.delete(c).where(c.c.id == class_id))

        store._guard(run)
    return len(old)
