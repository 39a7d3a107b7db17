"""The turn-is-near webhook against a real HTTP receiver on loopback: signed bodies,
'near' and 'called' once each, retries with doubling back-off, the staff's delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, login, make_app, new_id

from server.models import WebhookDelivery

SECRET = "test-secret-0123456789abcdef"


class Receiver:
    """A loopback HTTP server that answers each POST with the next code of ``codes``
    (then 200) and records (time, headers, body)."""

    def __init__(self, codes: list[int]) -> None:
        self.codes = list(codes)
        self.got: list[tuple[float, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append((time.monotonic(), dict(self.headers.items()), body))
                code = outer.codes.pop(0) if outer.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    r = Receiver(getattr(request, "param", []))
    yield r
    r.close()


def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.parametrize("receiver", [[500]], indirect=True)
def test_near_and_called_are_signed_retried_and_logged(
        db_url: str, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUEUE_SERVER_WEBHOOK_SECRET", SECRET)
    app = make_app(db_url, tmp_path, webhook_url=receiver.url, webhook_near_places=1,
                   webhook_backoff_s=0.3, public_url="https://hcc.example.vn")
    client = TestClient(app)
    token = add_kiosk(app)
    numbers = [client.post("/api/v1/tickets", headers=auth(token), json={
        "id": new_id(), "service": "HT", "citizen_id": "guest-42"}).json()["number"]
        for _ in range(4)]
    # A001 (0 ahead) and A002 (1 ahead) were near from the start: told at issue
    wait_for(lambda: len(receiver.got) >= 3)  # 2 notifications, the first one twice
    staff = login(app, "chi")
    staff.post("/api/v1/counters/1/call-next")  # A001 called; A003 (1 ahead) now near
    wait_for(lambda: len(receiver.got) >= 5)
    time.sleep(0.5)
    bodies = [json.loads(b) for _, _, b in receiver.got]
    for _, headers, body in receiver.got:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers[("X-Queue-Signature")] == expected
        assert b"guest-42" not in body  # nothing personal
    events = sorted({(b["event"], b["number"], b["people_ahead"]) for b in bodies})
    assert events == [("called", numbers[0], 0), ("near", numbers[0], 0),
                      ("near", numbers[1], 1), ("near", numbers[2], 1)]
    assert all(b["ticket_url"].startswith("https://hcc.example.vn/t/") for b in bodies)
    assert len(receiver.got) == 5  # A002 was not told twice
    # the refused first try was sent again after the back-off, with the same delivery id
    first, again = receiver.got[0], receiver.got[1:]
    retry = next(g for g in again if g[1]["X-Queue-Delivery"] == first[1]["X-Queue-Delivery"])
    assert retry[0] - first[0] >= 0.25

    # the next call: A002 called; A003 was already told it is near, A004 is new
    staff.post("/api/v1/counters/1/start")
    staff.post("/api/v1/counters/1/complete")
    staff.post("/api/v1/counters/1/call-next")
    wait_for(lambda: len(receiver.got) >= 7)
    time.sleep(0.5)
    later = [json.loads(b) for _, _, b in receiver.got[5:]]
    assert sorted((b["event"], b["number"]) for b in later) == [
        ("called", numbers[1]), ("near", numbers[3])]

    with app.state.qs.db.read_session() as s:
        rows = s.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [r.status for r in rows] == ["delivered"] * 6
        assert rows[0].attempts == 2 and rows[0].last_code == 200
    page = staff.get("/webhooks")
    assert page.status_code == 200
    assert page.text.count("delivered") >= 6 and numbers[0] in page.text
    app.state.qs.webhooks.close()
    app.state.qs.db.dispose()


@pytest.mark.parametrize("receiver", [[503] * 10], indirect=True)
def test_a_receiver_that_keeps_failing_is_given_up_after_the_set_tries(
        sqlite_url: str, tmp_path: Path, receiver: Receiver) -> None:
    app = make_app(sqlite_url, tmp_path, webhook_url=receiver.url, webhook_near_places=0,
                   webhook_backoff_s=0.2, webhook_attempts=3)
    client = TestClient(app)
    token = add_kiosk(app)
    # the first ticket has nobody ahead: "near" at issue, and the receiver keeps failing
    client.post("/api/v1/tickets", headers=auth(token), json={"id": new_id(), "service": "HT"})
    staff = login(app, "chi")
    wait_for(lambda: len(receiver.got) >= 3)
    time.sleep(1.0)
    assert len(receiver.got) == 3
    gaps = [b[0] - a[0] for a, b in zip(receiver.got, receiver.got[1:], strict=False)]
    assert 0.15 < gaps[0] < gaps[1], gaps  # 0.2 s, then 0.4 s
    with app.state.qs.db.read_session() as s:
        row = s.scalars(sa.select(WebhookDelivery)).one()
        assert (row.status, row.attempts, row.last_code) == ("failed", 3, 503)
        assert row.last_error == "HTTP 503"
    # the secret went to a 0600 file under the data dir, not the database
    key = tmp_path / "webhook.key"
    assert key.is_file() and key.stat().st_mode & 0o777 == 0o600
    assert "failed" in staff.get("/webhooks").text
    app.state.qs.webhooks.close()
    app.state.qs.db.dispose()


def test_a_ticket_issued_near_the_front_is_told_at_once_and_only_once(
        db_url: str, tmp_path: Path, receiver: Receiver) -> None:
    """Online issue, an offline ticket uploaded from a lease, and the calls after them:
    'near' goes out when the ticket is already within reach, never twice."""
    app = make_app(db_url, tmp_path, webhook_url=receiver.url, webhook_near_places=2)
    client = TestClient(app)
    token = add_kiosk(app)

    def issue() -> str:
        return client.post("/api/v1/tickets", headers=auth(token), json={
            "id": new_id(), "service": "HT"}).json()["number"]

    def told() -> list[tuple[str, str, int]]:
        return [(b["event"], b["number"], b["people_ahead"])
                for b in (json.loads(body) for _, _, body in receiver.got)]

    a1, a2, a3, a4 = (issue() for _ in range(4))
    wait_for(lambda: len(receiver.got) >= 3)
    time.sleep(0.5)
    # 0, 1 and 2 people ahead: near at issue; the fourth (3 ahead) is not near yet
    assert sorted(told()) == [("near", a1, 0), ("near", a2, 1), ("near", a3, 2)]

    # an offline ticket of the lease, uploaded while the queue is short: told on upload
    lease = client.post("/api/v1/leases", headers=auth(token),
                        json={"service": "CT", "size": 2}).json()
    offline = {"id": new_id(), "service": "CT", "number": lease["first_number"],
               "issued_at": None}  # printed just now
    answer = client.post("/api/v1/tickets/batch", headers=auth(token),
                         json={"tickets": [offline]}).json()
    assert answer["created"] == 1, answer
    wait_for(lambda: len(receiver.got) >= 4)
    again = client.post("/api/v1/tickets/batch", headers=auth(token),
                        json={"tickets": [offline]}).json()
    assert again["existing"] == 1

    staff = login(app, "chi")
    staff.post("/api/v1/counters/1/call-next")  # A001 called: A004 now 2 ahead, near
    wait_for(lambda: len(receiver.got) >= 6)
    time.sleep(0.8)
    events = told()
    assert sorted(events[3:]) == sorted([("near", lease["first_number"], 0),
                                         ("called", a1, 0), ("near", a4, 2)])
    assert len(events) == 6  # nobody told "near" twice
    with app.state.qs.db.read_session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 6
    app.state.qs.webhooks.close()
    app.state.qs.issuer.close()
    app.state.qs.db.dispose()
