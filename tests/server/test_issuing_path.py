"""The issuing hot path: the group-commit batcher, the lean ASGI path in front of FastAPI
(same answers as the FastAPI route), and a database outage (503, nothing lost)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from qs_helpers import LiveServer, add_kiosk, auth, make_app, new_id

from server.batching import Batcher, BatcherClosed
from server.models import Ticket
from tests.support.tcp_proxy import TcpProxy


def test_batcher_gives_each_caller_its_own_result_and_groups_waiting_items() -> None:
    seen: list[list[int]] = []
    gate = threading.Event()

    def process(items: list[int]) -> list[object]:
        gate.wait(5)
        seen.append(list(items))
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    batcher: Batcher[int, int] = Batcher(process, max_batch=50, name="t")
    first = batcher.submit(0)  # taken alone while the gate is shut...
    time.sleep(0.1)
    rest = [batcher.submit(i) for i in range(1, 8)]  # ...these wait together
    gate.set()
    assert first.result(5) == 0
    assert [f.result(5) for f in rest[1::2]] == [20, 40, 60]
    for f in rest[0::2]:
        with pytest.raises(ValueError, match="odd"):
            f.result(5)
    assert seen == [[0], [1, 2, 3, 4, 5, 6, 7]]

    async def from_coroutines() -> list[int]:
        return list(await asyncio.gather(*(batcher.run(i) for i in (10, 12, 14))))

    assert asyncio.run(from_coroutines()) == [100, 120, 140]
    batcher.close()
    with pytest.raises(BatcherClosed):
        batcher.submit(2)


def test_a_failing_batch_fails_every_item_of_it_and_the_next_batch_works() -> None:
    calls = {"n": 0}

    def process(items: list[str]) -> list[object]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database went away")
        return [s.upper() for s in items]

    batcher: Batcher[str, str] = Batcher(process)
    with pytest.raises(ConnectionError):
        batcher.submit("a").result(5)
    assert batcher.submit("b").result(5) == "B"
    batcher.close()


def test_fast_path_and_fastapi_route_answer_alike(client: TestClient, app: FastAPI) -> None:
    """A chunked body (no Content-Length) goes through the FastAPI route; the usual request
    through the lean path. Same fields, same numbering, same idempotency."""
    token = add_kiosk(app)
    fast = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                       headers=auth(token))
    tid = new_id()
    body = f'{{"id": "{tid}", "service": "HT"}}'.encode()
    routed = client.post("/api/v1/tickets", content=iter([body]),
                         headers={**auth(token), "content-type": "application/json"})
    assert fast.status_code == routed.status_code == 201
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert set(fast.json()) == set(routed.json())
    assert (fast.json()["number"], routed.json()["number"]) == ("A001", "A002")
    assert routed.json()["people_ahead"] == 1
    again = client.post("/api/v1/tickets", json={"id": tid, "service": "HT"},
                        headers=auth(token))
    assert again.status_code == 200 and again.json() == routed.json()
    # Refusals come from the FastAPI route's handlers, whichever path saw them first.
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT", "extra": 1,
                                             "priority": "maybe"}, headers=auth(token))
    assert r.status_code == 422 and "priority" in r.json()["detail"]
    r = client.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"},
                    headers={"authorization": "Bearer " + "x" * 40})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_database_outage_is_a_clear_503_and_nothing_is_lost(
        postgres_url: str, tmp_path: Path) -> None:
    url = sa.make_url(postgres_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).restore()
    app = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False),
                   tmp_path)
    server = LiveServer(app).start()
    token = add_kiosk(app)
    try:
        with httpx.Client(base_url=server.url, headers=auth(token), timeout=30) as c:
            assert c.post("/api/v1/tickets", json={"id": new_id(), "service": "HT"}
                          ).json()["number"] == "A001"
            proxy.cut()
            tid = new_id()
            r = c.post("/api/v1/tickets", json={"id": tid, "service": "HT"})
            assert r.status_code == 503, r.text
            assert "cannot be reached" in r.json()["detail"]
            assert r.headers["retry-after"] == "5"
            assert c.get("/api/v1/health").status_code == 503
            proxy.restore()
            r = c.post("/api/v1/tickets", json={"id": tid, "service": "HT"})
            assert r.status_code == 201, r.text
            assert r.json()["number"] == "A002"  # the failed attempt took no number
    finally:
        server.stop()
        proxy.cut()
    with app.state.qs.db.read_session() as s:
        proxy.restore()
        assert s.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 2
    app.state.qs.db.dispose()
    proxy.cut()
