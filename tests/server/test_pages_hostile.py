"""Every page rendered in real Chromium with hostile names, comments and parameters: no
script an attacker wrote runs (no flag set, no dialog), and every page sends the security
headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from qs_helpers import PASSWORD, LiveServer, add_kiosk, add_user, auth, make_app, new_id

from server.catalogue import Catalogue, apply_catalogue, default_catalogue
from server.models import Site, User
from tests.support.browser import wait_until

SCRIPT = "</script><script>window.__pwned=1</script>"
IMG = "<img src=x onerror=\"window.__pwned=2\">"
QUOTE = "\"'><svg onload=window.__pwned=3>"
HOSTILE = [SCRIPT, IMG, QUOTE]


@pytest.fixture
def hostile_site(tmp_path: Path) -> Iterator[tuple[FastAPI, LiveServer]]:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    base = default_catalogue().model_dump()
    for i, service in enumerate(base["services"][:3]):
        service["name_vi"] = HOSTILE[i] + " vi"
        service["name_en"] = HOSTILE[(i + 1) % 3] + " en"
    base["counters"] = [{"number": 1, "name": "Quầy " + SCRIPT},
                        {"number": 2, "name": IMG}]
    with app.state.qs.db.session() as s:
        site = s.scalars(sa.select(Site).order_by(Site.id)).first()
        assert site is not None
        site.name = "Phường " + SCRIPT
        apply_catalogue(s, site, Catalogue.model_validate(base))
    server = LiveServer(app).start()
    yield app, server
    server.stop()
    app.state.qs.db.dispose()


def _watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []

    def on_dialog(d) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _wait_for_board(page) -> None:  # type: ignore[no-untyped-def]
    """Wait for the board's live feed, under the page's CSP."""
    wait_until(page, "(window.boardUpdates || 0) >= 1", timeout=10_000)


def _clean(page, dialogs: list[str], what: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(300)  # let an onerror/onload handler fire if one was injected
    assert page.evaluate("window.__pwned") is None, f"injected script ran on {what}"
    assert dialogs == [], f"a dialog opened on {what}"


def test_no_injected_script_runs_on_any_page(browser, hostile_site, tmp_path: Path  # noqa: F811
                                             ) -> None:  # type: ignore[no-untyped-def]
    app, server = hostile_site
    token = add_kiosk(app, "Kiosk " + IMG)
    add_user(app, "boss", "manager")
    with app.state.qs.db.session() as s:
        boss = s.scalar(sa.select(User).where(User.username == "boss"))
        assert boss is not None
        boss.full_name = SCRIPT
    tickets = []
    for service in ("HT", "CT", "DD"):
        r = httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                       json={"id": new_id(), "service": service})
        assert r.status_code == 201, r.text
        tickets.append(r.json())

    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    dialogs = _watch(page)
    screens = Path("var/screens")
    screens.mkdir(parents=True, exist_ok=True)

    # The board: names in the server-rendered HTML and in the JSON its script reads.
    page.goto(f"{server.url}/board")
    _wait_for_board(page)
    _clean(page, dialogs, "the board")
    assert SCRIPT + " vi" in page.inner_text("#waiting")  # shown as text, whole
    assert IMG + " vi" in page.inner_text("#waiting")
    page.screenshot(path=str(screens / "hostile_board.png"))

    # Log in (the header shows the hostile full name), console, call, board follows.
    page.goto(f"{server.url}/login?next=" + "/console%22%3E%3Cscript%3Ewindow.__pwned=4"
              "%3C/script%3E")
    _clean(page, dialogs, "the log-in page with a hostile next=")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    for path in ("/", "/console", "/console/1", "/console/1/queue",
                 "/reports?site=%3Cscript%3Ewindow.__pwned=5%3C/script%3E",
                 "/reports", "/board/%3Cimg%20src=x%20onerror=window.__pwned=6%3E",
                 "/s/%3Cscript%3Ewindow.__pwned=7%3C%2Fscript%3E"):
        page.goto(server.url + path)
        _clean(page, dialogs, path)
    page.goto(f"{server.url}/console/1")
    page.click("button[data-action=call-next]")
    page.fill("input[name=number]", "<img src=x onerror=window.__pwned=8>")
    page.click("button[data-action=call]")
    _clean(page, dialogs, "the console after a hostile number")
    assert "Quầy " + SCRIPT in page.inner_text("h1")
    page.click("button[data-action=start]")
    page.click("button[data-action=complete]")
    page.screenshot(path=str(screens / "hostile_console.png"), full_page=True)

    # The survey with a hostile comment, then the reports that count it.
    page.goto(tickets[0]["survey_url"])
    _clean(page, dialogs, "the survey")
    page.click("label.star:nth-of-type(4)")
    page.fill("textarea[name=comment]", SCRIPT + IMG)
    page.click("button[type=submit]")
    _clean(page, dialogs, "the survey answer")
    page.goto(f"{server.url}/reports")
    _clean(page, dialogs, "the reports")
    page.screenshot(path=str(screens / "hostile_reports.png"), full_page=True)
    page.goto(f"{server.url}/board")
    _wait_for_board(page)
    _clean(page, dialogs, "the board after a call")
    ctx.close()


def test_every_page_sends_the_security_headers(hostile_site) -> None:  # type: ignore[no-untyped-def]
    app, server = hostile_site
    add_user(app, "boss", "manager")
    with httpx.Client(base_url=server.url) as c:
        r = c.post("/api/v1/auth/login", json={"username": "boss", "password": PASSWORD})
        assert r.status_code == 200
        for path in ("/", "/login", "/board/HCC", "/console", "/console/1", "/reports",
                     "/s/nope", "/api/v1/services", "/static/board.js", "/nowhere"):
            r = c.get(path)
            csp = r.headers.get("content-security-policy", "")
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert "frame-ancestors 'none'" in csp, path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            assert r.headers.get("referrer-policy") == "same-origin", path
        # The board's data is a JSON block the browser never runs: "<" is escaped in it.
        html = c.get("/board/HCC").text
        assert "</script><script>window.__pwned" not in html
        assert "\\u003c/script\\u003e" in html
