"""The kiosk database's migrations on SQLite and PostgreSQL: the migrated schema is the
models', a database of the previous release keeps every ticket, outbox row, lease and
template when today's code opens it, and opening twice changes nothing."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from config.sync import SyncSettings
from kiosk.adapters.server_client import QueueClient
from kiosk.adapters.sync import SyncWorker
from kiosk.crypto import FaceCipher, load_or_create_key
from kiosk.db import Base, connect, make_sessionmaker
from kiosk.model import Service
from kiosk.registry import RegistryStore
from kiosk.schema import current_revision, head_revision, make_engine, migrate
from kiosk.tickets import TicketStore
from recognition.index import TemplateIndex
from tests.support.queue_server import QueueServerProcess

SERVICES = [Service("HT", "A", "Hộ tịch", "Civil status"),
            Service("CT", "B", "Chứng thực", "Certification")]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.db'}"
    return request.getfixturevalue("postgres_url")


def schema_diff(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def schema_dump(engine: sa.Engine) -> dict:
    insp = sa.inspect(engine)
    return {t: sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t))
            for t in insp.get_table_names()}


def previous_release_db(url: str) -> sa.Engine:
    """A database as the previous release left it: its tables, no ``alembic_version``."""
    engine = connect(url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    return engine


def vec(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.1, 128).astype(np.float32)


def old_seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    """The previous release's sealing (kiosk/crypto.py at 3970e5f), written out here."""
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def test_migrated_schema_is_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []
    engine.dispose()


def test_development_database_without_version_is_adopted(db_url: str) -> None:
    """A kiosk.db from a build between the releases (create_all, the ALTERs) has today's
    tables and no version: it is stamped and upgraded without a duplicate column."""
    engine = connect(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision() and schema_diff(engine) == []
    engine.dispose()


def test_previous_release_database_keeps_everything(db_url: str, tmp_path: Path,
                                                    server: QueueServerProcess) -> None:
    old = previous_release_db(db_url)
    sqlite = old.dialect.name == "sqlite"
    key = load_or_create_key(tmp_path / "face.key")
    hmac_cipher = FaceCipher(key)  # the keyed hash did not change; checked below by lookup
    now = datetime.now().astimezone()
    today = now.date()

    def ts(value: datetime) -> datetime:  # how the previous release stored an aware time
        return value.astimezone(UTC).replace(tzinfo=None) if sqlite else value

    ticket_ids = [str(uuid.uuid4()) for _ in range(3)]
    with old.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO citizens (id, full_name, display_name, id_number_digest,"
            " id_number_sealed, id_number_masked, date_of_birth, priority_group, consent_at,"
            " consent_by, consent_text_version, created_at) VALUES (1, 'Nguyễn Văn An', NULL,"
            " :digest, :sealed, '079*******45', NULL, 'none', :at, 'admin', 'v1', :at)"),
            {"digest": hmac_cipher.id_number_digest("079061012345"),
             "sealed": old_seal(key, b"079061012345", b"text"), "at": ts(now)})
        for tid, seed in ((10, 1), (11, 2)):
            blob = old_seal(key, vec(seed).astype("<f4").tobytes(), b"citizen:1")
            conn.execute(sa.text(
                "INSERT INTO face_templates (id, citizen_id, embedding_sealed, quality,"
                " created_at) VALUES (:id, 1, :blob, '{}', :at)"),
                {"id": tid, "blob": blob, "at": ts(now)})
        for i, tid in enumerate(ticket_ids, start=1):
            issued = now - timedelta(minutes=10 - i)
            conn.execute(sa.text(
                "INSERT INTO kiosk_tickets (id, day, service, number, seq, source, citizen_id,"
                " guest_key, priority, issued_at, status, print_state, print_attempts,"
                " counters) VALUES (:id, :day, 'HT', :number, :seq, 'standalone', :cid, NULL,"
                " :prio, :at, 'waiting', 'printed', 1, '')"),
                {"id": tid, "day": today, "number": f"A{i:03d}", "seq": i,
                 "cid": 1 if i == 1 else None, "prio": False, "at": ts(issued)})
            payload = {"id": tid, "service": "HT", "number": f"A{i:03d}", "priority": False,
                       "citizen_id": 1 if i == 1 else None, "issued_at": issued.isoformat(),
                       "source": "standalone"}
            conn.execute(sa.text(
                "INSERT INTO kiosk_outbox (kind, ticket_id, payload, created_at, attempts,"
                " sent_at) VALUES ('ticket', :tid, :payload, :at, :attempts, :sent)"),
                {"tid": tid, "payload": json.dumps(payload), "at": ts(issued),
                 "attempts": 1 if i == 1 else 0, "sent": ts(now) if i == 1 else None})
        conn.execute(sa.text(
            "INSERT INTO kiosk_day_counters (day, service, last_seq) VALUES (:day, 'HT', 3)"),
            {"day": today})
        conn.execute(sa.text(
            "INSERT INTO kiosk_number_leases (day, service, first_seq, last_seq, next_seq,"
            " lease_id) VALUES (:day, 'CT', 20, 24, 21, 'lease-1')"), {"day": today})
    old.dispose()

    engine = make_engine(db_url)  # today's code opens it
    assert current_revision(engine) == head_revision() and schema_diff(engine) == []
    store = TicketStore(make_sessionmaker(engine), list(SERVICES))
    # Every ticket is there, readable, in the citizen's list of today.
    assert [store.get(t).number for t in ticket_ids] == ["A001", "A002", "A003"]
    assert [t.number for t in store.today_for(citizen_id=1)] == ["A001"]
    assert store.waiting_counts().get("HT") == 3
    # The lease of the previous release (no number pattern) still numbers tickets.
    assert store.leased_remaining("CT") == 4
    assert store.issue_from_lease("CT").number == "B021"
    # The standalone counter goes on after the old tickets.
    assert store.issue_standalone("HT").number == "A004"
    # The outbox: the sent row stays sent, the two pending ones (and the two new) upload.
    assert store.outbox_backlog() == 4
    token = server.add_kiosk()
    client = QueueClient(server.url, token)
    settings = SyncSettings(request_timeout_s=5.0, lease_size=5, lease_low_watermark=2)
    worker = SyncWorker(client, store, settings, tmp_path)
    assert worker.step() and store.outbox_backlog() == 0
    for tid in ticket_ids[1:]:
        r = httpx.get(f"{server.url}/api/v1/tickets/{tid}",
                      headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    client.close()
    # The registry loads the old templates and identifies the citizen.
    registry = RegistryStore(engine, FaceCipher(key))
    index = TemplateIndex()
    assert registry.load_index(index) == 2
    best = index.search(vec(2) + 0.001)[0]
    assert best.citizen_id == 1 and best.template_id == 11 and best.distance < 0.05
    assert registry.find_by_id_number("079061012345").id == 1
    engine.dispose()


def test_opening_twice_changes_nothing(db_url: str) -> None:
    engine = previous_release_db(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO kiosk_day_counters (day, service, last_seq) VALUES ('2026-11-20',"
            " 'HT', 7)"))
    engine.dispose()
    first = make_engine(db_url)
    dump, rev = schema_dump(first), current_revision(first)
    first.dispose()
    second = make_engine(db_url)
    assert schema_dump(second) == dump and current_revision(second) == rev == head_revision()
    with second.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(sa.text("SELECT last_seq FROM kiosk_day_counters")).all() == [(7,)]
    second.dispose()
