"""Consistent snapshots of the queue database and their restore.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent image
while the server keeps running. PostgreSQL: ``pg_dump`` in its custom format (``-Fc``),
restored with ``pg_restore --clean --if-exists --single-transaction``; ``pg_dump``'s
major version must be at least the server's (Debian: package ``postgresql-client``).

What a snapshot does NOT hold: the signing-secret file (``server.secret_key_file``) when
one is configured. Without a file the secret lives in the database and is in the snapshot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from appliance import sqlite_snapshot

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore could not be done; the message is one line for the user."""


@dataclass(frozen=True)
class BackupResult:
    """What was written (or restored) and how big it is, in bytes."""

    path: Path
    kind: str  # "sqlite" or "postgresql"
    size: int


def file_kind(path: Path) -> str:
    """``"sqlite"`` or ``"postgresql"`` from the file's first bytes; BackupError otherwise."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"{path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite snapshot nor a pg_dump custom-format file")


# --- SQLite -------------------------------------------------------------------------------

def sqlite_backup(db_path: Path, dest: Path) -> BackupResult:
    """Copy the live SQLite database ``db_path`` to ``dest`` (0600) with the backup API.

    The copy is written next to ``dest`` and renamed into place once it passed
    ``PRAGMA quick_check``, so a failed run never leaves a half file under ``dest``.
    """
    try:
        size = sqlite_snapshot.snapshot(db_path, dest)
    except sqlite_snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None
    return BackupResult(dest, "sqlite", size)


def sqlite_restore(snapshot: Path, db_path: Path) -> BackupResult:
    """Replace the contents of ``db_path`` by the SQLite ``snapshot`` (checked first).

    The snapshot is checked before the live database is touched; the copy uses the backup
    API into the live file, so WAL and locks are handled by SQLite. Stop the service first.
    """
    if file_kind(snapshot) != "sqlite":
        raise BackupError(f"{snapshot} is a PostgreSQL dump, not a SQLite snapshot")
    try:
        size = sqlite_snapshot.restore(snapshot, db_path, "alembic_version", "queue-server")
    except sqlite_snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None
    return BackupResult(db_path, "sqlite", size)


# --- PostgreSQL ---------------------------------------------------------------------------

def _libpq(url: str) -> tuple[str, dict[str, str], str | None]:
    """A libpq URI (no password), the environment carrying the password, and the schema
    named by ``options=-csearch_path=...`` in the URL (None when absent)."""
    u = sa.make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    auth = quote(u.username or "", safe="") + "@" if u.username else ""
    host = u.host or ""
    port = f":{u.port}" if u.port else ""
    query = {k: (v if isinstance(v, str) else v[-1]) for k, v in u.query.items()}
    schema = None
    m = re.search(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)", query.get("options", ""))
    if m:
        schema = m.group(1)
    wanted = {"host", "sslmode", "options", "connect_timeout"}
    keep = {k: v for k, v in query.items() if k in wanted}
    qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in keep.items())
    uri = f"postgresql://{auth}{host}{port}/{quote(u.database or '', safe='')}"
    return (uri + ("?" + qs if qs else "")), env, schema


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install Debian's postgresql-client package")
    return path


def _major(version_text: str) -> int:
    m = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not m:
        raise BackupError(f"cannot read a version in {version_text.strip()!r}")
    return int(m.group(1))


def check_pg_dump_version(url: str) -> tuple[int, int]:
    """``(pg_dump major, server major)``; BackupError when pg_dump is older than the server."""
    tool = _tool("pg_dump")
    text = subprocess.run([tool, "--version"], capture_output=True, text=True,
                          check=True).stdout
    tool_major = _major(text)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            server_num = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"database unreachable: {str(exc.orig or exc).splitlines()[0]}") \
            from None
    finally:
        engine.dispose()
    server_major = server_num // 10000
    if tool_major < server_major:
        raise BackupError(f"pg_dump {tool_major} cannot dump a PostgreSQL {server_major} "
                          f"server: install postgresql-client-{server_major}")
    return tool_major, server_major


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise BackupError(f"{what} failed: {lines[-1] if lines else proc.returncode}")


def pg_backup(url: str, dest: Path) -> BackupResult:
    """``pg_dump -Fc`` of the database (only the URL's schema when it names one) to
    ``dest`` (0600), written to a temporary name and renamed when complete."""
    check_pg_dump_version(url)
    uri, env, schema = _libpq(url)
    tmp = dest.with_name(dest.name + ".partial")
    sqlite_snapshot.private_file(tmp)
    try:
        args = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp)]
        if schema:
            args += ["--schema", schema]
        _run(args + ["--dbname", uri], env, "pg_dump")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(dest, "postgresql", dest.stat().st_size)


def pg_restore(snapshot: Path, url: str) -> BackupResult:
    """Restore a ``pg_dump -Fc`` file into the database of ``url`` in one transaction;
    objects that exist are dropped first (``--clean --if-exists``)."""
    if file_kind(snapshot) != "postgresql":
        raise BackupError(f"{snapshot} is a SQLite snapshot, not a PostgreSQL dump")
    uri, env, _schema = _libpq(url)
    _run([_tool("pg_restore"), "--list", str(snapshot)], env, "reading the dump")
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", uri, str(snapshot)], env, "pg_restore")
    return BackupResult(snapshot, "postgresql", snapshot.stat().st_size)


# --- both ---------------------------------------------------------------------------------

def _sqlite_path(url: str) -> Path:
    database = sa.make_url(url).database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"cannot back up the SQLite database {database or '(memory)'}")
    return Path(database)


def backup(url: str, dest: Path) -> BackupResult:
    """Snapshot the database at SQLAlchemy ``url`` into the file ``dest`` (mode 0600)."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        return sqlite_backup(_sqlite_path(url), dest)
    if backend == "postgresql":
        return pg_backup(url, dest)
    raise BackupError(f"no backup for {backend} databases")


def restore(snapshot: Path, url: str) -> BackupResult:
    """Put the snapshot ``snapshot`` back into the database at ``url``."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        return sqlite_restore(snapshot, _sqlite_path(url))
    if backend == "postgresql":
        return pg_restore(snapshot, url)
    raise BackupError(f"no restore for {backend} databases")


def copy_private(src: Path, dest: Path) -> Path:
    """Copy a key or secret file to ``dest`` with mode 0600."""
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise BackupError(f"{src}: {exc.strerror}") from None
    sqlite_snapshot.private_file(dest)
    dest.write_bytes(data)
    return dest
