"""Consistent snapshots of a live SQLite database, and restoring one; used by
``kiosk backup`` and ``queue-server backup`` alike.

A snapshot is one self-contained file (no -wal), mode 0600, written beside its
destination and renamed into place only after ``PRAGMA quick_check`` passed, so a failed
run never leaves a half file under the destination's name.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class SnapshotError(Exception):
    """A snapshot or restore that did not happen; the message says why, one line."""


def private_file(path: Path) -> None:
    """Create (or truncate) ``path`` with mode 0600 before anything is written to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def snapshot(db_path: Path, dest: Path) -> int:
    """Copy the live database ``db_path`` to ``dest`` with SQLite's online backup API;
    return the snapshot's size in bytes."""
    if not db_path.is_file():
        raise SnapshotError(f"no database at {db_path}")
    tmp = dest.with_name(dest.name + ".partial")
    private_file(tmp)
    try:
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
                check = out.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                out.close()
        finally:
            src.close()
        if check != "ok":
            raise SnapshotError(f"the copy of {db_path} failed its check: {check}")
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise SnapshotError(f"SQLite backup of {db_path}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return dest.stat().st_size


def restore(snapshot_path: Path, db_path: Path, marker_table: str, kind: str) -> int:
    """Replace the contents of ``db_path`` by ``snapshot_path``; return its new size.

    The snapshot is checked first (``quick_check``, and ``marker_table`` must exist, so a
    snapshot of the other program is refused): a bad file changes nothing. ``kind`` names
    the expected snapshot in messages ("kiosk", "queue-server"). Stop the program first.
    """
    try:
        src = sqlite3.connect(f"file:{snapshot_path}?mode=ro", uri=True)
        try:
            check = src.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise SnapshotError(f"{snapshot_path} is damaged ({check}); nothing was "
                                    "changed")
            if src.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                           (marker_table,)).fetchone() is None:
                raise SnapshotError(f"{snapshot_path} is not a {kind} snapshot (no "
                                    f"{marker_table} table); nothing was changed")
            db_path.parent.mkdir(parents=True, exist_ok=True)
            out = sqlite3.connect(db_path, timeout=30)
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"restore from {snapshot_path}: {exc}; nothing was changed") \
            from None
    return db_path.stat().st_size
