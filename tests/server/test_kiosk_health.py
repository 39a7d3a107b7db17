"""Kiosk health reports (issue 12): a kiosk's alerts reach the server and staff see one line
per kiosk on the console's index page, so "staff have been told" is true."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.server.qs_helpers import add_kiosk, auth, login


def test_a_kiosk_report_is_stored_and_shown_on_the_console(app: FastAPI,
                                                           client: TestClient) -> None:
    token = add_kiosk(app, "Máy 1 <tầng trệt>")
    add_kiosk(app, "Máy 2")
    r = client.post("/api/v1/kiosk/health", headers=auth(token),
                    json={"printer": "paper_out", "camera": None,
                          "alerts": ["⚠ printer: paper_out (ticket A012)"]})
    assert r.status_code == 204, r.text
    staff = login(app, "lan")
    page = staff.get("/console", headers={"accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "printer: paper_out" in html and "ticket A012" in html
    assert "Máy 1 &lt;tầng trệt&gt;" in html  # escaped, never raw
    assert "Máy 2" in html and "no report" in html  # never reported: said so
    # The next report replaces the last one: the printer works again.
    r = client.post("/api/v1/kiosk/health", headers=auth(token), json={"alerts": []})
    assert r.status_code == 204
    html = staff.get("/console", headers={"accept": "text/html"}).text
    assert "paper_out" not in html and "working" in html


def test_a_report_needs_a_kiosk_token_and_sane_fields(client: TestClient,
                                                       app: FastAPI) -> None:
    assert client.post("/api/v1/kiosk/health", json={}).status_code == 401
    token = add_kiosk(app)
    r = client.post("/api/v1/kiosk/health", headers=auth(token),
                    json={"printer": "x" * 100})
    assert r.status_code == 422


def test_admins_see_each_kiosks_version_and_health(app: FastAPI, client: TestClient) -> None:
    token = add_kiosk(app, "Máy <b>3</b>")
    add_kiosk(app, "Máy 4")
    r = client.post("/api/v1/kiosk/health", headers=auth(token),
                    json={"printer": "paper_out", "alerts": [], "version": "0.1.0"})
    assert r.status_code == 204, r.text
    admin = login(app, "quan", role="admin")
    html = admin.get("/admin/kiosks", headers={"accept": "text/html"}).text
    row = html.split('data-kiosk="')[1]
    assert "Máy &lt;b&gt;3&lt;/b&gt;" in row and "0.1.0" in row and "printer: paper_out" in row
    assert "Silent" in html.split('data-kiosk="')[2]  # the kiosk that never reported
    bad = client.post("/api/v1/kiosk/health", headers=auth(token),
                      json={"version": "<script>"})
    assert bad.status_code == 422
