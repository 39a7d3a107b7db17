"""Withdrawn ticket ids: pruned after ``server.withdrawn_retention_days``; and the race of
a kiosk's withdrawal of a timed-out id and that late request being stored at the same
moment, on PostgreSQL (READ COMMITTED: neither transaction sees the other's uncommitted
row). One side is held open in the test's own session, in the middle of the project's
own domain call; the other goes through the real server over HTTP and must wait for it,
then see its row: no ticket waits in the queue with a number nobody holds."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from qs_helpers import LiveServer, add_kiosk, auth, make_app, new_id

from server.auth import authenticate
from server.day_closer import DayCloser
from server.domain.citizen_tickets import withdraw_ticket
from server.domain.issuing import issue_online
from server.domain.records import NewTicket, TicketRequest
from server.domain.storage import ID_LOCK_CLASS, id_lock_key
from server.models import Kiosk, Ticket, WithdrawnTicket, utcnow

#: the race exists on PostgreSQL only (SQLite has one writer at a time): conftest's ``app``
#: and ``live_server`` on PostgreSQL alone
ON_POSTGRESQL = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def in_thread(call: Callable[[], httpx.Response]) -> Future[httpx.Response]:
    pool = ThreadPoolExecutor(1)
    future = pool.submit(call)
    pool.shutdown(wait=False)
    return future


def waits_for_id_lock(app: FastAPI, ticket_id: str, answer: Future[httpx.Response]) -> bool:
    """True once a server connection waits for ``ticket_id``'s advisory lock; False if the
    server answered without waiting (or did not start waiting within 20 s)."""
    waiting = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                      "AND NOT granted AND CAST(classid AS bigint) = :cls "
                      "AND CAST(objid AS bigint) = :key AND objsubid = 2")
    deadline = time.monotonic() + 20
    with app.state.qs.db.engine.connect() as conn:
        while time.monotonic() < deadline and not answer.done():
            if conn.execute(waiting, {"cls": ID_LOCK_CLASS,
                                      "key": id_lock_key(ticket_id)}).scalar_one():
                return True
            conn.rollback()  # a fresh snapshot of pg_locks each time
            time.sleep(0.02)
    return False


def stored(app: FastAPI, ticket_id: str) -> Ticket | None:
    with app.state.qs.db.read_session() as s:
        return s.get(Ticket, ticket_id)


@ON_POSTGRESQL
def test_a_withdrawal_waits_for_the_request_being_stored_then_cancels_its_ticket(
        app: FastAPI, live_server: LiveServer) -> None:
    token, tid = add_kiosk(app), new_id()
    with app.state.qs.db.session() as s:  # the late request: stored, not committed yet
        kiosk, site = authenticate(s, token)
        [result] = issue_online(s, app.state.qs.settings, [
            (site, kiosk, TicketRequest(id=uuid.UUID(tid), service="HT"))], precheck=False)
        assert isinstance(result, tuple) and isinstance(result[0], NewTicket)
        answer = in_thread(lambda: httpx.post(
            f"{live_server.url}/api/v1/tickets/{tid}/withdraw", json={"reason": "kiosk_timeout"},
            headers=auth(token), timeout=30))
        waited = waits_for_id_lock(app, tid, answer)
    r = answer.result(30)
    assert r.status_code == 200, r.text
    # The withdrawal found the ticket once the request committed, and cancelled it.
    assert r.json() == {"id": tid, "outcome": "cancelled", "number": result[0].number}
    ticket = stored(app, tid)
    assert ticket is not None and ticket.status == "cancelled"
    assert waited, "the withdrawal did not wait for the request being stored"


@ON_POSTGRESQL
def test_a_request_stored_while_its_withdrawal_commits_waits_and_is_refused(
        app: FastAPI, live_server: LiveServer) -> None:
    token, tid = add_kiosk(app), new_id()
    with app.state.qs.db.session() as s:  # the withdrawal: tombstone not committed yet
        kiosk, site = authenticate(s, token)
        outcome, _ = withdraw_ticket(s, site, kiosk, tid, "kiosk_timeout")
        assert outcome == "unknown"
        answer = in_thread(lambda: httpx.post(
            f"{live_server.url}/api/v1/tickets", json={"id": tid, "service": "HT"},
            headers=auth(token), timeout=30))
        waited = waits_for_id_lock(app, tid, answer)
    r = answer.result(30)
    # The late request saw the committed tombstone: refused, no ticket, no number used.
    assert r.status_code == 409 and r.json()["reason"] == "withdrawn", r.text
    assert stored(app, tid) is None
    nxt = httpx.post(f"{live_server.url}/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                     headers=auth(token), timeout=30)
    assert nxt.status_code == 201 and nxt.json()["number"] == "A001"
    with app.state.qs.db.read_session() as s:
        assert s.get(WithdrawnTicket, tid) is not None
    assert waited, "the request did not wait for the withdrawal being committed"


def withdrawals_aged(app: FastAPI, ages: dict[str, dt.timedelta]) -> None:
    add_kiosk(app)
    now = utcnow()
    with app.state.qs.db.session() as s:
        kiosk = s.scalars(sa.select(Kiosk)).first()
        assert kiosk is not None
        for tid, age in ages.items():
            s.add(WithdrawnTicket(id=tid, site_id=kiosk.site_id, kiosk_id=kiosk.id,
                                  reason="kiosk_timeout", outcome="unknown", at=now - age))


def withdrawn(app: FastAPI) -> set[str]:
    with app.state.qs.db.read_session() as s:
        return set(s.scalars(sa.select(WithdrawnTicket.id)))


def test_withdrawals_older_than_the_retention_are_pruned(
        app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    assert app.state.qs.settings.withdrawn_retention_days == 7
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    ages = {"today": hour, "almost-a-week": 7 * day - hour, "a-week-ago": 7 * day + hour,
            "last-month": 40 * day}
    withdrawals_aged(app, ages)
    closer = DayCloser(app.state.qs.settings, app.state.qs.db)
    with caplog.at_level(logging.INFO, logger="server.day_closer"):
        assert closer.prune_withdrawals() == 2
    assert withdrawn(app) == {"today", "almost-a-week"}
    assert "2 withdrawn ticket id(s) older than 7 days deleted" in caplog.text
    assert closer.prune_withdrawals() == 0 and withdrawn(app) == {"today", "almost-a-week"}


def test_the_day_change_thread_prunes_withdrawals_when_it_starts(
        db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path, withdrawn_retention_days=2)
    withdrawals_aged(app, {"yesterday": dt.timedelta(days=1),
                           "three-days-ago": dt.timedelta(days=3)})
    closer = DayCloser(app.state.qs.settings, app.state.qs.db)
    closer.start()
    try:
        deadline = time.monotonic() + 20
        while withdrawn(app) != {"yesterday"} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert withdrawn(app) == {"yesterday"}
    finally:
        closer.stop()
        app.state.qs.issuer.close()
        app.state.qs.db.dispose()
