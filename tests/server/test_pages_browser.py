"""The web pages in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): log in, call next, see the board change within a second, rate the service,
read the reports. Screenshots go to tests/output/ for a person to look at."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from qs_helpers import PASSWORD, add_kiosk, add_user, auth, new_id

from tests.support.browser import wait_until


def test_counter_board_survey_and_reports(browser, served, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    token = add_kiosk(app, "Kiosk sảnh")
    add_user(app, "nhanvien", "staff")
    add_user(app, "quanly", "manager")
    tickets = []
    for service, prio in [("HT", False), ("HT", False), ("CT", False), ("HT", True),
                          ("DD", False)]:
        r = httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                       json={"id": new_id(), "service": service, "priority": prio})
        assert r.status_code == 201
        tickets.append(r.json())

    # The display board, as a 1280x720 TV.
    # The board runs under its real CSP: wait_until polls with page.evaluate.
    tv = browser.new_context(viewport={"width": 1280, "height": 720})
    board = tv.new_page()
    board.goto(f"{server.url}/board")
    wait_until(board, "window.boardUpdates >= 1")  # the live feed is connected
    assert "Hộ tịch" in board.inner_text("#waiting")
    board.screenshot(path=str(output_dir / "server_board_before.png"))

    # Counter staff log in and call next at counter 1 (Hộ tịch).
    desk = browser.new_context(viewport={"width": 1024, "height": 768})
    page = desk.new_page()
    page.goto(f"{server.url}/console")
    assert "/login" in page.url
    page.fill("input[name=username]", "nhanvien")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.inner_text(".error")
    page.fill("input[name=username]", "nhanvien")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Quầy 1")
    assert page.inner_text("#current-number") == "—"
    updates = board.evaluate("window.boardUpdates")
    clicked = time.monotonic()
    page.click("button[data-action=call-next]")
    # The priority ticket A003 goes before A001 and A002.
    assert page.inner_text("#current-number") == "A003"
    wait_until(board, f"window.boardUpdates > {updates} && "
                            "document.getElementById('serving').innerText.indexOf('A003') >= 0",
                            timeout=3000)
    latency = time.monotonic() - clicked
    assert latency < 1.5, f"the board changed {latency:.2f} s after the call"
    wait_until(board, "window.lastAnnouncement !== undefined")
    said = board.evaluate("window.lastAnnouncement")
    assert said["text"] == "Mời số A003 đến quầy 1"
    assert said["speech"] == "Mời số A không không ba, đến quầy 1"
    assert "Mời số A003 đến quầy 1" in board.inner_text("#announce")
    page.screenshot(path=str(output_dir / "server_console.png"), full_page=True)
    board.screenshot(path=str(output_dir / "server_board_called.png"))

    # Serve it, then call the next one and the board follows again.
    page.click("button[data-action=start]")
    assert "serving" in page.inner_text("#current-status")
    page.click("button[data-action=complete]")
    assert page.inner_text("#current-number") == "—"
    page.click("button[data-action=call-next]")
    assert page.inner_text("#current-number") == "A001"
    page.click("button[data-action=recall]")
    assert "1/3" in page.inner_text(".recalls")
    # Calling next while A001 was never started is not offered; calling another number
    # is refused with a clear message.
    assert page.is_disabled("button[data-action=call-next]")
    page.fill("input[name=number]", "A002")
    page.click("button[data-action=call]")
    assert "still called" in page.inner_text("#message")
    page.click("button[data-action=no-show]")
    page.click("button[data-action=close]")
    assert "Counter closed" in page.inner_text("main")
    page.click("button[data-action=open]")
    assert "Counter open" in page.inner_text("main")
    wait_until(board, "document.getElementById('recent').innerText.indexOf('A001') >= 0",
                            timeout=3000)
    board.screenshot(path=str(output_dir / "server_board_two_calls.png"))

    # The citizen of A003 rates the service on a phone, once.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    survey = phone.new_page()
    prio_ticket = tickets[3]
    survey.goto(prio_ticket["survey_url"])
    assert survey.inner_text("#ticket-number") == "A003"
    survey.screenshot(path=str(output_dir / "server_survey_form.png"), full_page=True)
    survey.click("label.star:nth-of-type(5)")
    survey.fill("textarea[name=comment]", "Nhân viên nhiệt tình, cảm ơn!")
    survey.click("button[type=submit]")
    assert "Cảm ơn" in survey.inner_text("#thanks")
    survey.screenshot(path=str(output_dir / "server_survey_thanks.png"), full_page=True)
    survey.goto(prio_ticket["survey_url"])
    assert "đã được đánh giá" in survey.inner_text("#thanks")
    # A ticket not served yet cannot be rated; a forged link is refused.
    survey.goto(tickets[1]["survey_url"])
    assert survey.locator("form.rating-form").count() == 0
    bad = survey.goto(prio_ticket["survey_url"][:-3] + "xyz")
    assert bad is not None and bad.status == 404

    # The console works on a phone too.
    mobile = phone.new_page()
    mobile.goto(f"{server.url}/login?next=/console/1")
    mobile.fill("input[name=username]", "nhanvien")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.click("button[type=submit]")
    mobile.click("button[data-action=call-next]")
    assert mobile.inner_text("#current-number") == "A002"
    mobile.screenshot(path=str(output_dir / "server_console_phone.png"), full_page=True)

    # Counter staff cannot read the reports; the manager can, and downloads the CSV.
    # (A new tab of the staff's session: the console tab reloads itself when the phone's
    # call changed the counter, and that reload would race a navigation of that tab.)
    staff_reports = desk.new_page().goto(f"{server.url}/reports")
    assert staff_reports is not None and staff_reports.status == 403
    office = browser.new_context(viewport={"width": 1280, "height": 800})
    rep = office.new_page()
    rep.goto(f"{server.url}/login?next=/reports")
    rep.fill("input[name=username]", "quanly")
    rep.fill("input[name=password]", PASSWORD)
    rep.click("button[type=submit]")
    assert "/reports" in rep.url
    first_row = rep.locator("#report tbody tr").first
    cells = first_row.locator("td").all_inner_texts()
    assert cells[1] == "HT" and cells[3] == "3"  # HT: 3 issued
    assert rep.inner_text("#report tbody tr:first-child td.served") == "1"
    assert rep.inner_text("#report tbody tr:first-child td.no_show") == "1"
    assert rep.inner_text("#report tbody tr:first-child td.rating_avg") == "5.0"
    rep.screenshot(path=str(output_dir / "server_reports.png"), full_page=True)
    with rep.expect_download() as download_info:
        rep.click("#csv")
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    # Issue 16: the header row is readable (bilingual titles), not field names.
    assert csv_text.splitlines()[0].startswith("Ngày / Day,Mã / Code,Lĩnh vực,Service,"
                                               "Đã cấp / Issued")
    assert ",HT,Hộ tịch,Civil status,3,1,1,0," in csv_text
    for ctx in (tv, desk, phone, office):
        ctx.close()
