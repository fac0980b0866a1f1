"""Where a server keeps what students make: read from the environment, the one place that does.

- `AEVIZ_HOME`: the folder for the embedded defaults (the platform's user-data folder unless set).
- `AEVIZ_DB_URL`: metadata, any SQLAlchemy URL. Default SQLite in `AEVIZ_HOME`; PostgreSQL
  (`postgresql+psycopg://…`) once replicas run on several machines. `off`: nothing is kept past a session.
- `AEVIZ_STORE_URL`: blobs (weights, image sets), any fsspec URL. Default `file://$AEVIZ_HOME/store`;
  `s3://bucket/prefix` with `AEVIZ_S3_ENDPOINT_URL` and the standard AWS variables.
- `AEVIZ_DROPIN_HOURS`: a student's work is deleted this long after they were last seen (default 24).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def home() -> Path:
    if text := os.environ.get("AEVIZ_HOME"):
        return Path(text).expanduser()
    from platformdirs import user_data_path

    return user_data_path("aeviz", appauthor=False)


@dataclass(frozen=True)
class Settings:
    db_url: str | None  # None: persistence is off
    store_url: str
    s3_endpoint: str | None
    dropin_hours: float

    @classmethod
    def from_env(cls) -> Settings:
        db = os.environ.get("AEVIZ_DB_URL", "").strip()
        root = home()
        db_url = None if db.lower() == "off" else db or f"sqlite:///{root / 'aeviz.db'}"
        text = os.environ.get("AEVIZ_DROPIN_HOURS", "24")
        try:
            hours = float(text)
        except ValueError:
            raise ValueError(f"AEVIZ_DROPIN_HOURS must be a number of hours, got {text!r}") from None
        if not hours > 0:
            raise ValueError(f"AEVIZ_DROPIN_HOURS must be positive, got {text!r}")
        return cls(
            db_url=db_url,
            store_url=os.environ.get("AEVIZ_STORE_URL", "").strip() or f"file://{root / 'store'}",
            s3_endpoint=os.environ.get("AEVIZ_S3_ENDPOINT_URL") or None,
            dropin_hours=hours,
        )


def secret() -> str:
    """This installation's signing secret (`AEVIZ_HOME/secret`, made on first use, readable by its
    owner only): resume tokens signed with it still hold after a restart. A server given
    `server.cookieSecret` (every replica of `aeviz serve`, a k8s Secret) uses that instead."""
    import secrets as random

    path = home() / "secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = random.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value
