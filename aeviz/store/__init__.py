"""What students make, kept past their session: metadata in a database (SQLAlchemy: SQLite by
default, PostgreSQL at scale), blobs in a content-addressed store (fsspec: a folder, or S3).

Torch-free and Streamlit-free. The UI reads a person's work from here when their session starts,
and the training service writes a finished job's model here, so it is kept even when its student
has gone. Every failure of the database or the blob store is a `StoreUnavailable` with a message a
student can read: the app then goes on in memory.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from aeviz.store import schema
from aeviz.store.blobs import Blobs
from aeviz.store.settings import Settings, home

__all__ = ["ModelRecord", "Store", "StoreUnavailable", "home", "open_store", "person_key", "upgrade"]

HISTORY_POINTS = 200  # a loss curve kept with its model: enough for the plot, small in the database
JOB_ROWS = 10  # a person's recent jobs shown and kept


class StoreUnavailable(RuntimeError):
    """The database or the blob store cannot be reached or written: the message says which."""


def person_key(person: str) -> str:
    """What the database keeps of a resume token: its SHA-256, never the token."""
    return hashlib.sha256(person.encode()).hexdigest()


@dataclass(frozen=True)
class ModelRecord:
    name: str
    title: str
    dataset: str
    config: dict
    metrics: dict
    history: list
    blob: str
    size: int
    created: float


@dataclass(frozen=True)
class DatasetRecord:
    name: str
    title: str
    blob: str
    size: int
    created: float


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi, _record) -> None:
            # WAL: pages read while the service writes; the busy timeout waits for a writer instead of failing
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # in WAL mode a commit need not wait for the disk: a crash keeps the database whole, and a power
            # cut loses at most the last moments' writes (a class's joins and job records, not their blobs)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # a server restarted under us: pre-ping swaps a dead pooled connection for a new one
    # a server down is said within seconds, never a page hung on a connect
    connect = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=5, connect_args=connect)


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (Alembic): at start, and `python -m aeviz db upgrade`."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "aeviz.store:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _explain(e: Exception) -> str:
    if isinstance(e, SQLAlchemyError):
        return "the database is unavailable"
    if isinstance(e, PermissionError):
        return "the store cannot be written (permission denied)"
    if isinstance(e, OSError) and e.errno == 28:
        return "the store is full"
    return f"the store is unavailable ({type(e).__name__})"


class Store:
    def __init__(self, settings: Settings) -> None:
        assert settings.db_url is not None
        self.settings = settings
        self.engine = _engine(settings.db_url)
        self.blobs = Blobs(settings.store_url, settings.s3_endpoint)
        self._upgraded = threading.Lock()

    def upgrade(self) -> None:
        self._guard(upgrade, self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _guard(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreUnavailable:
            raise
        except (SQLAlchemyError, OSError) as e:
            raise StoreUnavailable(_explain(e)) from e

    # --- people --------------------------------------------------------------------------------------

    def touch(self, person: str, now: float | None = None) -> None:
        """Mark a person as seen (their work's expiry counts from here); creates them the first time."""
        self._guard(self._touch, person_key(person), now or time.time())

    def _touch(self, pid: str, now: float) -> None:
        with self.engine.begin() as conn:
            if conn.execute(sa.update(schema.people).where(schema.people.c.id == pid).values(last_seen=now)).rowcount:
                return
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(schema.people).values(id=pid, created=now, last_seen=now))
        except IntegrityError:  # another tab of the same person created the row first
            pass

    def known(self, person: str) -> bool:
        pid = person_key(person)
        return self._guard(self._scalar, sa.select(schema.people.c.id).where(schema.people.c.id == pid)) is not None

    def _scalar(self, query):
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def _rows(self, query) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(query))

    # --- models --------------------------------------------------------------------------------------

    def save_model(self, person: str, name: str, *, title: str, dataset: str, config: dict, metrics: dict,
                   blob: bytes, history: list | None = None) -> None:  # fmt: skip
        history = list(history or [])
        if len(history) > HISTORY_POINTS:
            history = history[:: -(-len(history) // HISTORY_POINTS)]
        sha = self._guard(self.blobs.put, blob)
        now = time.time()
        row = dict(name=name, person=person_key(person), title=title[:200], dataset=dataset, config=json.dumps(config),
                   metrics=json.dumps(metrics), history=json.dumps(history), blob=sha, size=len(blob), created=now)  # fmt: skip
        self._guard(self._touch, row["person"], now)
        self._guard(self._insert, schema.models, row)

    def _insert(self, table, row: dict) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(table).values(**row))
        except IntegrityError:  # kept already (the service saved it, then the page asked again)
            pass

    def models(self, person: str) -> list[ModelRecord]:
        t = schema.models
        rows = self._guard(self._rows, sa.select(t).where(t.c.person == person_key(person)).order_by(t.c.created))
        return [
            ModelRecord(
                r.name,
                r.title,
                r.dataset,
                json.loads(r.config),
                json.loads(r.metrics),
                json.loads(r.history),
                r.blob,
                r.size,
                r.created,
            )
            for r in rows
        ]

    def has_model(self, person: str, name: str) -> bool:
        t = schema.models
        query = sa.select(t.c.name).where(t.c.name == name, t.c.person == person_key(person))
        return self._guard(self._scalar, query) is not None

    def blob(self, sha: str) -> bytes:
        return self._guard(self.blobs.get, sha)

    def delete_model(self, person: str, name: str) -> None:
        self._delete(schema.models, schema.models.c.name == name, person)

    def _delete(self, table, where, person: str) -> None:
        def run() -> list[str]:
            with self.engine.begin() as conn:
                shas = [r.blob for r in conn.execute(sa.select(table.c.blob).where(where, table.c.person == person_key(person)))]
                conn.execute(sa.delete(table).where(where, table.c.person == person_key(person)))
            return shas

        self.drop_unused(self._guard(run))

    def drop_unused(self, shas) -> None:
        """Blobs no row refers to any more (content-addressed: another person may share one)."""
        for sha in set(shas):
            used = self._guard(self._scalar, sa.select(sa.func.count()).select_from(
                sa.union_all(sa.select(schema.models.c.blob).where(schema.models.c.blob == sha),
                             sa.select(schema.datasets.c.blob).where(schema.datasets.c.blob == sha)).subquery()))  # fmt: skip
            if not used:
                self._guard(self.blobs.delete, sha)

    def usage(self, person: str) -> tuple[int, int]:
        """(models, their checkpoint bytes) a person keeps: the caps are a person's, not a tab's."""
        t = schema.models
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(t.c.size), 0)).where(t.c.person == person_key(person))
        row = self._guard(self._rows, query)[0]
        return int(row[0]), int(row[1])

    # --- image sets ----------------------------------------------------------------------------------

    def save_dataset(self, person: str, name: str, *, title: str, blob: bytes) -> None:
        sha = self._guard(self.blobs.put, blob)
        now = time.time()
        row = dict(name=name, person=person_key(person), title=title[:200], blob=sha, size=len(blob), created=now)
        self._guard(self._touch, row["person"], now)
        self._guard(self._insert, schema.datasets, row)

    def datasets(self, person: str) -> list[DatasetRecord]:
        t = schema.datasets
        rows = self._guard(self._rows, sa.select(t).where(t.c.person == person_key(person)).order_by(t.c.created))
        return [DatasetRecord(r.name, r.title, r.blob, r.size, r.created) for r in rows]

    def delete_dataset(self, person: str, name: str) -> None:
        self._delete(schema.datasets, schema.datasets.c.name == name, person)

    # --- jobs ----------------------------------------------------------------------------------------

    def record_job(self, person: str, job_id: str, *, task: str, title: str, state: str,
                   model: str | None = None, error: str | None = None) -> None:  # fmt: skip
        pid, now = person_key(person), time.time()

        def run() -> None:
            t = schema.jobs
            values = dict(state=state, model=model, error=(error or None) and error[:500], updated=now)
            with self.engine.begin() as conn:
                if conn.execute(sa.update(t).where(t.c.id == job_id).values(**values)).rowcount:
                    return
            self._touch(pid, now)
            self._insert(t, dict(id=job_id, person=pid, task=task, title=title[:200], created=now, **values))
            with self.engine.begin() as conn:  # a person's recent jobs only: the oldest go
                old = conn.execute(sa.select(t.c.id).where(t.c.person == pid).order_by(t.c.created.desc()).offset(JOB_ROWS))
                if ids := [r.id for r in old]:
                    conn.execute(sa.delete(t).where(t.c.id.in_(ids)))

        self._guard(run)

    def jobs(self, person: str) -> list[dict[str, Any]]:
        t = schema.jobs
        query = sa.select(t).where(t.c.person == person_key(person)).order_by(t.c.created.desc()).limit(JOB_ROWS)
        return [dict(r._mapping) for r in self._guard(self._rows, query)]

    # --- expiry --------------------------------------------------------------------------------------

    def sweep(self, now: float | None = None) -> dict[str, int]:
        """Delete the work of everyone not seen for `AEVIZ_DROPIN_HOURS`: rows first, then their blobs."""
        cutoff = (now or time.time()) - self.settings.dropin_hours * 3600

        def run() -> tuple[dict[str, int], list[str]]:
            gone = sa.select(schema.people.c.id).where(schema.people.c.last_seen < cutoff)
            counts, shas = {}, []
            with self.engine.begin() as conn:
                for table in (schema.models, schema.datasets):
                    shas += [r.blob for r in conn.execute(sa.select(table.c.blob).where(table.c.person.in_(gone)))]
                for table in (schema.jobs, schema.models, schema.datasets, schema.people):
                    column = table.c.id if table is schema.people else table.c.person
                    counts[table.name] = conn.execute(sa.delete(table).where(column.in_(gone))).rowcount
            return counts, shas

        counts, shas = self._guard(run)
        self.drop_unused(shas)
        return counts


_OPEN: dict[Settings, Store] = {}
_LOCK = threading.Lock()


def open_store(settings: Settings | None = None) -> Store | None:
    """The store these settings name, opened and upgraded once per process; None when persistence is
    off (`AEVIZ_DB_URL=off`). Raises StoreUnavailable when it cannot be reached."""
    settings = settings or Settings.from_env()
    if settings.db_url is None:
        return None
    with _LOCK:
        if settings not in _OPEN:
            store = Store(settings)
            store.upgrade()
            _OPEN[settings] = store
        return _OPEN[settings]
