"""The manager's report page in real headless Chromium (issue 16): totals and overall
satisfaction, per counter and per staff member, load per hour drawn as SVG, p90 explained,
comments listed and escaped, a no-show's rating linked to the counter and staff member,
wrong dates said on the form. Screenshots go to var/screens/."""

from __future__ import annotations

from pathlib import Path

import httpx
from qs_helpers import PASSWORD, LiveServer, add_kiosk, add_user, auth, new_id

SCREENS = Path("var/screens")


def staff_client(server: LiveServer, username: str) -> httpx.Client:
    c = httpx.Client(base_url=server.url)
    r = c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def rate(survey_url: str, rating: int, comment: str) -> None:
    r = httpx.post(survey_url, data={"rating": str(rating), "comment": comment})
    assert r.status_code == 200, r.text


def test_report_page_figures_comments_and_date_checks(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    SCREENS.mkdir(parents=True, exist_ok=True)
    token = add_kiosk(app)
    add_user(app, "lan", "staff")
    add_user(app, "minh", "staff")
    add_user(app, "quanly", "manager")
    tickets = []
    for service in ["HT", "HT", "HT", "CT"]:
        r = httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                       json={"id": new_id(), "service": service})
        assert r.status_code == 201
        tickets.append(r.json())
    lan, minh = staff_client(server, "lan"), staff_client(server, "minh")
    # Lan at counter 1 serves A001 and marks A002 no-show; Minh at counter 3 serves B001.
    for action in ("call-next", "start", "complete", "call-next", "no-show"):
        assert lan.post(f"/api/v1/counters/1/{action}").status_code == 200
    ct = [c["id"] for c in lan.get("/api/v1/counters").json() if "CT" in c["services"]][0]
    for action in ("call-next", "start", "complete"):
        assert minh.post(f"/api/v1/counters/{ct}/{action}").status_code == 200
    rate(tickets[0]["survey_url"], 5, "Nhanh, chu đáo")
    # The no-show may rate too (they waited, then missed the call).
    rate(tickets[1]["survey_url"], 2, "<script>alert('x')</script> Gọi nhỏ quá, không nghe")
    rate(tickets[3]["survey_url"], 4, "")
    waiting = httpx.get(tickets[2]["survey_url"])  # still waiting: cannot rate yet
    assert "rating-form" not in waiting.text

    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/login?next=/reports")
    page.fill("input[name=username]", "quanly")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert "/reports" in page.url

    # Totals and overall satisfaction: 4 issued, 2 served, 1 no-show; (5+2+4)/3 = 3.67.
    assert page.inner_text("#kpi-issued") == "4"
    assert page.inner_text("#kpi-served") == "2"
    assert page.inner_text("#kpi-no-show") == "1"
    assert page.inner_text("#kpi-rating") == "3.67 / 5"
    total = page.locator("#totals-row")
    assert total.locator("td.issued").inner_text() == "4"
    assert total.locator("td.rating_count").inner_text() == "3"
    assert "9 trên 10" in page.inner_text("#p90-note")

    # Per counter and per staff member, each rating where the visit was served.
    counters = {r.split("\t")[0]: r.split("\t") for r in
                page.locator("#by-counter tbody tr").all_inner_texts()}
    assert counters["Quầy 1"][1:4] == ["2", "1", "1"]  # issued, served, no-show
    staff = page.locator("#by-staff tbody tr")
    assert staff.count() == 2
    lan_row = staff.filter(has_text="lan")
    assert lan_row.locator("td.rating_avg").inner_text() == "3.5"  # 5 and the no-show's 2
    assert lan_row.locator("td.rating_count").inner_text() == "2"
    assert staff.filter(has_text="minh").locator("td.rating_avg").inner_text() == "4.0"

    # Load per hour: an SVG drawn by the server, one bar per hour, 4 tickets in all.
    bars = page.locator("#hour-chart rect.bar")
    assert bars.count() >= 1
    assert sum(int(bars.nth(i).get_attribute("data-count") or 0)
               for i in range(bars.count())) == 4

    # Comments listed with counter and staff member; markup shown as text, never run.
    comments = page.inner_text("#comments")
    assert "Nhanh, chu đáo" in comments and "Gọi nhỏ quá" in comments
    assert "<script>alert('x')</script>" in comments
    assert alerts == []
    no_show_row = page.locator("#comments tbody tr").filter(has_text="Gọi nhỏ quá")
    assert "Quầy 1" in no_show_row.inner_text() and "lan" in no_show_row.inner_text()
    page.screenshot(path=str(SCREENS / "reports_1366.png"), full_page=True)

    # Wrong dates: said on the page, beside the form that still holds them.
    for start, end, said in [("2026-02-01", "2026-01-01", "phải trước"),
                             ("", "2026-01-01", "Hãy chọn ngày"),
                             ("2024-01-01", "2026-01-01", "tối đa 366 ngày")]:
        r = page.goto(f"{server.url}/reports?from={start}&to={end}")
        assert r is not None and r.status == 422
        assert "text/html" in r.headers["content-type"]
        assert said in page.inner_text("#form-problem")
        assert page.input_value("input[name=to]") == end
    page.screenshot(path=str(SCREENS / "reports_bad_dates_1366.png"))
    # The form itself: From after To, submitted with the button.
    page.goto(f"{server.url}/reports")
    page.fill("input[name=from]", "2026-03-10")
    page.fill("input[name=to]", "2026-03-01")
    page.click("button[type=submit]")
    assert "phải trước" in page.inner_text("#form-problem")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    mobile = phone.new_page()
    mobile.goto(f"{server.url}/login?next=/reports")
    mobile.fill("input[name=username]", "quanly")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.click("button[type=submit]")
    assert mobile.inner_text("#kpi-issued") == "4"
    mobile.screenshot(path=str(SCREENS / "reports_phone.png"), full_page=True)
    ctx.close()
    phone.close()
