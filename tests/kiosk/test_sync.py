"""The kiosk and a real queue-server process on loopback: online issuing, leases, the
outbox while the server is down, and idempotent upload when it comes back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from config.sync import SyncSettings
from kiosk.db import make_engine, make_sessionmaker
from kiosk.flow import IssueTicket, Service
from kiosk.sync import (
    NoNumberError,
    QueueClient,
    ServerError,
    ServerIssuer,
    SyncWorker,
    load_catalogue,
)
from kiosk.tickets import LEASED, ONLINE, TicketStore
from tests.support.queue_server import QueueServerProcess

SERVICES = [Service("HT", "A", "Hộ tịch", "Civil status"),
            Service("CT", "B", "Chứng thực", "Certification")]


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'kiosk.db'}")
    return TicketStore(make_sessionmaker(engine), list(SERVICES))


def settings(**kw: object) -> SyncSettings:
    return SyncSettings(**{"issue_timeout_s": 1.0, "request_timeout_s": 3.0,
                           "lease_size": 5, "lease_low_watermark": 2, **kw})


def server_ticket(server: QueueServerProcess, token: str, ticket_id: str) -> dict:
    r = httpx.get(f"{server.url}/api/v1/tickets/{ticket_id}",
                  headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_online_issue_catalogue_and_leases(server: QueueServerProcess, store: TicketStore,
                                           tmp_path: Path) -> None:
    token = server.add_kiosk()
    client = QueueClient(server.url, token)
    issuer = ServerIssuer(client, store, settings())
    ticket = issuer(IssueTicket("HT", citizen_id=7, guest_key=None, priority=False))
    assert ticket.number == "A001"
    assert store.get(ticket.id).number == "A001"
    assert ticket.survey_url and ticket.survey_url.startswith(server.url + "/t/")
    assert store.outbox_backlog() == 0  # the server has it already
    on_server = server_ticket(server, token, ticket.id)
    assert on_server["number"] == "A001" and on_server["citizen_id"] == "c-7"

    worker = SyncWorker(client, store, settings(), tmp_path)
    assert worker.step() and worker.status.online
    cached = load_catalogue(tmp_path)
    assert cached and {s.code for s in cached} >= {"HT", "CT"}
    assert store.leased_remaining("HT") == 5
    # The next online number comes after the leased block: nobody else can issue those.
    after_sync = issuer(IssueTicket("HT", None, "g1", False))
    assert after_sync.number == "A007"
    # The catalogue says which counters serve the service: the ticket names them.
    assert after_sync.counters == "1, 2"
    client.close()


def test_server_down_issues_from_lease_and_uploads_once(
    server: QueueServerProcess, store: TicketStore, tmp_path: Path
) -> None:
    token = server.add_kiosk()
    client = QueueClient(server.url, token, timeout_s=2.0)
    s = settings()
    worker = SyncWorker(client, store, s, tmp_path)
    assert worker.step()
    leased = store.leased_remaining("HT")
    assert leased == 5

    server.stop()
    issuer = ServerIssuer(client, store, s)
    started = time.monotonic()
    offline = [issuer(IssueTicket("HT", None, f"g{i}", False)) for i in range(3)]
    assert time.monotonic() - started < 3 * (s.issue_timeout_s + 1.0)
    assert [t.number for t in offline] == ["A001", "A002", "A003"]
    assert store.outbox_backlog() == 3
    assert worker.step() is False and not worker.status.online
    assert "unreachable" in (worker.status.last_error or "")

    server.start()
    assert worker.step() and store.outbox_backlog() == 0
    for t in offline:
        on_server = server_ticket(server, token, t.id)
        assert on_server["number"] == t.number and on_server["offline"] is True
        # A reprint after the upload carries the survey link the server signed.
        assert store.get(t.id).survey_url == on_server["ticket_url"]
    # Sending the same tickets again stores nothing new.
    again = client.upload([{"id": t.id, "service": "HT", "number": t.number,
                            "issued_at": t.issued_at.isoformat()} for t in offline])
    assert again["created"] == 0 and again["existing"] == 3
    # Offline tickets are in the queue in the order they were issued.
    seqs = [server_ticket(server, token, t.id)["seq"] for t in offline]
    assert seqs == sorted(seqs)
    client.close()


def test_lease_exhausted_offline_is_a_clear_error(
    server: QueueServerProcess, store: TicketStore
) -> None:
    client = QueueClient(server.url, server.add_kiosk())
    server.stop()
    issuer = ServerIssuer(client, store, settings())
    with pytest.raises(NoNumberError, match="no leased number of service CT"):
        issuer(IssueTicket("CT", None, None, False))
    client.close()


def test_bad_token_is_refused_with_a_hint(server: QueueServerProcess,
                                          store: TicketStore) -> None:
    client = QueueClient(server.url, "not-a-real-token")
    issuer = ServerIssuer(client, store, settings())
    with pytest.raises(ServerError, match="kiosk token was refused") as err:
        issuer(IssueTicket("HT", None, None, False))
    assert err.value.status == 401 and not err.value.unreachable
    assert store.outbox_backlog() == 0
    client.close()


def test_sources_are_recorded(server: QueueServerProcess, store: TicketStore,
                              tmp_path: Path) -> None:
    import sqlalchemy as sa

    from kiosk.tickets import Ticket

    client = QueueClient(server.url, server.add_kiosk())
    SyncWorker(client, store, settings(), tmp_path).step()
    online = ServerIssuer(client, store, settings())(IssueTicket("HT", None, None, False))
    server.stop()
    offline = ServerIssuer(client, store, settings())(IssueTicket("HT", None, None, False))
    with store.sessions() as session:
        sources = dict(session.execute(sa.select(Ticket.id, Ticket.source)).all())
    assert sources == {online.id: ONLINE, offline.id: LEASED}
    client.close()
