"""Offline numbers under a number pattern other than the shipped default: a kiosk that
formats leased numbers with the pattern the lease carries gets them accepted; a number
that does not read back under the server's pattern is refused for good, with a reason a
kiosk can tell from a temporary failure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from qs_helpers import add_kiosk, auth, make_app, new_id

from ticketing.numbers import DEFAULT_PATTERN, format_number

PATTERN = "{service}-{prefix}{seq:04d}"


def test_numbers_formatted_with_the_leased_pattern_are_accepted(db_url: str, tmp_path: Path
                                                               ) -> None:
    app = make_app(db_url, tmp_path, number_pattern=PATTERN)
    try:
        client = TestClient(app)
        token = add_kiosk(app)
        lease = client.post("/api/v1/leases", json={"service": "HT", "size": 5},
                            headers=auth(token)).json()
        assert lease["number_pattern"] == PATTERN
        assert lease["first_number"] == f"HT-{lease['prefix']}{lease['first_seq']:04d}"
        now = dt.datetime.now(dt.UTC)

        def offline(seq: int, pattern: str) -> dict:
            number = format_number(pattern, lease["prefix"], seq, lease["service"])
            return {"id": new_id(), "service": "HT", "number": number,
                    "issued_at": now.isoformat()}

        first, second = lease["first_seq"], lease["first_seq"] + 1
        good = [offline(first, lease["number_pattern"]), offline(second, lease["number_pattern"])]
        wrong = offline(first + 2, DEFAULT_PATTERN)  # a kiosk that ignored the lease's pattern
        outside = offline(lease["last_seq"] + 50, lease["number_pattern"])
        body = {"tickets": [*good, wrong, outside]}
        out = client.post("/api/v1/tickets/batch", json=body, headers=auth(token)).json()
        assert [r["result"] for r in out["results"]] == [
            "created", "created", "rejected", "rejected"]
        assert (out["created"], out["rejected"], out["retry"]) == (2, 2, 0)
        assert [r["ticket"]["number"] for r in out["results"][:2]] == [
            g["number"] for g in good]
        bad = out["results"][2]
        assert (bad["reason"], bad["status_code"]) == ("bad_number", 422)
        assert wrong["number"] in bad["error"] and "HT-" in bad["error"]
        assert out["results"][3]["reason"] == "not_leased"
        # Refused for good: sending it again gives the same answer, and stores nothing.
        again = client.post("/api/v1/tickets/batch", json=body, headers=auth(token)).json()
        assert [r["result"] for r in again["results"]] == [
            "existing", "existing", "rejected", "rejected"]
        assert [r["reason"] for r in again["results"][2:]] == ["bad_number", "not_leased"]
        # The single-ticket endpoint refuses it the same way.
        r = client.post("/api/v1/tickets", json={**wrong, "id": new_id()}, headers=auth(token))
        assert r.status_code == 422 and wrong["number"] in r.json()["detail"]
    finally:
        app.state.qs.issuer.close()
        app.state.qs.db.dispose()
