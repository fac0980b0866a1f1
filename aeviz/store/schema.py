"""The store's tables (SQLAlchemy Core). A change here comes with a migration in `migrations/versions`.

Keys are what the app already uses: a model's and an image set's name (a full random id), a job's id.
A person is the SHA-256 of their resume token: the token itself is never stored. Blobs are named by
the SHA-256 of their content and live in the blob store, never in the database.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256(resume token)
    Column("created", Float, nullable=False),  # unix seconds
    Column("last_seen", Float, nullable=False),
)

models = Table(
    "models",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("person", String(64), ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("dataset", String(80), nullable=False),
    Column("config", Text, nullable=False),  # JSON: aeviz.config.ModelConfig
    Column("metrics", Text, nullable=False),  # JSON
    Column("history", Text, nullable=False),  # JSON: the loss curve, at most a few hundred points
    Column("blob", String(64), nullable=False),  # sha256 of the checkpoint (float16 safetensors)
    Column("size", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Index("models_person", "person"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("person", String(64), ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("blob", String(64), nullable=False),  # sha256 of the image set's .npz
    Column("size", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Index("datasets_person", "person"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("person", String(64), ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("task", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("state", String(20), nullable=False),  # queued, running, done, failed, cancelled
    Column("model", String(64)),  # the model it made, when it made one
    Column("error", Text),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Index("jobs_person", "person"),
)

# --- classes (a teacher's class: a join code, an assignment the class sweeps, a board) -------------------

classes = Table(
    "classes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(6), unique=True),  # None once rotated away or ended
    Column("teacher", String(64), nullable=False),  # sha256 of the teacher link's token
    Column("teacher_person", String(64), nullable=False),  # who opened it (their own tabs are the teacher's)
    Column("dataset", String(80), nullable=False),
    Column("preset", String(60), nullable=False),  # a key of aeviz.presets.PRESETS
    Column("param", String(20), nullable=False),  # the swept hyper-parameter (aeviz.store.classes.PARAMS)
    Column("lo", Float, nullable=False),
    Column("hi", Float, nullable=False),
    Column("locked", Integer, nullable=False, default=0),
    Column("paused", Integer, nullable=False, default=0),
    Column("created", Float, nullable=False),
    Column("ended", Float),
)

members = Table(
    "members",
    metadata,
    Column("class_id", String(32), ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    Column("person", String(64), primary_key=True),  # sha256 of their resume token
    Column("nickname", String(40), nullable=False),
    Column("value", Float, nullable=False),  # their point of the sweep
    Column("slot", Integer, nullable=False),  # their place in the spread of values
    Column("respins", Integer, nullable=False, default=0),
    Column("removed", Integer, nullable=False, default=0),
    Column("joined", Float, nullable=False),
)

# a model trained for a class's assignment: its class, the swept value, and whether its student shares it
class_models = Table(
    "class_models",
    metadata,
    Column("model", String(64), ForeignKey("models.name", ondelete="CASCADE"), primary_key=True),
    Column("class_id", String(32), ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("person", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("shared", Integer, nullable=False, default=1),
    Column("created", Float, nullable=False),
    Index("class_models_class", "class_id", "created"),
)
