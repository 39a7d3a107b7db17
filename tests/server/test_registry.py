"""The citizen registry of a site on the queue server: kiosks push enrolments and pull
changes over real HTTP on loopback (SQLite and PostgreSQL); admins view, export, erase."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from qs_helpers import PASSWORD, LiveServer, add_kiosk, add_site, add_user, auth, make_app

from server.models import RegistryAudit


def face(seed: int) -> np.ndarray:
    """A face-like vector: float32 (128,), norm 1 (random people are ~1.4 apart)."""
    v = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return v / np.linalg.norm(v)


def near(v: np.ndarray, seed: int, by: float = 0.2) -> np.ndarray:
    """Another photo of the same person: ``by`` away from ``v``."""
    d = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return (v + by * d / np.linalg.norm(d)).astype(np.float32)


def b64(v: np.ndarray) -> str:
    return base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode()


def enrolment(name: str, id_number: str, *vectors: np.ndarray,
              client_uuid: str | None = None) -> dict:
    return {"client_uuid": client_uuid or str(uuid.uuid4()), "full_name": name,
            "id_number": id_number, "templates": [b64(v) for v in vectors],
            "consent_by": "nv.lan", "consent_text_version": "2026-01",
            "date_of_birth": "1961-08-04", "priority_group": "elderly"}


def push(url: str, token: str, *items: dict) -> list[dict]:
    r = httpx.post(f"{url}/api/v1/registry/enrolments", headers=auth(token),
                   json={"enrolments": list(items)}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def pull_all(url: str, token: str, cursor: int = 0, limit: int | None = None) -> dict:
    """Every page after ``cursor``: {"cursor", "changes", "pages", "registry_id"}."""
    changes: list[dict] = []
    pages = 0
    while True:
        params = {"cursor": cursor} | ({"limit": limit} if limit else {})
        r = httpx.get(f"{url}/api/v1/registry/changes", headers=auth(token), params=params,
                      timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        pages += 1
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            return {"cursor": cursor, "changes": changes, "pages": pages,
                    "registry_id": body["registry_id"], "site": body["site"]}


def admin_client(app: FastAPI, url: str, role: str = "admin") -> httpx.Client:
    add_user(app, f"u-{role}", role)
    c = httpx.Client(base_url=url, timeout=30)
    r = c.post("/api/v1/auth/login", json={"username": f"u-{role}", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def test_enrol_once_for_the_site_pull_everywhere_erase_everywhere(
        app: FastAPI, live_server: LiveServer) -> None:
    url = live_server.url
    kiosk_a, kiosk_b = add_kiosk(app, "a"), add_kiosk(app, "b")
    add_site(app, "other")
    kiosk_other = add_kiosk(app, "x", site_code="other")
    lan = face(1)

    first = enrolment("Nguyễn Văn Lân", "079061012345", lan, near(lan, 2))
    [created] = push(url, kiosk_a, first)
    assert created["result"] == "created" and created["templates"] == 2
    # The kiosk lost the answer and sends again: same answer, nothing doubled.
    assert push(url, kiosk_a, first) == [created]

    # The same face under another id number at another kiosk: refused over the whole site.
    [dup] = push(url, kiosk_b, enrolment("Someone Else", "001090000001", near(lan, 3)))
    assert dup["result"] == "refused" and "already enrolled" in dup["reason"]
    # The same id number with another person's face: refused, not merged.
    [other] = push(url, kiosk_b, enrolment("Nguyễn Văn Lân", "079061012345", face(9)))
    assert other["result"] == "refused"
    assert "does not match the face enrolled with this id number" in other["reason"]
    # The same id number with the same person's face: one more template.
    [more] = push(url, kiosk_b, enrolment("Nguyễn Văn Lân", "079061012345", near(lan, 4)))
    assert more == {**more, "result": "added", "citizen_id": created["citizen_id"]}
    [mai] = push(url, kiosk_b, enrolment("Trần Thị Mai", "001190000002", face(20)))
    assert mai["result"] == "created"

    # A new kiosk of the site gets both citizens, every template, in pages.
    got = pull_all(url, kiosk_b, limit=1)
    assert got["pages"] >= 2 and got["site"] != "other"
    by_id = {c["citizen_id"]: c for c in got["changes"]}
    assert set(by_id) == {created["citizen_id"], mai["citizen_id"]}
    lan_row = by_id[created["citizen_id"]]
    assert lan_row["kind"] == "upsert" and len(lan_row["templates"]) == 3
    assert lan_row["citizen"]["id_number"] == "********2345"
    assert "079061012345" not in str(got)
    vec = np.frombuffer(base64.b64decode(lan_row["templates"][0]["vector"]), dtype="<f4")
    assert np.allclose(vec, lan)
    # A kiosk of another site sees none of them.
    assert pull_all(url, kiosk_other)["changes"] == []

    # Staff without the admin role cannot read the registry.
    staff = admin_client(app, url, role="staff")
    assert staff.get("/api/v1/registry/citizens").status_code == 403
    admin = admin_client(app, url)
    listed = admin.get("/api/v1/registry/citizens", params={"q": "Lân"}).json()
    assert [c["id_number"] for c in listed] == ["********2345"]
    shown = admin.get(f"/api/v1/registry/citizens/{created['citizen_id']}").json()
    assert shown["templates"] == 3 and len(shown["consents"]) == 2
    exported = admin.get(f"/api/v1/registry/citizens/{created['citizen_id']}/export").json()
    assert exported["citizen"]["id_number"] == "079061012345"
    assert len(exported["face_templates"]) == 3
    assert {"enrol", "add_faces", "enrol_refused", "view"} <= {
        a["action"] for a in exported["audit"]}

    # Erasure: gone from the server, and the next pull tells every kiosk.
    r = admin.delete(f"/api/v1/registry/citizens/{created['citizen_id']}")
    assert r.status_code == 200 and r.json()["templates_deleted"] == 3
    after = pull_all(url, kiosk_a, cursor=got["cursor"])
    assert after["changes"] == [{"kind": "delete", "citizen_id": created["citizen_id"]}]
    assert admin.get(f"/api/v1/registry/citizens/{created['citizen_id']}").status_code == 404
    # A new kiosk pulling from nothing sees the delete too (and then nothing of Lân).
    fresh = pull_all(url, kiosk_a)
    assert {c["kind"] for c in fresh["changes"] if c["citizen_id"] == created["citizen_id"]} \
        == {"delete"}
    with app.state.qs.db.read_session() as s:
        trail = s.query(RegistryAudit).filter_by(citizen_id=created["citizen_id"]).all()
        assert "erase" in {a.action for a in trail}
        assert all("079061012345" not in a.detail for a in trail)


def test_bad_enrolments_get_a_clear_error_and_store_nothing(
        app: FastAPI, live_server: LiveServer) -> None:
    url, token = live_server.url, add_kiosk(app)
    broken = enrolment("A", "079061012345", face(1))
    broken["templates"] = [base64.b64encode(b"\0" * 100).decode()]
    nan = enrolment("B", "079061012346", face(2))
    nan["templates"] = [b64(np.full(128, np.nan, dtype=np.float32))]
    results = push(url, token, broken, nan)
    assert [r["result"] for r in results] == ["error", "error"]
    assert "512 bytes" in results[0]["reason"] and "NaN" in results[1]["reason"]
    assert pull_all(url, token)["changes"] == []
    r = httpx.get(f"{url}/api/v1/registry/changes", timeout=10)
    assert r.status_code == 401


def test_a_wrong_registry_key_is_refused_with_a_clear_message(
        sqlite_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(sqlite_url, tmp_path)
    server = LiveServer(app).start()
    try:
        token = add_kiosk(app)
        assert push(server.url, token, enrolment("A", "079061012345", face(1)))[0][
            "result"] == "created"
    finally:
        server.stop()
        app.state.qs.issuer.close()
    monkeypatch.setenv("QUEUE_SERVER_REGISTRY_KEY", "ab" * 32)
    app2 = make_app(sqlite_url, tmp_path)
    server = LiveServer(app2).start()
    try:
        r = httpx.get(f"{server.url}/api/v1/registry/changes", headers=auth(token), timeout=10)
        assert r.status_code == 503
        assert "not the key the registry was sealed with" in r.json()["detail"]
    finally:
        server.stop()
        app2.state.qs.issuer.close()


def test_cli_list_show_export_delete_and_key_rotation(
        app: FastAPI, live_server: LiveServer, db_url: str, tmp_path) -> None:
    from click.testing import CliRunner

    from server.cli import cli

    url, token = live_server.url, add_kiosk(app)
    [lan] = push(url, token, enrolment("Nguyễn Văn Lân", "079061012345", face(1), near(face(1), 2)))
    cid = str(lan["citizen_id"])
    common = ["--db", db_url, "--data-dir", str(tmp_path)]
    runner = CliRunner()

    r = runner.invoke(cli, ["citizens", "list", "--json", *common])
    assert r.exit_code == 0, r.output
    [row] = [json.loads(line) for line in r.output.splitlines()]
    assert row["id_number"] == "********2345" and row["templates"] == 2
    r = runner.invoke(cli, ["citizens", "show", cid, *common])
    assert json.loads(r.output)["consents"][0]["staff"] == "nv.lan"

    before = pull_all(url, token)["changes"][0]["templates"]
    r = runner.invoke(cli, ["keys", "rotate", *common])
    assert r.exit_code == 0 and "2 template(s) re-sealed" in r.output, r.output
    # The running server notices the new key; the templates are the same vectors.
    assert pull_all(url, token)["changes"][0]["templates"] == before
    r = runner.invoke(cli, ["citizens", "export", cid, *common])
    assert json.loads(r.output)["citizen"]["id_number"] == "079061012345"
    # Re-enrolling the id number still finds the citizen (the keyed hash was redone).
    [again] = push(url, token, enrolment("Nguyễn Văn Lân", "079061012345", near(face(1), 5)))
    assert again["result"] == "added"

    r = runner.invoke(cli, ["citizens", "delete", cid, *common], input="n\n")
    assert r.exit_code == 1 and "not deleted" in r.output
    r = runner.invoke(cli, ["citizens", "delete", cid, "--yes", *common])
    assert r.exit_code == 0 and "3 template(s)" in r.output
    r = runner.invoke(cli, ["citizens", "show", cid, *common])
    assert r.exit_code == 1 and f"no citizen {cid}" in r.output
    r = runner.invoke(cli, ["citizens", "retention", *common])
    assert "retention is off" in r.output


def test_consent_withdrawal_and_the_retention_job_erase_and_tell_the_kiosks(
        app: FastAPI, live_server: LiveServer, db_url: str, tmp_path) -> None:
    import datetime as dt

    import sqlalchemy as sa
    from click.testing import CliRunner

    from server.cli import cli
    from server.models import RegistryCitizen

    url, token = live_server.url, add_kiosk(app)
    [mai] = push(url, token, enrolment("Trần Thị Mai", "001190000002", face(20)))
    [old] = push(url, token, enrolment("Lê Văn Cũ", "001090000003", face(30)))
    cursor = pull_all(url, token)["cursor"]
    admin = admin_client(app, url)
    r = admin.post(f"/api/v1/registry/citizens/{mai['citizen_id']}/withdraw-consent")
    assert r.status_code == 200 and r.json()["templates_deleted"] == 1

    with app.state.qs.db.session() as s:
        s.execute(sa.update(RegistryCitizen).where(RegistryCitizen.id == old["citizen_id"])
                  .values(last_seen_at=dt.datetime(2025, 1, 1)))
    common = ["--db", db_url, "--data-dir", str(tmp_path)]
    r = CliRunner().invoke(cli, ["citizens", "retention", "--days", "30", *common])
    assert r.exit_code == 0 and "erased 1 citizen(s)" in r.output, r.output
    changes = pull_all(url, token, cursor=cursor)["changes"]
    assert sorted((c["kind"], c["citizen_id"]) for c in changes) == sorted(
        [("delete", mai["citizen_id"]), ("delete", old["citizen_id"])])
    with app.state.qs.db.read_session() as s:
        actions = {a.action for a in s.query(RegistryAudit).filter_by(
            citizen_id=mai["citizen_id"])}
    assert {"consent_withdrawn", "erase"} <= actions


def test_an_id_card_held_up_at_any_kiosk_of_the_site_is_the_same_person(
        app: FastAPI, live_server: LiveServer) -> None:
    """``POST /api/v1/registry/card``: the registry citizen of the card (None once erased)
    and one person key for the card holder at every kiosk of the centre, under which the
    server's ticket list holds one waiting ticket across kiosks."""
    url = live_server.url
    kiosk_a, kiosk_b = add_kiosk(app, "a"), add_kiosk(app, "b")
    [lan] = push(url, kiosk_a, enrolment("Nguyễn Văn Lân", "079061012345", face(1)))

    def card(token: str, number: str) -> httpx.Response:
        return httpx.post(f"{url}/api/v1/registry/card", headers=auth(token),
                          json={"id_number": number}, timeout=30)

    at_a, at_b = card(kiosk_a, "079061012345").json(), card(kiosk_b, "079061012345").json()
    assert at_a["citizen_id"] == lan["citizen_id"] and at_a == at_b
    stranger_a = card(kiosk_a, "001085000009").json()
    assert stranger_a["citizen_id"] is None
    assert stranger_a == card(kiosk_b, "001085000009").json()
    person = stranger_a["person"]
    assert person.startswith("k-") and len(person) == 34 and "001085000009" not in person
    assert person != at_a["person"]

    # A ticket for the card holder at kiosk A is open for them when kiosk B asks.
    r = httpx.post(f"{url}/api/v1/tickets", headers=auth(kiosk_a), timeout=30,
                   json={"id": str(uuid.uuid4()), "service": "HT", "citizen_id": person})
    assert r.status_code in (200, 201), r.text
    today = httpx.get(f"{url}/api/v1/citizens/{person}/tickets/today",
                      headers=auth(kiosk_b), timeout=30).json()
    assert today["open_count"] == 1

    # Erased (or consent withdrawn): the card is no longer a registered citizen's.
    admin = admin_client(app, url)
    assert admin.delete(f"/api/v1/registry/citizens/{lan['citizen_id']}").status_code == 200
    assert card(kiosk_b, "079061012345").json() == {**at_a, "citizen_id": None}

    # Bad input: a clear 4xx, never the number echoed; no token: 401.
    bad = card(kiosk_a, "07906101234")
    assert bad.status_code == 422 and "07906101234" not in bad.text
    assert httpx.post(f"{url}/api/v1/registry/card", json={"id_number": "079061012345"},
                      timeout=30).status_code == 401
    with app.state.qs.db.read_session() as s:
        assert all("079061012345" not in a.detail for a in s.query(RegistryAudit).all())
