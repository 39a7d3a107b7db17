"""The kiosk database's schema: every table module, and its Alembic migrations.

``make_engine(url)`` is what opens the kiosk database everywhere (app, CLI, tests): it
brings the schema up to the newest migration (``kiosk/migrations/``) before returning.
A database made by the previous release (its tables but no ``alembic_version``) is stamped
with revision 0001 first, so its rows are kept and only what is new is added.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kiosk import registry, replica, tickets
from kiosk.db import Base, connect

__all__ = ["Base", "TABLE_MODULES", "current_revision", "head_revision", "make_engine",
           "migrate"]

log = logging.getLogger(__name__)

#: Modules whose classes define the tables (imported for ``Base.metadata``).
TABLE_MODULES = (registry, replica, tickets)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: The revision whose schema is the previous release's (no ``alembic_version`` then).
PREVIOUS_RELEASE = "0001"

#: Tables every database of the previous release has: their presence marks one.
_PREVIOUS_RELEASE_TABLES = frozenset({"kiosk_tickets", "kiosk_outbox", "citizens"})

#: PostgreSQL advisory lock key: concurrent starts (kiosk, its recognition worker, a CLI
#: command) migrate one at a time.
_PG_LOCK_KEY = 872346017


def _alembic_config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    """The database's revision, or None (empty, or made before migrations existed)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs each step at INFO; the kiosk logs one line per upgrade instead."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def _migration_engine(url: sa.URL) -> sa.Engine:
    """A one-connection engine for migrating: on SQLite every transaction is ``BEGIN
    IMMEDIATE`` (one writer at a time, DDL inside the transaction), so two processes that
    open a new database at once do not both create it."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, poolclass=sa.pool.NullPool)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                              connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # batch mode copies tables

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: sa.Engine, revision: str = "head") -> str | None:
    """Bring the database of ``engine`` up to ``revision``; return the revision it had
    before (None when it was empty or of the previous release). Safe to call from several
    processes at once; a no-op when already there."""
    with _quiet_alembic():
        return _migrate(engine, revision)


def _migrate(engine: sa.Engine, revision: str) -> str | None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    target = head_revision() if revision == "head" else revision
    before = current_revision(engine)
    if before == target:
        return before
    migrator = _migration_engine(engine.url)
    try:
        with migrator.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            before = MigrationContext.configure(conn).get_current_revision()
            if before == target:
                return before
            cfg = _alembic_config(conn)
            tables = set(sa.inspect(conn).get_table_names())
            start = before or "nothing"
            if before is None and _PREVIOUS_RELEASE_TABLES <= tables:
                command.stamp(cfg, PREVIOUS_RELEASE)
                start = f"the previous release ({PREVIOUS_RELEASE})"
            command.upgrade(cfg, revision)
        log.info("database: upgraded from %s to %s", start, target)
    finally:
        migrator.dispose()
    return before


def make_engine(url: str) -> sa.Engine:
    """Open the kiosk database at ``url``, upgraded to the newest schema."""
    engine = connect(url)
    if engine.dialect.name == "sqlite":
        # Make the file (0600) through the kiosk's own engine before migrating.
        with engine.connect():
            pass
    migrate(engine)
    return engine
