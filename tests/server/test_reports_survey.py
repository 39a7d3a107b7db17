"""Reports (counts, average and 90th-percentile times, satisfaction, CSV) and the survey
rules (signed link, once per ticket, only after the ticket is done)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, login, new_id

from server.models import SurveyResponse, Ticket
from server.reports import percentile


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(i) for i in range(1, 11)], 90) == 9.0
    assert percentile([float(i) for i in range(1, 11)], 50) == 5.0


def test_report_figures_per_day_and_service(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    ids = [client.post("/api/v1/tickets", json={"id": new_id(), "service": "CT"},
                       headers=auth(token)).json()["id"] for _ in range(10)]
    no_show = client.post("/api/v1/tickets", json={"id": new_id(), "service": "CT"},
                          headers=auth(token)).json()["id"]
    client.post("/api/v1/tickets", json={"id": new_id(), "service": "DD"}, headers=auth(token))
    # Waiting 1..10 minutes, service 2 minutes each; ratings 5,4,5.
    with app.state.qs.db.session() as s:
        for i, tid in enumerate(ids):
            t = s.get(Ticket, tid)
            t.called_at = t.issued_at + dt.timedelta(minutes=i + 1)
            t.serving_at = t.called_at
            t.done_at = t.serving_at + dt.timedelta(minutes=2)
            t.status = "done"
        t = s.get(Ticket, no_show)
        t.called_at, t.status = t.issued_at + dt.timedelta(minutes=20), "no_show"
        for tid, rating in zip(ids[:3], [5, 4, 5], strict=True):
            s.add(SurveyResponse(ticket_id=tid, site_id=1, service_id=t.service_id,
                                 rating=rating, comment=""))
    boss = login(app, "sep", "manager")
    data = boss.get("/api/v1/reports").json()
    rows = {r["service"]: r for r in data["rows"]}
    ct = rows["CT"]
    assert (ct["issued"], ct["served"], ct["no_show"], ct["cancelled"]) == (11, 10, 1, 0)
    # Waits 1..10 and 20 minutes: mean 75/11, p90 (nearest rank 10 of 11) = 10.
    assert ct["wait_avg_min"] == round(75 / 11, 1) and ct["wait_p90_min"] == 10.0
    assert ct["service_avg_min"] == 2.0 and ct["service_p90_min"] == 2.0
    assert ct["rating_avg"] == 4.67 and ct["rating_count"] == 3
    assert rows["DD"]["issued"] == 1 and rows["DD"]["wait_avg_min"] is None
    csv = boss.get("/api/v1/reports.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:5] == ["day", "service", "service_name_vi", "service_name_en",
                                       "issued"]
    assert any(",CT,Chứng thực,Certification,11,10,1,0," in line for line in lines)
    assert boss.get("/api/v1/reports", params={"from": "2026-02-01", "to": "2026-01-01"}
                    ).status_code == 422


def test_survey_once_and_only_after_service(client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    ticket = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                         headers=auth(token)).json()
    path = ticket["survey_url"].removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and "sau khi được phục vụ xong" in page.text
    r = client.post(path, data={"rating": "5"})
    assert r.status_code == 409
    staff = login(app, "tu")
    staff.post("/api/v1/counters/1/call-next")
    staff.post("/api/v1/counters/1/complete")
    assert client.post(path, data={"rating": "9"}).status_code == 422
    r = client.post(path, data={"rating": "4", "comment": "  Nhanh, gọn.  "})
    assert r.status_code == 200 and "Cảm ơn" in r.text
    assert client.post(path, data={"rating": "1"}).status_code == 409
    with app.state.qs.db.read_session() as s:
        rows = s.execute(sa.select(SurveyResponse.rating, SurveyResponse.comment)).all()
    assert rows == [(4, "Nhanh, gọn.")]
    assert client.get(path[:-2] + "zz").status_code == 404
    assert client.get("/s/" + ticket["id"]).status_code == 404  # unsigned id
