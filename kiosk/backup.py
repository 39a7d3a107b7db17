"""Snapshots of the kiosk's local database (tickets, outbox, registry replica, audit log).

A snapshot is a SQLite copy made with the online backup API, so the kiosk may keep
running while it is taken. The face key (``storage.key_file``, default ``face.key``) is
NOT in the snapshot: the templates in it stay sealed without the key. ``key_backup``
copies the key to a separate file (mode 0600) to be stored apart from the snapshot.
Only SQLite kiosk databases are handled here; a PostgreSQL one is backed up with pg_dump.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from appliance import sqlite_snapshot

SQLITE_MAGIC = b"SQLite format 3\x00"
KEY_BYTES = 32
MARKER_TABLE = "kiosk_tickets"  # a kiosk database has it, the queue server's has not


class BackupError(Exception):
    """A backup or restore could not be done; the message is one line for the user."""


@dataclass(frozen=True)
class BackupResult:
    """The file written or restored, and its size in bytes."""

    path: Path
    size: int


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; BackupError for any other database."""
    u = sa.make_url(url)
    if u.get_backend_name() != "sqlite":
        raise BackupError(f"the kiosk database is {u.get_backend_name()}: back it up with "
                          "that database's own tools (pg_dump)")
    if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        raise BackupError(f"cannot back up the SQLite database {u.database or '(memory)'}")
    return Path(u.database)


def backup_database(db_path: Path, dest: Path) -> BackupResult:
    """Copy the live database ``db_path`` to ``dest`` (0600, one self-contained file).

    Written under a temporary name and renamed once ``PRAGMA quick_check`` passed.
    """
    if not db_path.is_file():
        raise BackupError(f"no kiosk database at {db_path}")
    try:
        size = sqlite_snapshot.snapshot(db_path, dest)
    except sqlite_snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None
    return BackupResult(dest, size)


def restore_database(snapshot: Path, db_path: Path) -> BackupResult:
    """Replace the contents of ``db_path`` by ``snapshot``; the snapshot is checked first,
    so a bad file changes nothing. Stop the kiosk before restoring."""
    try:
        with open(snapshot, "rb") as fh:
            if not fh.read(16).startswith(SQLITE_MAGIC):
                raise BackupError(f"{snapshot} is not a kiosk snapshot (not SQLite); "
                                  "nothing was changed")
    except OSError as exc:
        raise BackupError(f"{snapshot}: {exc.strerror}") from None
    try:
        size = sqlite_snapshot.restore(snapshot, db_path, MARKER_TABLE, "kiosk")
    except sqlite_snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from None
    return BackupResult(db_path, size)


def key_backup(key_path: Path, dest: Path) -> Path:
    """Copy the face key to ``dest`` with mode 0600."""
    try:
        key = key_path.read_bytes()
    except OSError as exc:
        raise BackupError(f"face key {key_path}: {exc.strerror}") from None
    if len(key) != KEY_BYTES:
        raise BackupError(f"face key {key_path} holds {len(key)} bytes, not {KEY_BYTES}")
    sqlite_snapshot.private_file(dest)
    dest.write_bytes(key)
    return dest


def key_restore(src: Path, key_path: Path) -> Path | None:
    """Install the key file ``src`` as ``key_path`` (0600).

    A different key already there is kept as ``<key>.replaced-<unix time>`` and its path
    returned (nothing is ever deleted); None when there was none or it was the same.
    """
    try:
        key = src.read_bytes()
    except OSError as exc:
        raise BackupError(f"{src}: {exc.strerror}") from None
    if len(key) != KEY_BYTES:
        raise BackupError(f"{src} holds {len(key)} bytes, not a {KEY_BYTES}-byte face key")
    kept = None
    if key_path.exists():
        if key_path.read_bytes() == key:
            return None
        kept = key_path.with_name(f"{key_path.name}.replaced-{int(time.time())}")
        os.replace(key_path, kept)
    tmp = key_path.with_name(key_path.name + ".partial")
    sqlite_snapshot.private_file(tmp)
    tmp.write_bytes(key)
    os.replace(tmp, key_path)
    return kept
