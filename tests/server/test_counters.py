"""Counter actions: call next (with the priority ratio), call a number, recall, no-show,
start, complete, transfer; staff roles and sites; the timeline and the audit log."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, add_site, auth, login, new_id

from server.domain import estimates
from server.models import AuditLog, DailySequence, Ticket, TicketEvent


def issue(client: TestClient, token: str, service: str = "HT", priority: bool = False) -> dict:
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": service,
                                             "priority": priority}, headers=auth(token))
    assert r.status_code == 201, r.text
    return r.json()


def test_call_start_complete_and_the_timeline(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    a1, a2 = issue(client, token), issue(client, token)
    staff = login(app, "chi")
    r = staff.post("/api/v1/counters/1/call-next")
    assert r.status_code == 200, r.text
    counter = r.json()
    assert counter["current"]["number"] == "A001" and counter["current"]["status"] == "called"
    assert counter["current"]["counter"] == 1
    assert [t["number"] for t in counter["waiting"]] == ["A002"]
    # The kiosk sees where it was called.
    seen = client.get(f"/api/v1/tickets/{a1['id']}", headers=auth(token)).json()
    assert seen["status"] == "called" and seen["counter"] == 1
    # Calling the next one while this one was never started is refused.
    r = staff.post("/api/v1/counters/1/call-next")
    assert r.status_code == 409 and "still called" in r.json()["detail"]
    assert staff.post("/api/v1/counters/1/start").json()["current"]["status"] == "serving"
    # Call next finishes the ticket being served.
    assert staff.post("/api/v1/counters/1/call-next").json()["current"]["number"] == "A002"
    assert staff.post("/api/v1/counters/1/complete").json()["current"] is None
    nothing = staff.post("/api/v1/counters/1/call-next").json()
    assert nothing["current"] is None and nothing["waiting"] == []
    with app.state.qs.db.read_session() as s:
        kinds = s.scalars(sa.select(TicketEvent.kind).where(TicketEvent.ticket_id == a1["id"])
                          .order_by(TicketEvent.id)).all()
        assert kinds == ["issued", "called", "serving", "done"]
        t = s.get(Ticket, a2["id"])
        assert t.status == "done" and t.called_at and t.serving_at and t.done_at
        assert t.staff_id is not None
        actions = s.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
        assert {"login", "call_next", "start", "complete"} <= set(actions)


def test_priority_tickets_are_interleaved_by_the_ratio(client: TestClient, app: FastAPI
                                                       ) -> None:
    token = add_kiosk(app)
    normal = [issue(client, token, "CT")["number"] for _ in range(3)]
    prio = [issue(client, token, "CT", priority=True)["number"] for _ in range(5)]
    staff = login(app, "dung")
    order = []
    for _ in range(8):
        r = staff.post("/api/v1/counters/3/call-next").json()
        order.append(r["current"]["number"])
        staff.post("/api/v1/counters/3/start")
    # Default ratio 3: three priority tickets, then one normal, and so on.
    assert order == prio[:3] + normal[:1] + prio[3:5] + normal[1:3]


def test_recall_then_automatic_no_show(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    t = issue(client, token, "DD")
    issue(client, token, "DD")
    staff = login(app, "em")
    staff.post("/api/v1/counters/4/call-next")
    for n in range(1, 4):
        r = staff.post("/api/v1/counters/4/recall").json()
        assert r["current"]["recalls"] == n
    # Past max_recalls (3) the ticket is a no-show and the counter is free.
    r = staff.post("/api/v1/counters/4/recall").json()
    assert r["current"] is None
    seen = client.get(f"/api/v1/tickets/{t['id']}", headers=auth(token)).json()
    assert seen["status"] == "no_show" and seen["no_show_at"]
    # The citizen comes back: staff call the number again.
    r = staff.post("/api/v1/counters/4/call", json={"number": t["number"]})
    assert r.status_code == 200 and r.json()["current"]["number"] == t["number"]
    assert staff.post("/api/v1/counters/4/no-show").json()["current"] is None
    r = staff.post("/api/v1/counters/4/call", json={"number": "C999"})
    assert r.status_code == 404
    assert staff.post("/api/v1/counters/4/recall").status_code == 409


def test_call_a_specific_number(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    issue(client, token, "HT")
    b = issue(client, token, "HT")
    staff = login(app, "giang")
    r = staff.post("/api/v1/counters/2/call", json={"number": b["number"].lower()})
    assert r.json()["current"]["number"] == "A002"
    staff.post("/api/v1/counters/2/complete")
    r = staff.post("/api/v1/counters/2/call", json={"number": "A002"})
    assert r.status_code == 409 and "done" in r.json()["detail"]


def test_transfer_keeps_the_original_issue_time(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    first = issue(client, token, "HT")
    later = issue(client, token, "KD")
    staff = login(app, "hoa")
    staff.post("/api/v1/counters/1/call-next")
    staff.post("/api/v1/counters/1/start")
    r = staff.post("/api/v1/counters/1/transfer", json={"service": "KD"})
    assert r.status_code == 200 and r.json()["current"] is None
    seen = client.get(f"/api/v1/tickets/{first['id']}", headers=auth(token)).json()
    assert seen["service"] == "KD" and seen["transferred_from"] == "HT"
    assert seen["number"] == "A001" and seen["status"] == "waiting"
    assert seen["issued_at"] == first["issued_at"]
    # Issued before E001, so counter 6 (KD) calls it first.
    assert staff.post("/api/v1/counters/6/call-next").json()["current"]["number"] == "A001"
    staff.post("/api/v1/counters/6/start")
    assert staff.post("/api/v1/counters/6/call-next").json()["current"]["number"] == \
        later["number"]
    r = staff.post("/api/v1/counters/6/transfer", json={"service": "NOPE"})
    assert r.status_code == 422


def test_staff_rights(client: TestClient, app: FastAPI) -> None:
    assert client.post("/api/v1/counters/1/call-next").status_code == 401
    assert client.get("/api/v1/counters").status_code == 401
    assert client.get("/api/v1/reports").status_code == 401
    staff = login(app, "khanh", "staff")
    assert staff.get("/api/v1/reports").status_code == 403
    assert staff.get("/api/v1/reports.csv").status_code == 403
    manager = login(app, "lan", "manager")
    assert manager.get("/api/v1/reports").status_code == 200
    bad = TestClient(app).post("/api/v1/auth/login", json={"username": "khanh",
                                                           "password": "wrong password"})
    assert bad.status_code == 401
    forged = TestClient(app, cookies={"qs_session": "eyJ1IjoxfQ.forged.sig"})
    assert forged.get("/api/v1/counters").status_code == 401
    # Staff of another site cannot touch this site's counters.
    add_site(app, "W2")
    other = login(app, "minh", "staff", "W2")
    mine = {c["id"] for c in staff.get("/api/v1/counters").json()}
    theirs = {c["id"] for c in other.get("/api/v1/counters").json()}
    assert mine and theirs and not mine & theirs
    assert other.post(f"/api/v1/counters/{min(mine)}/call-next").status_code == 404
    boss = login(app, "nga", "manager", "W2")
    assert boss.get("/api/v1/reports", params={"site": "HCC"}).status_code == 403


def test_waiting_estimate_uses_open_counters_and_service_times(
    client: TestClient, app: FastAPI
) -> None:
    token = add_kiosk(app)
    for _ in range(4):
        issue(client, token, "XD")
    t = issue(client, token, "XD")
    # nobody served yet: the service time is unknown, so no estimate rather than a guess
    assert t["people_ahead"] == 4 and t["estimated_wait_min"] is None
    services = {s["code"]: s for s in client.get("/api/v1/services").json()}
    assert services["XD"]["waiting"] == 5 and services["XD"]["issued_today"] == 5
    assert services["XD"]["estimated_wait_min"] is None
    assert services["XD"]["average_service_min"] is None
    # one served in 6 minutes (start → done), at counter 5, the only one serving XD
    staff = login(app, "lan")
    counter = next(c["id"] for c in staff.get("/api/v1/counters").json() if c["number"] == 5)
    staff.post(f"/api/v1/counters/{counter}/call-next")
    staff.post(f"/api/v1/counters/{counter}/start")
    with app.state.qs.db.session() as s:
        served = s.scalars(sa.select(Ticket).where(Ticket.status == "serving")).one()
        served.serving_at -= dt.timedelta(minutes=6)
    staff.post(f"/api/v1/counters/{counter}/complete")
    estimates._service_minutes.clear()  # the 30 s cache of the mean
    t = client.get(f"/api/v1/tickets/{t['id']}", headers=auth(token)).json()
    assert t["people_ahead"] == 3 and t["estimated_wait_min"] == 18  # 3 x 6 min, 1 counter
    services = {s["code"]: s for s in client.get("/api/v1/services").json()}
    assert services["XD"]["average_service_min"] == 6.0
    assert services["XD"]["estimated_wait_min"] == 24  # 4 waiting x 6 min


def test_people_ahead_follows_the_queue_through_every_change(client: TestClient, app: FastAPI
                                                              ) -> None:
    """The queue length kept beside the numbers (what "people ahead" is read from) stays
    equal to the waiting tickets through issuing, offline uploads, cancel, calls, no-show
    and transfer."""
    token = add_kiosk(app)
    staff = login(app, "giang")
    ht = [issue(client, token, "HT") for _ in range(4)]
    assert [t["people_ahead"] for t in ht] == [0, 1, 2, 3]
    issue(client, token, "CT")
    lease = client.post("/api/v1/leases", json={"service": "HT", "size": 2},
                        headers=auth(token)).json()
    offline = [{"id": new_id(), "service": "HT", "number": seq}
               for seq in (lease["first_seq"], lease["last_seq"])]
    r = client.post("/api/v1/tickets/batch", json={"tickets": offline}, headers=auth(token))
    assert r.json()["created"] == 2
    assert client.post(f"/api/v1/tickets/{ht[1]['id']}/cancel",
                       headers=auth(token)).status_code == 200
    assert staff.post("/api/v1/counters/1/call-next").json()["current"]["service"] == "HT"
    # Waiting in HT now: ht[2], ht[3] and the two offline tickets.
    assert issue(client, token, "HT")["people_ahead"] == 4
    staff.post("/api/v1/counters/1/no-show")
    staff.post("/api/v1/counters/1/call-next")
    r = staff.post("/api/v1/counters/1/transfer", json={"service": "CT"})
    assert r.status_code == 200, r.text
    assert issue(client, token, "CT")["people_ahead"] == 2  # the CT ticket and the transfer
    r = staff.post("/api/v1/counters/1/call", json={"number": ht[0]["number"]})
    assert r.status_code == 200, r.text
    with app.state.qs.db.read_session() as s:
        kept = dict(((sid, day), n) for sid, day, n in s.execute(sa.select(
            DailySequence.service_id, DailySequence.day, DailySequence.waiting)))
        counted = dict(((sid, day), n) for sid, day, n in s.execute(
            sa.select(Ticket.service_id, Ticket.day, sa.func.count())
            .where(Ticket.status == "waiting").group_by(Ticket.service_id, Ticket.day)))
    assert {k: v for k, v in kept.items() if v} == counted
