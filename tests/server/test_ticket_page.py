"""The ticket on the citizen's phone: the signed `ticket_url` returned with each ticket,
the live page (people ahead, wait, counter when called, no personal data, refreshes
itself), the five-criteria rating after the service, and the managers' criteria report,
on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, login, new_id

CITIZEN = "001099012345"
SCORES = {"access": 5, "procedure": 3, "official": 4, "result": 5, "feedback": 2}


def issue(client: TestClient, token: str, **extra: object) -> dict:
    r = client.post("/api/v1/tickets", headers=auth(token),
                    json={"id": new_id(), "service": "HT", **extra})
    assert r.status_code == 201, r.text
    return r.json()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_ticket_page_follows_the_ticket_then_asks_the_five_criteria(
        client: TestClient, app: FastAPI) -> None:
    token = add_kiosk(app)
    first, second = issue(client, token), issue(client, token)
    mine = issue(client, token, citizen_id=CITIZEN)
    assert mine["ticket_url"].endswith(mine["survey_url"].rsplit("/", 1)[1])
    assert "/t/" in mine["ticket_url"]
    page = client.get(path_of(mine["ticket_url"]))
    assert page.status_code == 200
    html = page.text
    assert mine["number"] in html
    assert re.search(r'id="ahead">2<', html), "two people are ahead"
    assert 'http-equiv="refresh"' in html
    assert CITIZEN not in html and CITIZEN[-4:] not in html  # no personal data
    assert "<script" not in html and "style=" not in html

    staff = login(app, "chi")
    for expected in (first, second, mine):
        r = staff.post("/api/v1/counters/1/call-next")
        assert r.json()["current"]["number"] == expected["number"]
        if expected is not mine:
            staff.post("/api/v1/counters/1/start")
            staff.post("/api/v1/counters/1/complete")
    html = client.get(path_of(mine["ticket_url"])).text
    assert 'id="counter">quầy 1<' in html
    # not served yet: the rating is refused
    r = client.post(path_of(mine["ticket_url"]), data={**SCORES, "comment": "x"})
    assert r.status_code == 409 and "sau khi được phục vụ xong" in r.text

    staff.post("/api/v1/counters/1/start")
    staff.post("/api/v1/counters/1/complete")
    html = client.get(path_of(mine["ticket_url"])).text
    assert 'http-equiv="refresh"' not in html  # a form being filled is not reloaded away
    assert html.count('class="crit"') == 5
    for word in ("Tiếp cận dịch vụ", "Thủ tục hành chính", "Công chức", "Kết quả",
                 "góp ý, phản ánh"):
        assert word in html
    r = client.post(path_of(mine["ticket_url"]),
                    data={**SCORES, "comment": "<b>Nhanh</b>"})
    assert r.status_code == 200 and 'id="thanks"' in r.text
    again = client.post(path_of(mine["ticket_url"]), data=SCORES)
    assert again.status_code == 409 and "đã được đánh giá" in again.text
    bad = client.post(path_of(mine["ticket_url"]), data={**SCORES, "result": 9})
    assert bad.status_code == 422
    assert client.get(path_of(mine["ticket_url"])[:-3] + "xyz").status_code == 404

    # a first one rated with the old single question still counts in "overall"
    client.post(path_of(first["survey_url"]), data={"rating": 1})
    manager = login(app, "quanly", "manager")
    report = manager.get("/reports/criteria")
    assert report.status_code == 200
    table = report.text.split('id="criteria-service"')[1].split("</table>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    # access procedure official result feedback overall count
    assert cells == ["5.0", "3.0", "4.0", "5.0", "2.0", "2.5", "2"], cells
    counters = report.text.split('id="criteria-counter"')[1].split("</table>")[0]
    assert "1 · " in counters
    assert "&lt;b&gt;" not in report.text  # comments are not on this page at all
    assert client.get("/reports/criteria", follow_redirects=False).status_code in (401, 303, 307)
