"""Restore drill of the kiosk: tickets and outbox rows issued by the store, `kiosk backup`,
wipe, `kiosk restore`, every row back; the face key handled apart and said so."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from click.testing import CliRunner

from config.kiosk import KioskSettings
from kiosk.cli import cli
from kiosk.crypto import load_or_create_key
from kiosk.db import make_sessionmaker
from kiosk.model import services_from_settings
from kiosk.schema import make_engine
from kiosk.tickets import TicketStore
from tests.support.db_snapshot import all_rows


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _make_data(data: Path) -> tuple[str, set[str]]:
    url = f"sqlite:///{data / 'kiosk.db'}"
    engine = make_engine(url)
    store = TicketStore(make_sessionmaker(engine), services_from_settings(KioskSettings()))
    numbers = {store.issue_standalone(s, citizen_id=7).number for s in ("HT", "HT", "CT")}
    engine.dispose()
    return url, numbers


def test_restore_drill_with_the_key_apart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url, numbers = _make_data(data)
    key = load_or_create_key(data / "face.key")
    before = all_rows(url)
    assert len(before["kiosk_tickets"]) == 3 and before["kiosk_outbox"]

    snap = tmp_path / "kiosk.snapshot"
    out = _cli("backup", str(snap), "--data-dir", str(data))
    assert "NOT in the snapshot: the face key" in out
    assert not Path(f"{snap}.key").exists()
    assert snap.read_bytes().find(key) == -1
    out = _cli("backup", str(snap), "--with-key", "--data-dir", str(data))
    assert "face key written to" in out
    assert stat.S_IMODE(os.stat(snap).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(f"{snap}.key").st_mode) == 0o600

    for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "face.key"):
        (data / name).unlink(missing_ok=True)

    out = _cli("restore", str(snap), "--yes", "--key", f"{snap}.key", "--data-dir", str(data))
    assert "restored" in out
    assert all_rows(url) == before
    assert (data / "face.key").read_bytes() == key
    assert stat.S_IMODE(os.stat(data / "face.key").st_mode) == 0o600

    # The store carries on numbering after the restored tickets.
    engine = make_engine(url)
    store = TicketStore(make_sessionmaker(engine), services_from_settings(KioskSettings()))
    assert store.issue_standalone("HT").number not in numbers
    assert len(all_rows(url)["kiosk_tickets"]) == 4
    engine.dispose()


def test_restore_without_key_says_faces_stay_sealed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _make_data(data)
    snap = tmp_path / "k.snapshot"
    _cli("backup", str(snap), "--data-dir", str(data))
    other = tmp_path / "new-pc"
    out = _cli("restore", str(snap), "--yes", "--data-dir", str(other))
    assert "no face key" in out


def test_bad_snapshot_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    url, _ = _make_data(data)
    before = all_rows(url)
    junk = tmp_path / "junk"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    result = CliRunner().invoke(cli, ["restore", str(junk), "--yes", "--data-dir", str(data)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "nothing was changed" in result.output
    assert all_rows(url) == before
    # A queue server's SQLite snapshot is refused too.
    other = tmp_path / "queue.db"
    sqlite3.connect(other).executescript("create table alembic_version(v text);")
    result = CliRunner().invoke(cli, ["restore", str(other), "--yes", "--data-dir", str(data)])
    assert result.exit_code == 1 and "not a kiosk snapshot" in result.output
    assert all_rows(url) == before
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "x"), "--data-dir",
                                      str(tmp_path / "empty")])
    assert result.exit_code == 1 and "no kiosk database" in result.output
