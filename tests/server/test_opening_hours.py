"""Opening hours and the day change: outside hours the kiosk API refuses new numbers with
reason 'closed' and the hours; a queue left open overnight is kept or marked no-show per
`server.day_change`, once, and the report counts it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, login, make_app, new_id

from server.day_closer import DayCloser
from server.models import AuditLog, DailySequence, Service, Site, Ticket
from server.reports import report_rows


def test_outside_hours_the_kiosk_api_refuses_with_the_reason(db_url: str,
                                                             tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path, enforce_open_hours=True)
    client = TestClient(app)
    token = add_kiosk(app)
    with app.state.qs.db.session() as s:
        for svc in s.scalars(sa.select(Service)):
            svc.opens_at, svc.closes_at = "00:00", "00:00"  # never open
    r = client.post("/api/v1/tickets", headers=auth(token),
                    json={"id": new_id(), "service": "HT"})
    assert r.status_code == 409
    assert r.json()["reason"] == "closed"
    assert "closed now (open 00:00-00:00)" in r.json()["detail"]
    services = client.get("/api/v1/services", headers=auth(token)).json()
    assert all(s["open_now"] is False and s["opens_at"] == "00:00" for s in services)
    board = client.get("/board/HCC/state.json").json()
    assert board["hours"]["open"] is False
    app.state.qs.db.dispose()


def yesterday_queue(app, client: TestClient, n: int) -> dt.date:  # type: ignore[no-untyped-def]
    """``n`` tickets of HT, one of them called, moved to the site's yesterday."""
    token = add_kiosk(app)
    for _ in range(n):
        client.post("/api/v1/tickets", headers=auth(token), json={"id": new_id(),
                                                                  "service": "HT"})
    login(app, "chi").post("/api/v1/counters/1/call-next")
    with app.state.qs.db.session() as s:
        today = s.scalar(sa.select(Ticket.day).limit(1))
        yesterday = today - dt.timedelta(days=1)
        s.execute(sa.update(DailySequence).values(day=yesterday))
        s.execute(sa.update(Ticket).values(day=yesterday))
    return yesterday


@pytest.mark.parametrize("mode", ["no_show", "keep"])
def test_day_change_closes_out_or_keeps_the_queue_once(db_url: str, tmp_path: Path,
                                                        mode: str) -> None:
    app = make_app(db_url, tmp_path, day_change=mode)
    client = TestClient(app)
    yesterday = yesterday_queue(app, client, 3)
    closer = DayCloser(app.state.qs.settings, app.state.qs.db)
    assert closer.run_once() == {"HCC": {yesterday.isoformat(): 3}}
    assert closer.run_once() == {}  # once per day
    with app.state.qs.db.read_session() as s:
        statuses = sorted(s.scalars(sa.select(Ticket.status)))
        waiting = s.scalar(sa.select(DailySequence.waiting))
        notes = list(s.scalars(sa.select(AuditLog.detail).where(
            AuditLog.action == "day_closed")))
        site = s.scalars(sa.select(Site)).one()
        row = report_rows(s, site, yesterday, yesterday)[0]
    if mode == "no_show":
        assert statuses == ["no_show"] * 3
        assert waiting == 0  # the kept queue length follows
        assert notes == [f"{yesterday.isoformat()}: marked 3 open ticket(s) no-show"]
        assert (row["no_show"], row["closed_out"], row["left_open"]) == (3, 3, 0)
    else:
        assert statuses == ["called", "waiting", "waiting"]
        assert waiting == 2
        assert notes == [f"{yesterday.isoformat()}: kept 3 open ticket(s)"]
        assert (row["no_show"], row["closed_out"], row["left_open"]) == (0, 0, 3)
    manager = login(app, "quanly", "manager")
    csv = manager.get(f"/api/v1/reports.csv?from={yesterday}&to={yesterday}")
    assert csv.status_code == 200 and "closed_out" in csv.text and "left_open" in csv.text
    app.state.qs.db.dispose()
