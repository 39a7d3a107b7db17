"""Restore drill of the queue server on SQLite and PostgreSQL: make data through the API
and the CLI, back up with `queue-server backup`, wipe, restore, compare every row."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, make_app, new_id

from server.backup import check_pg_dump_version
from server.cli import cli
from tests.support.db_snapshot import all_rows


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _wipe(url: str, tmp_path: Path) -> None:
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(u.database + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        schema = conn.exec_driver_sql("select current_schema()").scalar_one()
        conn.exec_driver_sql(f'drop schema "{schema}" cascade')
    engine.dispose()


def test_restore_drill(db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path)
    token = add_kiosk(app, "drill")
    with TestClient(app) as client:
        numbers = []
        for service in ("HT", "HT", "CT"):
            r = client.post("/api/v1/tickets", json={"id": new_id(), "service": service},
                            headers=auth(token))
            assert r.status_code in (200, 201), r.text
            numbers.append(r.json()["number"])
    app.state.qs.db.dispose()
    _cli("user", "add", "le.thi.hoa", "--password", "mật khẩu dài", "--db", db_url,
         "--data-dir", str(tmp_path))
    before = all_rows(db_url)
    assert len(before["tickets"]) == 3 and len(before["users"]) == 1

    snapshot = tmp_path / "backups" / "queue.snapshot"
    out = _cli("backup", str(snapshot), "--db", db_url, "--data-dir", str(tmp_path))
    assert "snapshot written" in out
    assert stat.S_IMODE(os.stat(snapshot).st_mode) == 0o600

    _wipe(db_url, tmp_path)
    assert all_rows(db_url).get("tickets") is None  # really gone

    out = _cli("restore", str(snapshot), "--yes", "--db", db_url, "--data-dir", str(tmp_path))
    assert "restored" in out
    assert all_rows(db_url) == before

    # The restored server serves on: the next number follows the restored ones.
    app = make_app(db_url, tmp_path)
    with TestClient(app) as client:
        r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                        headers=auth(token))
        assert r.status_code in (200, 201), r.text
        assert r.json()["number"] not in numbers
    app.state.qs.db.dispose()


def test_a_bad_snapshot_changes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    _cli("migrate", "--db", sqlite_url, "--data-dir", str(tmp_path))
    before = all_rows(sqlite_url)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all" * 10)
    result = CliRunner().invoke(cli, ["restore", str(junk), "--yes", "--db", sqlite_url,
                                      "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "neither a SQLite snapshot nor a pg_dump" in result.output
    assert all_rows(sqlite_url) == before
    kiosk_db = tmp_path / "kiosk.db"  # a kiosk's snapshot is refused
    sqlite3.connect(kiosk_db).executescript("create table kiosk_tickets(id text);")
    result = CliRunner().invoke(cli, ["restore", str(kiosk_db), "--yes", "--db", sqlite_url,
                                      "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a queue-server snapshot" in result.output
    assert all_rows(sqlite_url) == before


def test_secret_file_is_not_in_the_snapshot_and_said_so(sqlite_url: str,
                                                        tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text('[server]\nsecret_key_file = "secret.key"\n')
    _cli("migrate", "--db", sqlite_url, "--data-dir", str(tmp_path), "--config", str(config))
    (tmp_path / "secret.key").write_text("s" * 40 + "\n")
    snap = tmp_path / "q.snapshot"
    out = _cli("backup", str(snap), "--db", sqlite_url, "--data-dir", str(tmp_path),
               "--config", str(config))
    assert "NOT in the snapshot" in out and not Path(f"{snap}.key").exists()
    out = _cli("backup", str(snap), "--with-key", "--db", sqlite_url, "--data-dir",
               str(tmp_path), "--config", str(config))
    key = Path(f"{snap}.key")
    assert key.read_text() == "s" * 40 + "\n"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_pg_dump_is_not_older_than_the_server(postgres_url: str) -> None:
    tool, server = check_pg_dump_version(postgres_url)
    assert tool >= server
