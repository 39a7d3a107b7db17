"""The kiosk's local database connection and its declarative base.

Every kiosk table (registry replica, tickets, outbox, audit log) derives from ``Base`` and
lives in one database: SQLite file ``kiosk.db`` under the data dir by default, or the
PostgreSQL URL in ``storage.database_url``. This module knows no table: ``kiosk.schema``
imports the modules that define them and creates them (so nothing here imports back).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from config import Settings


class Base(DeclarativeBase):
    """Declarative base of every kiosk table."""


def database_url(settings: Settings, data_dir: Path) -> str:
    """The configured database URL, or the SQLite file under the data dir."""
    return settings.storage.database_url or f"sqlite:///{data_dir / 'kiosk.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a committed ticket survives a power cut
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _private_sqlite_file(database: str | None) -> None:
    """The kiosk database holds names and birth dates: readable by its owner only (0600),
    created so before SQLite opens it; a looser existing file (and its -wal, -shm) is
    tightened."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)


def connect(url: str) -> sa.Engine:
    """An engine on ``url`` (SQLite gets WAL, full sync and foreign keys); no table made."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        _private_sqlite_file(engine.url.database)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: sa.Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
