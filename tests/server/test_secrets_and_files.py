"""Secrets live outside the database and data files are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from qs_helpers import make_app

from server.db import Database
from server.models import AppSecret
from server.security import SECRET_ENV, load_secret


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_signing_secret_is_a_0600_file_and_not_in_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    app = make_app(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path)
    try:
        key = tmp_path / "secret.key"
        assert _mode(key) == 0o600
        assert len(key.read_text().strip()) >= 40
        with app.state.qs.db.session() as s:
            assert s.scalars(sa.select(AppSecret)).all() == []
        assert key.read_text().strip().encode() not in (tmp_path / "queue.db").read_bytes()
        for name in ("queue.db", "queue.db-wal", "queue.db-shm"):
            if (tmp_path / name).exists():
                assert _mode(tmp_path / name) == 0o600, name
    finally:
        app.state.qs.issuer.close()
        app.state.qs.db.dispose()


def test_a_secret_kept_in_the_database_moves_to_the_file(db_url: str, tmp_path: Path) -> None:
    """Upgrading keeps sessions and printed survey links valid: the old value is moved."""
    app = make_app(db_url, tmp_path)
    db: Database = app.state.qs.db
    app.state.qs.issuer.close()
    (tmp_path / "secret.key").unlink()
    with db.session() as s:
        s.add(AppSecret(name="signing", value="an-older-secret-kept-in-the-db"))
    with db.session() as s:
        assert load_secret(s, tmp_path / "secret.key", {}) == "an-older-secret-kept-in-the-db"
    with db.session() as s:
        assert s.get(AppSecret, "signing") is None
    assert _mode(tmp_path / "secret.key") == 0o600
    db.dispose()


def test_the_environment_wins_and_a_loose_file_is_refused(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    app.state.qs.issuer.close()
    db: Database = app.state.qs.db
    with db.session() as s:
        assert load_secret(s, tmp_path / "k", {SECRET_ENV: "x" * 32}) == "x" * 32
        assert not (tmp_path / "k").exists()
        with pytest.raises(ValueError, match="fewer than 16"):
            load_secret(s, tmp_path / "k", {SECRET_ENV: "short"})
        loose = tmp_path / "loose.key"
        loose.write_text("y" * 40)
        loose.chmod(0o644)
        with pytest.raises(ValueError, match="chmod 600"):
            load_secret(s, loose, {})
    db.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    db = Database(f"sqlite:///{path}")
    with db.session() as s:
        s.execute(sa.text("select 1"))
    assert _mode(path) == 0o600
    db.dispose()
