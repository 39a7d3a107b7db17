"""Errors answer people with an HTML page in Vietnamese (English beside it) and programs
under /api/ with JSON (issue 16), including when the database cannot be reached."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from qs_helpers import make_app


def test_database_down_is_a_page_for_people_and_json_for_the_api(tmp_path: Path) -> None:
    db_file = tmp_path / "q.db"
    app = make_app(f"sqlite:///{db_file}", tmp_path)
    client = TestClient(app)
    assert client.get("/board/HCC").status_code == 200
    # The database file disappears: new connections find an empty file without tables.
    app.state.qs.db.dispose()
    db_file.unlink()
    page = client.get("/board/HCC", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Không kết nối được cơ sở dữ liệu" in page.text
    assert page.headers["retry-after"] == "5"
    api = client.get("/api/v1/sites/HCC/board")
    assert api.status_code == 503 and "cannot be reached" in api.json()["detail"]
    app.state.qs.db.dispose()


def test_wrong_method_and_bad_input_pages(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    client = TestClient(app)
    r = client.get("/logout")
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert "Không mở được địa chỉ này" in r.text
    r = client.post("/login", data={"username": "x" * 100, "password": "p"})
    assert r.status_code == 422 and "không hợp lệ" in r.text
    r = client.get("/api/v1/auth/login")
    assert r.status_code == 405 and r.json()["detail"]
    app.state.qs.db.dispose()
