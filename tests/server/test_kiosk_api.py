"""The kiosk's contract: catalogue, issuing (idempotent), leases, offline uploads,
the citizen's open tickets, cancelling; and what a kiosk may not do."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, add_site, auth, login, new_id

from server.models import AuditLog, Ticket, TicketEvent, WithdrawnTicket


def count_tickets(app: FastAPI) -> int:
    with app.state.qs.db.read_session() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Ticket))


def test_services_list_the_default_catalogue(client: TestClient, app: FastAPI) -> None:
    r = client.get("/api/v1/services")
    assert r.status_code == 200
    services = {s["code"]: s for s in r.json()}
    assert {"HT", "CT", "DD", "XD", "KD", "LD"} <= set(services)
    ht = services["HT"]
    assert ht["prefix"] == "A" and ht["name_vi"] == "Hộ tịch"
    assert ht["name_en"] == "Civil status" and ht["counters"] == [1, 2]
    assert {"opens_at", "closes_at", "waiting", "estimated_wait_min"} <= set(ht)
    token = add_kiosk(app)
    assert client.get("/api/v1/services", headers=auth(token)).json()[0]["code"] == "HT"
    assert client.get("/api/v1/services", headers=auth("nope")).status_code == 401


def test_issue_is_idempotent_by_id(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    tid = new_id()
    r1 = client.post("/api/v1/tickets", json={"id": tid, "service": "HT"}, headers=auth(token))
    assert r1.status_code == 201, r1.text
    t = r1.json()
    assert t["number"] == "A001" and t["id"] == tid and t["status"] == "waiting"
    assert t["people_ahead"] == 0 and t["estimated_wait_min"] == 0
    assert t["survey_url"].startswith("http://testserver/s/")
    r2 = client.post("/api/v1/tickets", json={"id": tid, "service": "HT"}, headers=auth(token))
    assert r2.status_code == 200
    assert r2.json()["number"] == "A001" and r2.json()["survey_url"] == t["survey_url"]
    assert count_tickets(app) == 1
    r3 = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT", "priority": True,
                                              "citizen_id": "c-42"}, headers=auth(token))
    assert r3.status_code == 201
    assert r3.json()["number"] == "A002" and r3.json()["priority"] is True
    # One ahead, but nobody was served yet: no service time, so no estimate (no guess).
    assert r3.json()["people_ahead"] == 1 and r3.json()["estimated_wait_min"] is None
    r4 = client.post("/api/v1/tickets", json={"id": new_id(), "service": "CT"},
                     headers=auth(token))
    assert r4.json()["number"] == "B001"
    assert client.get(f"/api/v1/tickets/{tid}", headers=auth(token)).json()["number"] == "A001"


def test_writes_need_a_valid_token_and_a_valid_body(client: TestClient, app: FastAPI) -> None:
    body = {"id": new_id(), "service": "HT"}
    assert client.post("/api/v1/tickets", json=body).status_code == 401
    assert client.post("/api/v1/tickets", json=body, headers=auth("wrong")).status_code == 401
    token = add_kiosk(app)
    r = client.post("/api/v1/tickets", json={"id": "not-a-uuid", "service": "HT"},
                    headers=auth(token))
    assert r.status_code == 422 and "id" in r.json()["detail"]
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "NOPE"},
                    headers=auth(token))
    assert r.status_code == 422 and "unknown service" in r.json()["detail"]
    r = client.post("/api/v1/tickets", content=b"{not json", headers={
        **auth(token), "content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/v1/tickets", content=b"x" * 3_000_000, headers={
        **auth(token), "content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT",
                                             "citizen_id": "has space"}, headers=auth(token))
    assert r.status_code == 422
    assert client.post("/api/v1/leases", json={"service": "HT"}).status_code == 401
    assert client.post("/api/v1/tickets/batch", json={"tickets": []}).status_code == 401
    assert count_tickets(app) == 0


def test_a_kiosk_cannot_act_for_another_site(client: TestClient, app: FastAPI) -> None:
    add_site(app, "W2")
    mine, theirs = add_kiosk(app), add_kiosk(app, "other", "W2")
    tid = new_id()
    client.post("/api/v1/tickets", json={"id": tid, "service": "HT", "citizen_id": "c1"},
                headers=auth(mine))
    assert client.get(f"/api/v1/tickets/{tid}", headers=auth(theirs)).status_code == 404
    assert client.post(f"/api/v1/tickets/{tid}/cancel", headers=auth(theirs)).status_code == 404
    r = client.get("/api/v1/citizens/c1/tickets/today", headers=auth(theirs))
    assert r.json()["open_count"] == 0
    # The same id sent to another site is not taken over.
    r = client.post("/api/v1/tickets", json={"id": tid, "service": "HT"}, headers=auth(theirs))
    assert r.status_code == 409
    # The other site numbers on its own.
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                    headers=auth(theirs))
    assert r.json()["number"] == "A001" and r.json()["site"] == "W2"


def test_citizen_open_tickets_and_cancel(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    ids = [new_id() for _ in range(3)]
    for tid, svc in zip(ids, ["HT", "CT", "DD"], strict=True):
        r = client.post("/api/v1/tickets", json={"id": tid, "service": svc,
                                                 "citizen_id": "cit-1"}, headers=auth(token))
        assert r.status_code == 201
    r = client.get("/api/v1/citizens/cit-1/tickets/today", headers=auth(token))
    assert r.status_code == 200
    assert r.json()["open_count"] == 3
    assert [t["number"] for t in r.json()["tickets"]] == ["A001", "B001", "C001"]
    r = client.post(f"/api/v1/tickets/{ids[0]}/cancel", headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/tickets/{ids[0]}/cancel", headers=auth(token)).status_code == 200
    r = client.get("/api/v1/citizens/cit-1/tickets/today", headers=auth(token))
    assert r.json()["open_count"] == 2
    assert client.get("/api/v1/citizens/nobody/tickets/today",
                      headers=auth(token)).json()["tickets"] == []
    assert client.post(f"/api/v1/tickets/{new_id()}/cancel", headers=auth(token)
                       ).status_code == 404
    # A called ticket can no longer be cancelled.
    staff = login(app, "anna")
    staff.post("/api/v1/counters/3/call-next")  # counter 3 serves CT
    r = client.post(f"/api/v1/tickets/{ids[1]}/cancel", headers=auth(token))
    assert r.status_code == 409 and "called" in r.json()["detail"]


def waiting_ids(app: FastAPI) -> set[str]:
    with app.state.qs.db.read_session() as s:
        return set(s.scalars(sa.select(Ticket.id).where(Ticket.status == "waiting")))


def test_withdrawing_a_timed_out_id_leaves_nobody_waiting_for_it(client: TestClient,
                                                                 app: FastAPI) -> None:
    """A kiosk that stopped waiting for the answer withdraws the id, whichever reaches the
    server first: the withdrawal (the late request is then refused) or the request (the
    waiting ticket is then cancelled, audited)."""
    token = add_kiosk(app)
    # The request arrived first: its ticket waits; the withdrawal cancels it.
    first = new_id()
    assert client.post("/api/v1/tickets", json={"id": first, "service": "HT"},
                       headers=auth(token)).status_code == 201
    r = client.post(f"/api/v1/tickets/{first}/withdraw", json={"reason": "kiosk_timeout"},
                    headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.json() == {"id": first, "outcome": "cancelled", "number": "A001"}
    assert first not in waiting_ids(app)
    again = client.post(f"/api/v1/tickets/{first}/withdraw", headers=auth(token))
    assert again.status_code == 200 and again.json()["outcome"] == "cancelled"
    with app.state.qs.db.read_session() as s:
        events = [(e.kind, e.detail) for e in s.scalars(
            sa.select(TicketEvent).where(TicketEvent.ticket_id == first).order_by(TicketEvent.id))]
        assert events == [("issued", ""), ("cancelled", "kiosk_timeout")]
        audit = s.scalars(sa.select(AuditLog).where(AuditLog.ticket_id == first)).all()
        assert [a.action for a in audit] == ["kiosk_withdraw"]
    # The withdrawal arrived first: the id is reserved, the late request refused, and no
    # number is used up by it.
    late = new_id()
    r = client.post(f"/api/v1/tickets/{late}/withdraw", headers=auth(token))
    assert r.status_code == 200 and r.json() == {"id": late, "outcome": "unknown",
                                                 "number": None}
    r = client.post("/api/v1/tickets", json={"id": late, "service": "HT"}, headers=auth(token))
    assert r.status_code == 409 and r.json()["reason"] == "withdrawn", r.text
    assert count_tickets(app) == 1
    nxt = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                      headers=auth(token))
    assert nxt.json()["number"] == "A002" and waiting_ids(app) == {nxt.json()["id"]}
    # Already called: left as it is, and the kiosk is told so.
    login(app, "anna").post("/api/v1/counters/1/call-next")
    r = client.post(f"/api/v1/tickets/{nxt.json()['id']}/withdraw", headers=auth(token))
    assert r.status_code == 200 and r.json()["outcome"] == "called"
    # Another site's kiosk cannot withdraw (nor learn about) this site's ticket.
    add_site(app, "W2")
    theirs = add_kiosk(app, "other", "W2")
    assert client.post(f"/api/v1/tickets/{first}/withdraw",
                       headers=auth(theirs)).status_code == 404
    assert client.post(f"/api/v1/tickets/{new_id()}/withdraw", json={"reason": "Bad reason!"},
                       headers=auth(token)).status_code == 422
    assert client.post(f"/api/v1/tickets/{new_id()}/withdraw").status_code == 401
    with app.state.qs.db.read_session() as s:
        outcomes = dict(s.execute(sa.select(WithdrawnTicket.id, WithdrawnTicket.outcome)).all())
    assert outcomes == {first: "cancelled", late: "unknown", nxt.json()["id"]: "called"}


def test_lease_then_offline_upload_is_idempotent(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app, "k1")
    other = add_kiosk(app, "k2")
    client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"}, headers=auth(token))
    r = client.post("/api/v1/leases", json={"service": "HT", "size": 10}, headers=auth(token))
    assert r.status_code == 201, r.text
    lease = r.json()
    assert (lease["first_seq"], lease["last_seq"]) == (2, 11)
    assert (lease["first_number"], lease["last_number"]) == ("A002", "A011")
    assert lease["number_pattern"] == "{prefix}{seq:03d}"
    # Online numbering continues after the leased block.
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                    headers=auth(token))
    assert r.json()["number"] == "A012"
    now = dt.datetime.now(dt.UTC)
    offline = [
        {"id": new_id(), "service": "HT", "number": "A002",
         "issued_at": (now - dt.timedelta(minutes=3)).isoformat(), "citizen_id": "c9"},
        {"id": new_id(), "service": "HT", "number": 3,
         "issued_at": (now - dt.timedelta(minutes=2)).isoformat()},
        {"id": new_id(), "service": "HT", "number": "A099", "issued_at": now.isoformat()},
    ]
    r = client.post("/api/v1/tickets/batch", json={"tickets": offline}, headers=auth(token))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["created"], out["existing"], out["rejected"]) == (2, 0, 1)
    assert [x["result"] for x in out["results"]] == ["created", "created", "rejected"]
    assert "not in a lease" in out["results"][2]["error"]
    assert out["results"][0]["ticket"]["offline"] is True
    assert out["results"][1]["ticket"]["number"] == "A003"
    again = client.post("/api/v1/tickets/batch", json={"tickets": offline[:2]},
                        headers=auth(token)).json()
    assert (again["created"], again["existing"]) == (0, 2)
    assert [x["ticket"]["number"] for x in again["results"]] == ["A002", "A003"]
    assert count_tickets(app) == 4
    # A single offline ticket through the ordinary endpoint.
    single = {"id": new_id(), "service": "HT", "number": "A004", "issued_at": now.isoformat()}
    assert client.post("/api/v1/tickets", json=single, headers=auth(token)).status_code == 201
    assert client.post("/api/v1/tickets", json=single, headers=auth(token)).status_code == 200
    # Another kiosk cannot use this kiosk's block; a used number cannot be used again.
    r = client.post("/api/v1/tickets", json={**single, "id": new_id()}, headers=auth(other))
    assert r.status_code == 409
    r = client.post("/api/v1/tickets", json={**single, "id": new_id()}, headers=auth(token))
    assert r.status_code == 409 and "already used" in r.json()["detail"]
    r = client.post("/api/v1/tickets", json={**single, "id": new_id(), "number": "B005"},
                    headers=auth(token))
    assert r.status_code == 422
    r = client.post("/api/v1/tickets", json={**single, "id": new_id(), "number": "A005",
                                             "issued_at": (now + dt.timedelta(hours=2)
                                                           ).isoformat()}, headers=auth(token))
    assert r.status_code == 422 and "future" in r.json()["detail"]
    assert client.post("/api/v1/leases", json={"service": "HT", "size": 10**6},
                       headers=auth(token)).status_code == 422


def test_offline_tickets_join_the_queue_in_issue_order(client: TestClient, app: FastAPI
                                                       ) -> None:
    token = add_kiosk(app)
    lease = client.post("/api/v1/leases", json={"service": "CT", "size": 5},
                        headers=auth(token)).json()
    online = client.post("/api/v1/tickets", json={"id": new_id(), "service": "CT"},
                         headers=auth(token)).json()
    assert online["number"] == "B006"
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).isoformat()
    r = client.post("/api/v1/tickets/batch", headers=auth(token), json={"tickets": [
        {"id": new_id(), "service": "CT", "number": lease["first_seq"] + 1,
         "issued_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).isoformat()},
        {"id": new_id(), "service": "CT", "number": lease["first_seq"], "issued_at": earlier},
    ]})
    assert r.json()["created"] == 2
    staff = login(app, "binh")
    called = [staff.post("/api/v1/counters/3/call-next").json()["current"]["number"]
              for _ in range(1)]
    for _ in range(2):
        staff.post("/api/v1/counters/3/start")
        called.append(staff.post("/api/v1/counters/3/call-next").json()["current"]["number"])
    assert called == ["B001", "B002", "B006"]


def test_daily_cap_refuses_more_tickets(client: TestClient, app: FastAPI) -> None:
    from server.models import Service

    with app.state.qs.db.session() as s:
        s.scalar(sa.select(Service).where(Service.code == "XD")).daily_cap = 2
    token = add_kiosk(app)
    codes = [client.post("/api/v1/tickets", json={"id": new_id(), "service": "XD"},
                         headers=auth(token)).status_code for _ in range(3)]
    assert codes == [201, 201, 409]
    assert count_tickets(app) == 2


def test_the_same_batch_uploaded_concurrently_is_stored_once(app: FastAPI, live_server
                                                             ) -> None:  # type: ignore[no-untyped-def]
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    token = add_kiosk(app)
    with httpx.Client(base_url=live_server.url, headers=auth(token), timeout=60) as c:
        lease = c.post("/api/v1/leases", json={"service": "KD", "size": 300}).json()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    tickets = [{"id": new_id(), "service": "KD", "number": lease["first_seq"] + i,
                "issued_at": (start + dt.timedelta(seconds=i)).isoformat()}
               for i in range(300)]
    barrier = threading.Barrier(4)

    def upload(_: int) -> dict:
        with httpx.Client(base_url=live_server.url, headers=auth(token), timeout=120) as c:
            barrier.wait()
            r = c.post("/api/v1/tickets/batch", json={"tickets": tickets})
            assert r.status_code == 200, r.text
            return r.json()

    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(upload, range(4)))
    assert sum(o["created"] for o in outs) == 300
    assert all(o["rejected"] == 0 for o in outs)
    assert all(o["created"] + o["existing"] == 300 for o in outs)
    numbers = [[x["ticket"]["number"] for x in o["results"]] for o in outs]
    assert all(n == numbers[0] for n in numbers)
    assert count_tickets(app) == 300


def test_one_batch_of_requests_answers_each_on_its_own(client: TestClient, app: FastAPI
                                                       ) -> None:
    """What the issuing batcher hands over in one transaction: new tickets, a ticket sent
    again, the same new id twice, a bad token and an unknown service each get their own
    answer, and the numbers stay contiguous."""
    from fastapi.exceptions import HTTPException

    from server.errors import QueueError
    from server.kiosk_issuing import store_online
    from server.schemas import TicketIn

    state = app.state.qs
    token = add_kiosk(app)
    stored = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                         headers=auth(token)).json()
    twice = new_id()
    items = [(token, TicketIn(id=new_id(), service="HT"), "http://x"),
             (token, TicketIn(id=stored["id"], service="HT"), "http://x"),
             (token, TicketIn(id=twice, service="HT"), "http://x"),
             ("not-a-token", TicketIn(id=new_id(), service="HT"), "http://x"),
             (token, TicketIn(id=twice, service="HT"), "http://x"),
             (token, TicketIn(id=new_id(), service="NOPE"), "http://x"),
             (token, TicketIn(id=new_id(), service="CT"), "http://x")]
    out = store_online(state, items)
    assert [(r[0].number, r[1]) if isinstance(r, tuple) else type(r).__name__
            for r in out] == [("A002", True), ("A001", False), ("A003", True),
                              "HTTPException", ("A003", False), "Invalid", ("B001", True)]
    assert isinstance(out[3], HTTPException) and out[3].status_code == 401
    assert isinstance(out[5], QueueError) and "unknown service" in out[5].message
    assert [r[0].people_ahead for r in (out[0], out[2])] == [1, 2]
    assert count_tickets(app) == 4
