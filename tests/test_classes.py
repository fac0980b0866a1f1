"""Classes in the store (aeviz.store.classes): codes, joining, each student's point of the sweep, the
teacher's controls, the board's one bounded query, and ending a class. On SQLite and (slow) PostgreSQL
(the `store` fixture, tests/conftest.py)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from aeviz import presets
from aeviz.store import classes as book
from aeviz.store import person_key, schema

TEACHER = "person:teacher"


def _open(store, param="latent", lo=2.0, hi=64.0, preset="one-layer-2"):
    return book.open_class(store, TEACHER, dataset="mnist", preset=preset, param=param, lo=lo, hi=hi, max_classes=5)


def test_a_class_has_a_readable_code_and_a_teacher_link_kept_as_a_hash(store):
    c, token = _open(store)
    assert len(c.code) == 6 and set(c.code) <= set(book.ALPHABET) and not set(c.code) & set("IL0O1")
    assert book.by_teacher_token(store, token).id == c.id
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("select teacher from classes").scalar()
    assert token not in stored and len(stored) == 64
    with pytest.raises(book.ClassError, match="teacher link opens no class"):
        book.by_teacher_token(store, token[:-2] + "xx")
    assert book.taught_by(store, TEACHER).id == c.id


def test_students_join_get_nicknames_and_values_spread_over_the_range(store):
    c, _ = _open(store, "latent", 2, 64)
    joined = [book.join(store, c.code.lower(), f"person:s{i}", max_students=30)[1] for i in range(9)]
    values = [m.value for m in joined]
    assert values[:3] == [2.0, 64.0, 33.0] and len(set(values)) == 9 and all(2 <= v <= 64 and v == int(v) for v in values)
    assert len({m.nickname for m in joined}) == 9 and all(len(m.nickname.split()) >= 2 for m in joined)
    again = book.join(store, c.code, "person:s0", max_students=30)[1]
    assert again.nickname == joined[0].nickname and again.value == 2.0, "joining twice is the same membership"
    beta, _ = _open(store, "beta", 0.1, 10.0, preset="vae-2d")
    v = [book.join(store, beta.code, f"person:b{i}", max_students=30)[1].value for i in range(3)]
    assert v == [0.1, 10.0, 1.0], "a scale is spread on a log scale"


def test_wrong_codes_locked_full_and_removed_are_told(store):
    c, _ = _open(store)
    for code, message in (("abc", "6 letters"), ("ZZZZZZ", "no class has the code")):
        with pytest.raises(book.ClassError, match=message):
            book.join(store, code, "person:x", max_students=30)
    old = c.code
    book.rotate_code(store, c.id)
    with pytest.raises(book.ClassError, match="no class has the code"):
        book.join(store, old, "person:x", max_students=30)
    c = book.get(store, c.id)
    book.join(store, c.code, "person:a", max_students=2)
    book.join(store, c.code, "person:b", max_students=2)
    with pytest.raises(book.ClassError, match="the most a class takes"):
        book.join(store, c.code, "person:c", max_students=2)
    book.set_flags(store, c.id, locked=True)
    with pytest.raises(book.ClassError, match="not taking new students"):
        book.join(store, c.code, "person:d", max_students=30)
    book.remove(store, c.id, person_key("person:a"))
    with pytest.raises(book.ClassError, match="removed you"):
        book.join(store, c.code, "person:a", max_students=30)
    assert book.membership(store, "person:a") is None and book.membership(store, "person:b")[0].id == c.id


def test_an_assignment_that_makes_no_sense_is_refused(store):
    for param, lo, hi, message in (("latent", 64, 2, "smaller number"), ("beta", 0, 1, "above 0"),
                                   ("epochs", 1, 10_000, "within"), ("dropout", 0, 1, "can sweep")):  # fmt: skip
        with pytest.raises(book.ClassError, match=message):
            _open(store, param, lo, hi)
    with pytest.raises(ValueError, match="no β"):
        presets.for_assignment("one-layer-2", "beta", 1.0)
    with pytest.raises(ValueError, match="feature maps"):
        presets.for_assignment("conv", "latent", 8)
    dataset, model, train = presets.for_assignment("one-layer-2", "latent", 10.0)
    assert (dataset, model.latent, train.epochs) == ("mnist", 10, presets.PRESETS["one-layer-2"].train.epochs)


def test_the_board_shows_shared_models_newest_first_bounded_and_ending_deletes_them(store):
    c, _ = _open(store)
    for i in range(4):
        who = f"person:s{i}"
        _, me = book.join(store, c.code, who, max_students=30)
        store.save_model(who, f"yours-{i}", title="mlp", dataset="mnist", config={"family": "mlp", "latent": int(me.value)},
                         metrics={"mse": 0.05 - i / 100}, blob=f"w{i}".encode(), history=[1.0, 0.5])  # fmt: skip
        book.add_model(store, c.id, who, f"yours-{i}", me.value)
        time.sleep(0.01)
    book.set_shared(store, "person:s3", "yours-3", False)
    cards = book.cards(store, c.id, limit=2)
    assert [k.name for k in cards] == ["yours-2", "yours-1"], "newest first, unshared left out, at most the limit"
    assert cards[0].history == [1.0, 0.5] and cards[0].nickname
    book.remove(store, c.id, person_key("person:s2"))
    assert [k.name for k in book.cards(store, c.id, limit=10)] == ["yours-1", "yours-0"]
    shas = book.end(store, c.id)
    store.drop_unused(shas)
    assert book.cards(store, c.id, limit=10) == [] and book.members(store, c.id) == []
    assert store.models("person:s0") == [] and not store.blobs.exists(shas[0])
    assert store.models("person:s3") == [], "the class's models go with it, shared or not"
    with pytest.raises(book.ClassError, match="no class has the code"):
        book.join(store, c.code, "person:new", max_students=30)
    assert book.sweep_ended(store, retention_days=14, now=time.time() + 15 * 86400) == 1
    assert book.get(store, c.id) is None


def _taught(store, n: int) -> list:
    """n classes, each with a student in it."""
    made = [_open(store)[0] for _ in range(n)]
    for k, c in enumerate(made):
        book.join(store, c.code, f"person:student{k}", max_students=30, max_classes=5)
    return made


def test_a_server_teaches_at_most_so_many_classes_at_once(store):
    _taught(store, 5)
    with pytest.raises(book.ClassError, match="teaching 5 classes"):
        _open(store)


def test_classes_opened_before_their_students_come_are_held_to_the_cap_at_their_first_join(store):
    """Seven teachers open at once, before any student joins: all open, and five are taught."""
    opened = [_open(store)[0] for _ in range(7)]
    for k, c in enumerate(opened[:5]):
        book.join(store, c.code, f"person:s{k}", max_students=30, max_classes=5)
    with pytest.raises(book.ClassError, match="teaching 5 classes, its most: your class opens to students when"):
        book.join(store, opened[5].code, "person:s5", max_students=30, max_classes=5)
    book.join(store, opened[0].code, "person:s6", max_students=30, max_classes=5)  # a taught class takes more
    book.end(store, opened[1].id)
    _, me = book.join(store, opened[5].code, "person:s5", max_students=30, max_classes=5)  # one ended: a place
    assert not me.removed and me.nickname


def test_classes_nobody_joined_do_not_fill_the_server_but_a_flood_of_them_is_refused(store):
    """A curious student's click on Open a class costs a row, not a class's place; 50 in an hour are
    refused, ended ones too (opening and ending in a loop is a flood as well)."""
    _taught(store, 3)
    for k in range(46):  # empty: never counted as taught
        made, _ = _open(store)
        if k % 2:
            book.end(store, made.id)
    _taught(store, 1)  # the fourth taught class still opens
    with pytest.raises(book.ClassError, match="50 classes were opened on this server in the last hour"):
        _open(store)


def test_classes_left_open_past_a_day_stop_counting_against_the_cap(store):
    """Teachers who never press End class must not fill the server for the retention's 14 days."""
    forgotten = _taught(store, 5)
    c = schema.classes
    with store.engine.begin() as conn:  # opened two days ago, never ended
        conn.execute(sa.update(c).where(c.c.id.in_([k.id for k in forgotten])).values(created=time.time() - 2 * 86400))
    fresh = _taught(store, 5)
    assert book.get(store, fresh[0].id).ended is None and book.get(store, forgotten[0].id).ended is None
    with pytest.raises(book.ClassError, match="teaching 5 classes"):  # five taught today: the cap holds for them
        _open(store)
