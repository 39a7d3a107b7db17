"""The kiosk and a real queue-server process on loopback: online issuing, leases, the
outbox while the server is down, and idempotent upload when it comes back."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from config.sync import SyncSettings
from kiosk.adapters.issuing import NoNumberError, ServerIssuer
from kiosk.adapters.server_client import QueueClient, ServerError
from kiosk.adapters.sync import SyncWorker, load_catalogue
from kiosk.db import make_sessionmaker
from kiosk.model import IssueTicket, Service
from kiosk.schema import make_engine
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
    # Connection refused: the requests never left, so there is nothing to withdraw.
    assert store.outbox_backlog() == 3 and store.withdrawn_ids() == set()
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

    from kiosk.tickets import TicketRow

    client = QueueClient(server.url, server.add_kiosk())
    SyncWorker(client, store, settings(), tmp_path).step()
    online = ServerIssuer(client, store, settings())(IssueTicket("HT", None, None, False))
    server.stop()
    offline = ServerIssuer(client, store, settings())(IssueTicket("HT", None, None, False))
    with store.sessions() as session:
        sources = dict(session.execute(sa.select(TicketRow.id, TicketRow.source)).all())
    assert sources == {online.id: ONLINE, offline.id: LEASED}
    client.close()


# -- one numbering: leased numbers follow the server's pattern; refusals are kept

PATTERN = "{service}-{seq:04d}"  # not the shipped default, and it uses {service}


def pattern_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   pattern: str) -> QueueServerProcess:
    """A queue-server whose ``server.number_pattern`` is ``pattern`` (from the environment,
    as a technician would set it), on its own SQLite database."""
    monkeypatch.setenv("KIOSK_SERVER__NUMBER_PATTERN", pattern)
    return QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "server")


def test_leased_numbers_use_the_servers_pattern_and_are_accepted(
    store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = pattern_server(tmp_path, monkeypatch, PATTERN).start()
    try:
        token = server.add_kiosk()
        client = QueueClient(server.url, token, timeout_s=2.0)
        worker = SyncWorker(client, store, settings(), tmp_path)
        assert worker.step() and store.leased_remaining("CT") == 5

        server.stop()  # unreachable: the kiosk numbers from its leases
        issuer = ServerIssuer(client, store, settings())
        offline = [issuer(IssueTicket("CT", None, f"g{i}", False)) for i in range(3)]
        assert [t.number for t in offline] == ["CT-0001", "CT-0002", "CT-0003"]

        server.start()
        assert worker.step(), worker.status.last_error
        assert store.outbox_backlog() == 0 and store.refused_uploads() == []
        for t in offline:
            on_server = server_ticket(server, token, t.id)
            assert on_server["number"] == t.number and on_server["offline"] is True
        client.close()
    finally:
        server.stop()


def test_a_refused_upload_is_kept_marked_logged_and_not_retried(
    store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = pattern_server(tmp_path, monkeypatch, "{prefix}{seq:03d}").start()
    try:
        token = server.add_kiosk()
        client = QueueClient(server.url, token, timeout_s=2.0)
        reported = []
        worker = SyncWorker(client, store, settings(), tmp_path, on_refused=reported.append)
        assert worker.step()
        server.stop()
        issuer = ServerIssuer(client, store, settings())
        refused = issuer(IssueTicket("HT", None, None, False))
        assert refused.number == "A001"
        # The server comes back with another pattern: A001 is not one of its numbers.
        monkeypatch.setenv("KIOSK_SERVER__NUMBER_PATTERN", PATTERN)
        server.start()
        with caplog.at_level("ERROR", logger="kiosk.adapters.sync"):
            assert worker.step(), worker.status.last_error
        assert [r.number for r in reported] == ["A001"]
        assert "does not match" in reported[0].reason
        assert any("A001" in r.getMessage() and "refused" in r.getMessage()
                   for r in caplog.records)
        # Kept (never deleted), marked refused with the reason, no longer pending.
        assert store.refused_uploads() == reported
        assert store.outbox_backlog() == 0 and worker.status.refused == 1
        assert refused.id in store.unsent_ticket_ids()
        assert store.get(refused.id).number == "A001"
        # Not sent again: another round reports nothing new and the server never had it.
        assert worker.step()
        assert len(reported) == 1
        r = httpx.get(f"{server.url}/api/v1/tickets/{refused.id}",
                      headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 404
        client.close()
    finally:
        server.stop()


def test_a_batch_refused_as_a_whole_is_split_and_only_the_bad_ticket_is_kept_refused(
    server: QueueServerProcess, store: TicketStore, tmp_path: Path
) -> None:
    client = QueueClient(server.url, server.add_kiosk(), timeout_s=2.0)
    worker = SyncWorker(client, store, settings(), tmp_path)
    good = store.issue_standalone("HT")
    # A ticket of a service code the server's API refuses outright (the whole batch: 422).
    bad = store.record("0b6c2b0e-2f4a-4a43-9c1e-5d1c4d6b7a01", "H T!", "X001", "standalone")
    assert worker.step(), worker.status.last_error
    assert store.outbox_backlog() == 0
    assert [(r.ticket_id, r.number) for r in store.refused_uploads()] == [(bad.id, "X001")]
    assert good.id not in store.unsent_ticket_ids()
    client.close()


# -- issue 12: a number always, even from a kiosk that never reached its server


def test_a_kiosk_that_never_reached_its_server_issues_emergency_numbers_the_server_accepts(
    server: QueueServerProcess, store: TicketStore, tmp_path: Path
) -> None:
    import sqlalchemy as sa

    from kiosk.tickets import EMERGENCY, TicketRow
    from ticketing.numbers import emergency_seq, emergency_slot, is_emergency_seq

    token = server.add_kiosk()
    other = server.add_kiosk("kiosk-2")
    server.stop()  # before the kiosk's first contact: no catalogue, no lease
    client = QueueClient(server.url, token, timeout_s=2.0)
    slot = emergency_slot(token)
    issuer = ServerIssuer(client, store, settings(), emergency_slot=slot)
    first = issuer(IssueTicket("HT", 7, None, True))
    second = issuer(IssueTicket("HT", None, "g1", False))
    assert first.number == f"A{emergency_seq(slot, 1)}"
    assert second.number == f"A{emergency_seq(slot, 2)}"
    assert first.priority is True
    with store.sessions() as session:
        assert session.scalar(sa.select(TicketRow.source).where(
            TicketRow.id == first.id)) == EMERGENCY
    assert store.outbox_backlog() == 2  # kept until the server comes back

    server.start()
    worker = SyncWorker(client, store, settings(), tmp_path)
    for _ in range(5):
        worker.step()
        if store.outbox_backlog() == 0:
            break
    assert store.outbox_backlog() == 0 and store.refused_uploads() == []
    on_server = server_ticket(server, token, first.id)
    assert on_server["number"] == first.number and on_server["priority"] is True
    # The server's own numbers go on from 1 (after the 5 leased by the sync): no collision.
    online = issuer(IssueTicket("HT", None, None, False))
    assert online.number == "A006" and not is_emergency_seq(int(online.number[1:]))
    # Staff see these tickets as emergency ones (their timeline says so).
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    with engine.connect() as conn:
        details = dict(conn.execute(sa.text(
            "select ticket_id, detail from ticket_events where kind = 'issued'")).all())
    engine.dispose()
    assert details[first.id] == "emergency" and details[online.id] != "emergency"
    # Another kiosk cannot upload numbers of this kiosk's slot.
    if emergency_slot(other) != slot:
        stolen = httpx.post(f"{server.url}/api/v1/tickets/batch",
                            headers={"Authorization": f"Bearer {other}"},
                            json={"tickets": [{"id": "5d2c4c1e-8f0b-4c59-9a53-2f4b8f1e0c11",
                                               "service": "HT",
                                               "number": f"A{emergency_seq(slot, 3)}"}]})
        assert stolen.json()["results"][0]["result"] == "rejected"
    client.close()


# -- issue 17: ghost tickets. The online answer comes later than ``issue_timeout_s``: the
# citizen gets a leased number under a new id, and the first id must not wait on the server.

_ISSUE_THEN_KILL = """
import json, os, signal, sys
from config.sync import SyncSettings
from kiosk.adapters.issuing import ServerIssuer
from kiosk.adapters.server_client import QueueClient
from kiosk.db import make_sessionmaker
from kiosk.model import IssueTicket, Service
from kiosk.schema import make_engine
from kiosk.tickets import TicketStore
db, url, token = sys.argv[1:4]
store = TicketStore(make_sessionmaker(make_engine(db)), [Service("HT", "A", "Hộ tịch", "Civil")])
client = QueueClient(url, token, timeout_s=10.0)
ticket = ServerIssuer(client, store, SyncSettings(issue_timeout_s=0.5))(
    IssueTicket("HT", None, "g1", False))
print(json.dumps({"id": ticket.id, "number": ticket.number}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # before any sync round could send the withdrawal
"""


def _server_rows(db_file: Path, table: str = "tickets", column: str = "status"
                 ) -> dict[str, str]:
    """``{id: column}`` of every row of a table of the server's database."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text(f"select id, {column} from {table}")).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize("first", ["request", "withdrawal"])
def test_a_timed_out_online_request_leaves_no_ghost_in_the_queue(
    server: QueueServerProcess, store: TicketStore, tmp_path: Path, first: str
) -> None:
    """The server is reached through a proxy that holds every chunk longer than the issue
    timeout. The kiosk process issues a leased number and is killed -9 at once; restarted,
    it sends the withdrawal. Whether the late request or the withdrawal reaches the server
    first, the waiting queue then holds exactly the ticket the citizen holds."""
    import subprocess
    import sys

    from tests.support.tcp_proxy import TcpProxy

    token = server.add_kiosk()
    proxy = TcpProxy(("127.0.0.1", server.port)).restore()
    url = f"http://127.0.0.1:{proxy.port}"
    client = QueueClient(url, token, timeout_s=10.0)
    worker = SyncWorker(client, store, settings(issue_timeout_s=0.5), tmp_path)
    assert worker.step() and store.leased_remaining("HT") == 5
    delay = 3.0
    proxy.delay_s = delay  # every chunk: the online answer cannot come within 0.5 s
    root = Path(__file__).resolve().parents[2]
    sent = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", _ISSUE_THEN_KILL, f"sqlite:///{tmp_path / 'kiosk.db'}", url, token],
        cwd=root, capture_output=True, text=True, timeout=60)
    assert child.returncode == -9, child.stderr[-2000:]
    held = __import__("json").loads(child.stdout)
    assert held["number"] == "A001"  # the first leased number, given at once
    ghost_ids = store.withdrawn_ids()
    assert len(ghost_ids) == 1 and held["id"] not in ghost_ids
    ghost = ghost_ids.pop()
    assert store.outbox_backlog() == 2  # the leased ticket and the withdrawal survived -9
    db_file = tmp_path / "queue.db"
    if first == "request":  # the late online request lands and waits: a ghost, for now
        deadline = time.monotonic() + 20
        while ghost not in _server_rows(db_file) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _server_rows(db_file) == {ghost: "waiting"}
    proxy.delay_s = 0.0  # the network is well again (a chunk already held stays held)
    assert worker.step(), worker.status.last_error
    assert store.outbox_backlog() == 0
    if first == "withdrawal":  # the withdrawal got there first; now the request lands
        time.sleep(max(0.0, sent + 2 * delay + 1.0 - time.monotonic()))
    rows = _server_rows(db_file)
    waiting = {tid for tid, status in rows.items() if status == "waiting"}
    assert waiting == {held["id"]}
    assert server_ticket(server, token, held["id"])["number"] == "A001"
    withdrawn = _server_rows(db_file, "withdrawn_tickets", "outcome")
    if first == "request":
        assert rows[ghost] == "cancelled" and withdrawn == {ghost: "cancelled"}
    else:
        assert ghost not in rows  # refused when it arrived: no number used up
        assert withdrawn == {ghost: "unknown"}
    # The ghost is nobody's ticket at this kiosk either.
    assert store.get(ghost) is None
    client.close()
    proxy.cut()
