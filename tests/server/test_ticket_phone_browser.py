"""The ticket page on a small phone in real Chromium: readable while waiting, the rating
filled by taps after the service. Screenshots: var/screens/ticket_*.png."""

from __future__ import annotations

from pathlib import Path

import httpx
from qs_helpers import LiveServer, add_kiosk, auth, login, make_app, new_id
from test_board_browser import SCREENS, launch


def test_ticket_on_a_phone(playwright_driver, tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    server = LiveServer(app).start()
    browser = launch(playwright_driver, autoplay=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    try:
        token = add_kiosk(app)
        tickets = [httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                              json={"id": new_id(), "service": "HT"}).json()
                   for _ in range(3)]
        mine = tickets[-1]
        phone = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
        page = phone.new_page()
        page.goto(mine["ticket_url"])
        assert page.inner_text("#ticket-number") == mine["number"]
        assert page.inner_text("#ahead") == "2"
        page.screenshot(path=str(SCREENS / "ticket_waiting.png"), full_page=True)
        staff = login(app, "chi")
        for _ in tickets:
            staff.post("/api/v1/counters/1/call-next")
            staff.post("/api/v1/counters/1/start")
            staff.post("/api/v1/counters/1/complete")
        page.reload()
        assert page.locator("fieldset.crit").count() == 5
        page.screenshot(path=str(SCREENS / "ticket_rating.png"), full_page=True)
        for key, score in [("access", 5), ("procedure", 4), ("official", 5), ("result", 4),
                           ("feedback", 3)]:
            page.tap(f"#crit-{key} label:nth-child({score})")
        page.fill("textarea[name=comment]", "Nhanh, cảm ơn")
        page.click("button[type=submit]")
        assert "Cảm ơn" in page.inner_text("#thanks")
        widths = page.evaluate("document.documentElement.scrollWidth")
        assert widths <= 360, "the page scrolls sideways on a small phone"
        page.screenshot(path=str(SCREENS / "ticket_thanks.png"), full_page=True)
    finally:
        browser.close()
        server.stop()
        app.state.qs.db.dispose()
