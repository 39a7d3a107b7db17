"""Kiosks as replicas of the centre's registry: two kiosk data dirs and a real
queue-server process on loopback (SQLite and PostgreSQL). Enrol once, recognised
everywhere; erased at the server, gone from every kiosk's index at its next round."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
import sqlalchemy as sa

from config.sync import SyncSettings
from kiosk.adapters.identification import citizen_lookup
from kiosk.adapters.registry_sync import RegistrySync
from kiosk.adapters.server_client import QueueClient
from kiosk.adapters.sync import SyncWorker
from kiosk.crypto import FaceCipher, load_or_create_key
from kiosk.db import make_sessionmaker
from kiosk.flow import greeting_of
from kiosk.registry import RegistryStore
from kiosk.replica import Replica, ReplicaFollower, SeenLog, encode_vector
from kiosk.schema import make_engine
from kiosk.tickets import TicketStore
from recognition.index import TemplateIndex
from tests.support.queue_server import QueueServerProcess


def face(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return v / np.linalg.norm(v)


def near(v: np.ndarray, seed: int, by: float = 0.2) -> np.ndarray:
    d = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return (v + by * d / np.linalg.norm(d)).astype(np.float32)


@dataclass
class Kiosk:
    """One kiosk's data dir: database, key, index, replica, sync."""

    store: RegistryStore
    index: TemplateIndex
    replica: Replica
    sync: RegistrySync
    client: QueueClient

    def close(self) -> None:
        self.client.close()
        self.store.engine.dispose()


def open_kiosk(data_dir: Path, server_url: str, token: str) -> Kiosk:
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{data_dir / 'kiosk.db'}")
    store = RegistryStore(engine, FaceCipher(load_or_create_key(data_dir / "face.key")))
    index = TemplateIndex()
    store.load_index(index)
    replica = Replica(store, index)
    client = QueueClient(server_url, token, timeout_s=10)
    return Kiosk(store, index, replica, RegistrySync(client, replica), client)


def enrolment(name: str, id_number: str, *vectors: np.ndarray) -> dict:
    return {"full_name": name, "id_number": id_number,
            "templates": [encode_vector(v) for v in vectors], "consent_by": "nv.lan",
            "consent_text_version": "2026-01", "channel": "kiosk"}


@pytest.fixture(params=["sqlite", "postgresql"])
def qs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueueServerProcess]:
    url = (f"sqlite:///{tmp_path / 'queue.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    proc = QueueServerProcess(url, tmp_path / "server")
    proc.start()
    yield proc
    proc.stop()


def test_two_kiosks_share_one_registry_and_erasure_reaches_both(
        qs: QueueServerProcess, tmp_path: Path) -> None:
    a = open_kiosk(tmp_path / "kiosk-a", qs.url, qs.add_kiosk("a"))
    b = open_kiosk(tmp_path / "kiosk-b", qs.url, qs.add_kiosk("b"))
    try:
        lan = face(1)
        uid = a.replica.queue_enrolment(enrolment("Nguyễn Văn Lân", "079061012345",
                                                  lan, near(lan, 2)))
        first = a.sync.round()
        assert first.error is None and first.pushed == 1 and first.pulled == 1
        answer = a.replica.answer_of(uid)
        assert answer is not None and answer["result"] == "created"
        lan_id = answer["citizen_id"]
        # Kiosk A recognises Lân from its replica, in place (no reload).
        assert a.index.search(near(lan, 3), citizens=1)[0].citizen_id == lan_id
        # The same face enrolled at kiosk B under another id number: refused at the server.
        b.replica.queue_enrolment(enrolment("Khác", "001090000001", near(lan, 4)))
        got = b.sync.round()
        assert got.error is None and got.pushed == 1 and got.pulled == 1
        assert "already enrolled" in got.refused[0]["reason"]
        assert b.index.search(near(lan, 5), citizens=1)[0].citizen_id == lan_id
        assert b.store.get(lan_id).id_number_masked == "********2345"
        assert b.replica.backlog() == 0

        # A second process on kiosk B's database (the recognition child) follows in place.
        child_index = TemplateIndex()
        b.store.load_index(child_index)
        follower = ReplicaFollower(b.store, child_index)
        assert len(child_index) == 2

        # Erased at the server: gone from both kiosks' indexes at their next round.
        out = qs.run("citizens", "delete", str(lan_id), "--yes")
        assert "erased" in out
        for kiosk in (a, b):
            r = kiosk.sync.round()
            assert r.error is None and r.deleted == 1
            assert r.seconds < 3.0  # well inside the default sync.interval_s
            assert kiosk.index.search(lan, citizens=1) == []
            assert kiosk.store.get(lan_id) is None
        assert follower.refresh() == 1 and len(child_index) == 0
    finally:
        a.close()
        b.close()


def test_offline_enrolment_waits_in_the_outbox_and_is_not_lost(
        server: QueueServerProcess, tmp_path: Path) -> None:
    k = open_kiosk(tmp_path / "kiosk", server.url, server.add_kiosk())
    try:
        server.stop()
        uid = k.replica.queue_enrolment(enrolment("Trần Thị Mai", "001190000002", face(7)))
        r = k.sync.round()
        assert r.error and "unreachable" in r.error and r.pending == 1
        server.start()
        r = k.sync.round()
        assert r.error is None and r.pushed == 1 and r.pending == 0 and r.pulled == 1
        assert k.replica.answer_of(uid)["result"] == "created"
        assert len(k.index) == 1
    finally:
        k.close()


def test_bad_pages_keep_the_last_good_replica(server: QueueServerProcess,
                                              tmp_path: Path) -> None:
    k = open_kiosk(tmp_path / "kiosk", server.url, server.add_kiosk())
    try:
        k.replica.queue_enrolment(enrolment("Trần Thị Mai", "001190000002", face(7)))
        assert k.sync.round().error is None
        good = k.replica.state()
        page = k.client.registry_changes(0)
        # A corrupt template.
        bad = json.loads(json.dumps(page))
        bad["changes"][0]["templates"][0]["vector"] = "AAAA"
        bad["cursor"] += 5
        with pytest.raises(Exception, match="corrupt entry for citizen"):
            k.replica.apply(bad, server.url)
        # A page from another registry, and from another site.
        with pytest.raises(Exception, match="holds another registry"):
            k.replica.apply({**page, "registry_id": "00000000-0000-0000-0000-000000000000"},
                            server.url)
        with pytest.raises(Exception, match="belongs to site 'other'"):
            k.replica.apply({**page, "site": "other"}, server.url)
        assert k.replica.state().cursor == good.cursor and len(k.index) == 1
        assert k.store.list()[0].full_name == "Trần Thị Mai"
    finally:
        k.close()


def test_wrong_key_at_the_server_is_one_line_and_the_replica_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    qs = QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "server").start()
    token = qs.add_kiosk()
    k = open_kiosk(tmp_path / "kiosk", qs.url, token)
    try:
        k.replica.queue_enrolment(enrolment("Trần Thị Mai", "001190000002", face(7)))
        assert k.sync.round().error is None
        qs.stop()
        monkeypatch.setenv("QUEUE_SERVER_REGISTRY_KEY", "cd" * 32)
        qs.start()
        r = k.sync.round()
        assert r.error and "not the key the registry was sealed with" in r.error
        assert len(k.index) == 1 and k.store.list()[0].full_name == "Trần Thị Mai"
        # The running kiosk's sync says so on the staff line.
        engine = make_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
        worker = SyncWorker(k.client, TicketStore(make_sessionmaker(engine), []),
                            SyncSettings(), tmp_path, registry=k.sync)
        lines: list[str | None] = []
        worker.on_registry = lines.append
        worker.registry_step()
        assert lines and lines[-1] is not None
        assert "citizen registry" in lines[-1] and "registry key" in lines[-1]
        assert worker.status.registry_error is not None
        engine.dispose()
    finally:
        k.close()
        qs.stop()


def _admin_http(qs: QueueServerProcess) -> httpx.Client:
    qs.run("user", "add", "quantri", "--role", "admin", "--password", "mat khau quan tri")
    http = httpx.Client(base_url=qs.url, timeout=30)
    r = http.post("/api/v1/auth/login", json={"username": "quantri",
                                               "password": "mat khau quan tri"})
    assert r.status_code == 200, r.text
    return http


def test_recognitions_move_last_seen_at_the_server_and_keep_the_citizen_past_retention(
        server: QueueServerProcess, tmp_path: Path) -> None:
    """A kiosk greets Lan: with its next round the server's last_seen moves on, so the
    retention job keeps her and erases only the citizen nobody saw."""
    k = open_kiosk(tmp_path / "kiosk", server.url, server.add_kiosk())
    db = sa.create_engine(server.db_url)
    try:
        k.replica.queue_enrolment(enrolment("Nguyễn Thị Lan", "079161012345", face(1)))
        k.replica.queue_enrolment(enrolment("Lê Văn Cũ", "001090000003", face(2)))
        assert k.sync.round().error is None
        lan, cu = sorted(c.id for c in k.store.list())
        with db.begin() as conn:  # both enrolled long ago
            conn.execute(sa.text("UPDATE registry_citizens SET last_seen_at = '2025-01-01'"))
        seen = SeenLog(k.store.engine)
        lookup = citizen_lookup(k.store, seen)
        before = datetime.now(UTC).replace(tzinfo=None)
        assert lookup(lan) is not None and lookup(lan) is not None  # greeted, twice
        assert not seen.note(lan)  # moments later: not written down again
        r = k.sync.round()
        assert r.error is None and r.seen == 1
        assert k.replica.sightings() == []  # the server has it
        with db.connect() as conn:
            last = dict(conn.execute(sa.text("SELECT id, last_seen_at FROM registry_citizens")
                                     ).all())
        lan_seen = last[lan] if isinstance(last[lan], datetime) else datetime.fromisoformat(
            last[lan])
        assert lan_seen >= before - timedelta(seconds=5)
        out = server.run("citizens", "retention", "--days", "30")
        assert "erased 1 citizen(s)" in out
        r = k.sync.round()
        assert r.deleted == 1 and [c.id for c in k.store.list()] == [lan]
        assert cu not in {c.citizen_id for c in k.index.search(face(2), citizens=2)}
        # Nothing but the citizen's number and a time went to the server.
        assert k.replica.sightings() == []
    finally:
        db.dispose()
        k.close()


def test_the_card_s_sex_reaches_every_kiosk_s_greeting_and_unknown_gets_none(
        server: QueueServerProcess, tmp_path: Path) -> None:
    a = open_kiosk(tmp_path / "a", server.url, server.add_kiosk("a"))
    b = open_kiosk(tmp_path / "b", server.url, server.add_kiosk("b"))
    try:
        a.replica.queue_enrolment({**enrolment("Nguyễn Văn Lân", "079061012345", face(1)),
                                   "sex": "male"})
        a.replica.queue_enrolment({**enrolment("Trần Thị Mai", "001190000002", face(2)),
                                   "sex": "female"})
        a.replica.queue_enrolment(enrolment("Phạm Minh Khải", "001090000004", face(3)))
        assert a.sync.round().error is None
        assert b.sync.round().error is None
        lookup = citizen_lookup(b.store)
        by_name = {c.full_name: c.id for c in b.store.list()}
        greet = {name: greeting_of(lookup(cid)) for name, cid in by_name.items()}
        assert greet == {"Nguyễn Văn Lân": ("Lân", "male"), "Trần Thị Mai": ("Mai", "female"),
                         "Phạm Minh Khải": ("Khải", None)}
    finally:
        a.close()
        b.close()


def test_an_admin_replaces_a_face_and_every_kiosk_drops_the_old_templates(
        server: QueueServerProcess, tmp_path: Path) -> None:
    a = open_kiosk(tmp_path / "a", server.url, server.add_kiosk("a"))
    b = open_kiosk(tmp_path / "b", server.url, server.add_kiosk("b"))
    http = _admin_http(server)
    try:
        old, new = face(1), face(50)
        a.replica.queue_enrolment(enrolment("Nguyễn Văn Lân", "079061012345", old, near(old, 2)))
        a.replica.queue_enrolment(enrolment("Trần Thị Mai", "001190000002", face(2)))
        assert a.sync.round().error is None and b.sync.round().error is None
        lan = next(c.id for c in b.store.list() if c.full_name == "Nguyễn Văn Lân")
        # Mai's face is another citizen's: refused (409), nothing changed.
        r = http.post(f"/api/v1/registry/citizens/{lan}/replace-face",
                      json={"templates": [encode_vector(near(face(2), 3))]})
        assert r.status_code == 409 and "already enrolled as another citizen" in r.text
        r = http.post(f"/api/v1/registry/citizens/{lan}/replace-face",
                      json={"templates": [encode_vector(new)]})
        assert r.status_code == 200, r.text
        assert r.json() == {"citizen_id": lan, "result": "replaced", "templates_erased": 2,
                            "templates": 1}
        for kiosk in (a, b):
            rnd = kiosk.sync.round()
            assert rnd.error is None and rnd.pulled == 1 and rnd.templates == 1
            assert kiosk.index.search(new, citizens=1)[0].citizen_id == lan
            assert all(c.citizen_id != lan or c.distance > 0.6
                       for c in kiosk.index.search(old, citizens=2))
            assert kiosk.store.get(lan).templates == 1
        trail = http.get(f"/api/v1/registry/citizens/{lan}/export").json()["audit"]
        assert [x["action"] for x in trail if x["action"].startswith("replace")] == [
            "replace_refused", "replace"]
        assert "2 template(s) erased, 1 new" in trail[-2]["detail"]  # then the export
        # Staff without the admin role may not.
        server.run("user", "add", "nv", "--role", "staff", "--password", "mat khau nv 123")
        staff = httpx.Client(base_url=server.url, timeout=30)
        staff.post("/api/v1/auth/login", json={"username": "nv", "password": "mat khau nv 123"})
        r = staff.post(f"/api/v1/registry/citizens/{lan}/replace-face",
                       json={"templates": [encode_vector(old)]})
        assert r.status_code == 403
        staff.close()
        r = http.post("/api/v1/registry/citizens/999999/replace-face",
                      json={"templates": [encode_vector(old)]})
        assert r.status_code == 404
        r = http.post(f"/api/v1/registry/citizens/{lan}/replace-face",
                      json={"templates": ["not base64!"]})
        assert r.status_code == 422
    finally:
        http.close()
        a.close()
        b.close()
