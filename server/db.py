"""The queue database: engine creation (SQLite or PostgreSQL), sessions, migrations."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def default_sqlite_url(data_dir: str | Path) -> str:
    """The SQLite URL of ``queue.db`` under ``data_dir`` (made absolute)."""
    return f"sqlite:///{(Path(data_dir) / 'queue.db').resolve()}"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else sa.make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def private_file(path: Path) -> None:
    """Make the SQLite file ``path`` readable by its owner only (0600), creating it (and its
    folder, 0700) if missing. SQLite gives its -wal and -shm files the database's mode;
    ones left from an earlier, looser start are tightened too."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if p.exists() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)


def create_db_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created.

    SQLite: WAL journal, a 30 s busy timeout, and every write transaction starts with
    ``BEGIN IMMEDIATE`` so concurrent writers queue up instead of failing on lock upgrade.
    Sessions made by :func:`read_session` start a deferred transaction instead.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            private_file(Path(database))
        engine = sa.create_engine(
            parsed,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return sa.create_engine(
        parsed, pool_size=pool_size, max_overflow=40, pool_pre_ping=True, pool_timeout=30,
        # An unreachable database fails a request in seconds (the kiosk then issues from
        # its lease) instead of the operating system's minutes.
        connect_args={"connect_timeout": int(parsed.query.get("connect_timeout", 5))},
    )


class Database:
    """An engine plus session factories for writes and for reads."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_db_engine(url, pool_size=pool_size)
        self.sqlite = is_sqlite(self.engine)
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(sqlite_begin="DEFERRED") if self.sqlite else (
            self.engine
        )
        self._read = sessionmaker(reader, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A write session: committed on success, rolled back on error."""
        with self._write() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    @contextlib.contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only session (on SQLite it does not take the write lock). Its objects
        stay readable after it closes (closing detaches them without expiring them)."""
        with self._read() as s:
            yield s

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: sa.Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (Alembic, run in-process).

    On PostgreSQL an advisory lock makes concurrent starts of several processes safe.
    """
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(872346001)")
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
