"""The counter console in real headless Chromium, as counter staff use it (issue 16): the
buttons stay put, call next waits for the called ticket, recalls warn at the limit, the
waiting total is the real one, a lost session or a silent server shows a banner, refused
actions leave the console's address in the bar, keys work, timers and the day's tally show.
Screenshots go to var/screens/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from qs_helpers import PASSWORD, LiveServer, add_kiosk, add_user, auth, make_app, new_id

from tests.support.browser import wait_until

SCREENS = Path("var/screens")
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FastAPI, LiveServer]]:
    app = make_app(f"sqlite:///{tmp_path / 'q.db'}", tmp_path, max_recalls=3)
    server = LiveServer(app).start()
    yield app, server
    server.stop()
    app.state.qs.db.dispose()


def issue(server: LiveServer, token: str, service: str, n: int) -> None:
    for _ in range(n):
        r = httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                       json={"id": new_id(), "service": service})
        assert r.status_code == 201, r.text


def log_in(page, url: str, username: str, target: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login?next={target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def top(page, selector: str) -> float:  # type: ignore[no-untyped-def]
    box = page.locator(selector).bounding_box()
    assert box is not None
    return box["y"]


def test_console_is_stable_and_says_what_happened(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    SCREENS.mkdir(parents=True, exist_ok=True)
    token = add_kiosk(app)
    add_user(app, "nhanvien", "staff")
    issue(server, token, "HT", 61)
    ctx = browser.new_context(viewport=DESK)
    page = ctx.new_page()
    log_in(page, server.url, "nhanvien", "/console/1")
    assert page.url.endswith("/console/1")

    # The waiting total is every waiting ticket, not the 50 the list shows.
    assert page.inner_text("#waiting-total") == "61"
    assert page.locator("#queue ol.queue li").count() == 50
    assert page.inner_text("#current-number") == "—"
    page.screenshot(path=str(SCREENS / "console_idle_1366.png"), full_page=True)
    y_idle = top(page, "button[data-action=call-next]")
    y_done = top(page, "button[data-action=complete]")

    # Keyboard: N calls next; the buttons did not move from idle to called.
    assert "N" in page.inner_text("button[data-action=call-next] kbd")
    page.keyboard.press("n")
    wait_until(page, "document.getElementById('current-number').innerText === 'A001'")
    assert top(page, "button[data-action=call-next]") == y_idle
    assert top(page, "button[data-action=complete]") == y_done
    assert page.url.endswith("/console/1")
    assert "Đã gọi A001" in page.inner_text("#message")
    # Call next waits for the called ticket to be started, recalled or marked no-show.
    assert page.is_disabled("button[data-action=call-next]")
    assert "bắt đầu" in page.inner_text("#call-next-hint")
    # The timer runs: waited, and called since.
    wait_until(page, "document.getElementById('timer').innerText.indexOf('Đã chờ') >= 0")
    assert "Đã gọi / Called 0:0" in page.inner_text("#timer")
    assert page.inner_text("#waiting-total") == "60"

    # A refused action: the message in its slot, nothing moves, the address stays.
    page.fill("input[name=number]", "Z999")
    page.click("button[data-action=call]")
    assert "Hôm nay không có phiếu Z999" in page.inner_text("#message")
    assert "No ticket Z999 today" in page.inner_text("#message")
    assert page.url.endswith("/console/1")
    assert top(page, "button[data-action=call-next]") == y_idle
    assert top(page, "button[data-action=complete]") == y_done
    page.screenshot(path=str(SCREENS / "console_error_1366.png"), full_page=True)
    again = page.goto(page.url)
    assert again is not None and again.status == 200

    # Recalls: the third warns that the next one marks the ticket no-show.
    for n in (1, 2, 3):
        page.keyboard.press("r")
        wait_until(page,
            f"document.querySelector('.recalls') && "
            f"document.querySelector('.recalls').innerText.indexOf('{n}/3') >= 0")
    assert "lần gọi lại tiếp theo sẽ đánh phiếu vắng mặt" in page.inner_text("#message")
    assert page.locator(".recalls.last").count() == 1
    page.screenshot(path=str(SCREENS / "console_recall_limit_1366.png"), full_page=True)
    page.reload()
    assert "3/3" in page.inner_text("#message")  # the warning stays while it holds
    page.keyboard.press("r")
    wait_until(page, "document.getElementById('current-number').innerText === '—'")
    said = page.inner_text("#message")
    assert "A001" in said and "vắng mặt" in said and "marked no-show" in said
    assert page.inner_text("#tally-no-show") == "1"

    # Serve one: start (S) then done (D); the day's tally counts it.
    page.keyboard.press("n")
    wait_until(page, "document.getElementById('current-number').innerText === 'A002'")
    page.keyboard.press("s")
    wait_until(page, "document.getElementById('current-status').innerText"
                           ".indexOf('serving') >= 0")
    assert not page.is_disabled("button[data-action=call-next]")
    assert "Phục vụ / Serving" in page.inner_text("#timer")
    page.keyboard.press("d")
    wait_until(page, "document.getElementById('tally-served').innerText === '1'")
    assert page.inner_text("#tally-avg") != "—"

    # Keys typed into the number box are text, not shortcuts.
    page.fill("input[name=number]", "")
    page.type("input[name=number]", "n")
    assert page.inner_text("#current-number") == "—"

    # The server does not answer: a banner says the list is stale, then it recovers.
    assert page.is_hidden("#stale")
    page.route("**/console/1/queue", lambda route: route.abort())
    page.wait_for_selector("#stale", state="visible", timeout=10000)
    assert "Máy chủ không trả lời" in page.inner_text("#stale")
    assert top(page, "button[data-action=call-next]") == y_idle  # an overlay, no shift
    page.screenshot(path=str(SCREENS / "console_stale_1366.png"))
    page.unroute("**/console/1/queue")
    page.wait_for_selector("#stale", state="hidden", timeout=10000)

    # The session is lost: the banner says so and offers to log in again.
    ctx.clear_cookies()
    page.wait_for_selector("#stale", state="visible", timeout=10000)
    assert "Phiên đăng nhập đã hết" in page.inner_text("#stale")
    assert page.is_visible("#stale-login")
    page.click("#stale-login")
    page.fill("input[name=username]", "nhanvien")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.endswith("/console/1")
    wait_until(page, "window.consoleRefreshes >= 1", timeout=10000)
    assert page.is_hidden("#stale")

    # On a phone: the same console, screenshot looked at.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    mobile = phone.new_page()
    log_in(mobile, server.url, "nhanvien", "/console/1")
    mobile.click("button[data-action=call-next]")
    assert mobile.inner_text("#current-number") == "A003"
    mobile.screenshot(path=str(SCREENS / "console_called_phone.png"), full_page=True)
    ctx.close()
    phone.close()


def test_error_pages_are_for_people_and_json_stays_under_api(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    add_user(app, "nhanvien", "staff")
    ctx = browser.new_context(viewport=DESK)
    page = ctx.new_page()
    log_in(page, server.url, "nhanvien", "/console")
    # Opening an action's address (as after a refused action before) is a page, not JSON.
    r = page.goto(f"{server.url}/console/1/call-next")
    assert r is not None and r.status == 405
    assert "text/html" in r.headers["content-type"]
    assert "Không mở được địa chỉ này" in page.inner_text("h1")
    page.screenshot(path=str(SCREENS / "error_405_1366.png"))
    r = page.goto(f"{server.url}/khong-co")
    assert r is not None and r.status == 404 and "Không tìm thấy" in page.inner_text("h1")
    r = page.goto(f"{server.url}/console/abc")
    assert r is not None and r.status == 422 and "không hợp lệ" in page.inner_text("h1")
    r = page.goto(f"{server.url}/console/999")
    assert r is not None and r.status == 404
    assert "Không có quầy này" in page.inner_text("#error-message")
    r = page.goto(f"{server.url}/board/XYZ")
    assert r is not None and r.status == 404
    assert "Không có điểm 'XYZ'" in page.inner_text("#error-message")
    api = httpx.get(f"{server.url}/api/v1/nothing-here")
    assert api.status_code == 404 and api.json()["detail"]
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                device_scale_factor=2)
    small = phone.new_page()
    r = small.goto(f"{server.url}/khong-co")
    assert r is not None and r.status == 404
    small.screenshot(path=str(SCREENS / "error_404_phone.png"), full_page=True)
    ctx.close()
    phone.close()


def test_api_docs_load_without_internet(browser, served) -> None:  # type: ignore[no-untyped-def]
    _app, server = served
    ctx = browser.new_context(viewport=DESK)
    page = ctx.new_page()
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(server.url) else None)
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock", timeout=15000)  # the operations are drawn
    assert "/api/v1/tickets" in page.inner_text("#swagger-ui")
    assert outside == []
    page.screenshot(path=str(SCREENS / "docs_1366.png"))
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    small = phone.new_page()
    small.goto(f"{server.url}/docs")
    small.wait_for_selector(".opblock", timeout=15000)
    small.screenshot(path=str(SCREENS / "docs_phone.png"))
    ctx.close()
    phone.close()
