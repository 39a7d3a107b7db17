"""The kiosk's local database connection and its declarative base.

Every kiosk table (registry replica, tickets, outbox, audit log) derives from ``Base`` and
lives in one database: SQLite file ``kiosk.db`` under the data dir by default, or the
PostgreSQL URL in ``storage.database_url``. This module knows no table: ``kiosk.schema``
imports the modules that define them and creates them (so nothing here imports back).
"""

from __future__ import annotations

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


def connect(url: str) -> sa.Engine:
    """An engine on ``url`` (SQLite gets WAL, full sync and foreign keys); no table made."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: sa.Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
