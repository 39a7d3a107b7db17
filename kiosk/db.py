"""The kiosk's local database: one SQLAlchemy engine and one declarative base.

Every kiosk table (registry replica, tickets, outbox, audit log) derives from ``Base`` and
lives in one database: SQLite file ``kiosk.db`` under the data dir by default, or the
PostgreSQL URL in ``storage.database_url``.
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


def make_engine(url: str) -> sa.Engine:
    """Create the engine and every kiosk table that does not exist yet."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    # Import the modules that define tables so create_all knows them.
    import kiosk.tables  # noqa: F401

    Base.metadata.create_all(engine)
    return engine


def make_sessionmaker(engine: sa.Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
