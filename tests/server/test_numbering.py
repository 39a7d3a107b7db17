"""Numbering: per site, service and local day; atomic under concurrency (threads over
real HTTP, and many database connections on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from qs_helpers import LiveServer, add_kiosk, auth, make_app, new_id

from config.server import QueueServerSettings
from server.db import Database
from server.domain.clock import local_day
from server.domain.issuing import issue_ticket
from server.domain.records import TicketRequest
from server.models import Kiosk, Service, Site, Ticket


def test_numbers_follow_the_pattern_and_restart_at_local_midnight(app: FastAPI) -> None:
    state = app.state.qs
    with state.db.session() as s:
        site = s.scalar(sa.select(Site))
        kiosk = Kiosk(site_id=site.id, name="k", token_hash="x" * 64)
        s.add(kiosk)
        s.flush()
        # 16:59:59 UTC is 23:59:59 in Hanoi; one second later is the next local day.
        before = dt.datetime(2026, 3, 1, 16, 59, 59)
        after = before + dt.timedelta(seconds=1)
        assert local_day(site, before) == dt.date(2026, 3, 1)
        assert local_day(site, after) == dt.date(2026, 3, 2)
        numbers = []
        for now in (before, before, after):
            t, created = issue_ticket(s, state.settings, site, kiosk,
                                        TicketRequest(id=uuid.uuid4(), service="LD"), now=now)
            assert created
            numbers.append((t.day, t.number))
        assert numbers == [(dt.date(2026, 3, 1), "F001"), (dt.date(2026, 3, 1), "F002"),
                           (dt.date(2026, 3, 2), "F001")]


def test_number_pattern_is_configurable(db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path, number_pattern="{prefix}-{seq:04d}")
    from fastapi.testclient import TestClient

    token = add_kiosk(app)
    r = TestClient(app).post("/api/v1/tickets", json={"id": new_id(), "service": "KD"},
                             headers=auth(token))
    assert r.json()["number"] == "E-0001"
    app.state.qs.db.dispose()


def test_bad_number_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="seq"):
        QueueServerSettings(number_pattern="{prefix}")
    with pytest.raises(ValueError, match="pattern"):
        QueueServerSettings(number_pattern="{prefix}{nope}")


def test_concurrent_kiosks_over_http_never_share_a_number(
    app: FastAPI, live_server: LiveServer
) -> None:
    """16 kiosks issue 240 tickets at once (plus a lease and resent ids) over real HTTP."""
    tokens = [add_kiosk(app, f"k{i}") for i in range(16)]
    per_kiosk = 15
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens))

    def kiosk(token: str) -> None:
        with httpx.Client(base_url=live_server.url, headers=auth(token), timeout=60) as c:
            barrier.wait()
            for i in range(per_kiosk):
                tid = new_id()
                r = c.post("/api/v1/tickets", json={"id": tid, "service": "HT"})
                again = c.post("/api/v1/tickets", json={"id": tid, "service": "HT"}) \
                    if i % 5 == 0 else None
                with lock:
                    results.append((r.status_code, r.json()))
                    if again is not None:
                        assert again.status_code == 200, again.text
                        assert again.json()["number"] == r.json()["number"]
            if token == tokens[0]:
                lease = c.post("/api/v1/leases", json={"service": "HT", "size": 7})
                assert lease.status_code == 201

    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(kiosk, tokens))
    assert all(code == 201 for code, _ in results), [b for c, b in results if c != 201][:3]
    seqs = sorted(body["seq"] for _, body in results)
    total = len(tokens) * per_kiosk
    assert len(set(seqs)) == total
    with app.state.qs.db.read_session() as s:
        stored = s.scalars(sa.select(Ticket.seq)).all()
        last = s.execute(sa.text("select max(last_seq) from daily_sequences")).scalar_one()
    assert sorted(stored) == seqs  # nothing lost, nothing extra
    # Every number handed out is either a ticket or in the lease: no gaps, no repeats.
    assert last == total + 7
    missing = set(range(1, last + 1)) - set(seqs)
    assert len(missing) == 7 and max(missing) - min(missing) == 6


def test_same_id_sent_concurrently_is_stored_once(app: FastAPI, live_server: LiveServer
                                                  ) -> None:
    token = add_kiosk(app)
    tid = new_id()
    barrier = threading.Barrier(8)

    def send(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server.url, headers=auth(token), timeout=60) as c:
            barrier.wait()
            r = c.post("/api/v1/tickets", json={"id": tid, "service": "DD"})
            return r.status_code, r.json()["number"]

    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(send, range(8)))
    assert sorted(code for code, _ in out) == [200] * 7 + [201]
    assert {number for _, number in out} == {"C001"}
    with app.state.qs.db.read_session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1


def test_many_connections_reserve_unique_numbers(db_url: str, tmp_path: Path) -> None:
    """Each thread has its own engine (own connections, like separate server processes)."""
    app = make_app(db_url, tmp_path)
    settings = app.state.qs.settings
    with app.state.qs.db.session() as s:
        site_id = s.scalar(sa.select(Site.id))
        s.add(Kiosk(site_id=site_id, name="k", token_hash="y" * 64))
    app.state.qs.db.dispose()
    workers, each = 8, 25
    got: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(workers)

    def process(_: int) -> None:
        db = Database(db_url, pool_size=2)
        barrier.wait()
        for _ in range(each):
            with db.session() as s:
                site = s.get(Site, site_id)
                kiosk = s.scalar(sa.select(Kiosk))
                t, _created = issue_ticket(s, settings, site, kiosk,
                                             TicketRequest(id=uuid.uuid4(), service="CT"))
                number = t.number
            with lock:
                got.append(number)
        db.dispose()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(process, range(workers)))
    assert len(got) == len(set(got)) == workers * each
    assert sorted(got) == [f"B{i:03d}" for i in range(1, workers * each + 1)]
    db = Database(db_url)
    with db.read_session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Ticket)) == workers * each
        assert s.scalar(sa.select(Service.prefix).where(Service.code == "CT")) == "B"
    db.dispose()
