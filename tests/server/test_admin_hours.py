"""The admin's "Ngày làm việc / Working days" page in real headless Chromium: the working
week and Saturday closing saved, a holiday and a make-up day added and removed, each
change audited, a hostile note shown as text; malformed input (not a date, an unknown
weekday) is a 422 page with one line, a forged form token 403, and nothing is changed.
Screenshot: var/screens/admin_hours_1366.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import sqlalchemy as sa
from qs_helpers import PASSWORD, add_user

from server.models import AuditLog, Site, SiteDay
from ticketing.workdays import weekday_name

SCREENS = Path("var/screens")


def test_admin_sets_working_days_and_closed_days(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    SCREENS.mkdir(parents=True, exist_ok=True)
    add_user(app, "quantri", "admin")
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/login?next=/admin/hours")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/hours")
    with app.state.qs.db.read_session() as s:
        site_id = s.scalar(sa.select(Site.id))

    # the ward also works Saturday mornings
    week = page.locator(f"#week-{site_id}")
    week.locator("input[value='6']").check()
    week.locator("input[name=saturday_closes_at]").fill("11:30")
    week.locator("[data-do=save-week]").click()
    page.wait_for_selector("#message.msg-info")
    # Tết, with a note that would be a script if not escaped, and a make-up day
    next_year = dt.date.today().year + 1
    add = page.locator(f"#add-day-{site_id}")
    add.locator("input[name=day]").fill(f"{next_year}-02-08")
    add.locator("input[name=note]").fill("Nghỉ Tết Nguyên đán <script>alert(1)</script>")
    add.locator("[data-do=add-day]").click()
    page.wait_for_selector("#message.msg-info")
    add = page.locator(f"#add-day-{site_id}")
    add.locator("input[name=day]").fill(f"{next_year}-01-09")
    add.locator("select[name=kind]").select_option("open")
    add.locator("input[name=note]").fill("Làm bù")
    add.locator("[data-do=add-day]").click()
    page.wait_for_selector("#message.msg-info")
    # the same day twice: refused on the page, nothing added
    add = page.locator(f"#add-day-{site_id}")
    add.locator("input[name=day]").fill(f"{next_year}-01-09")
    add.locator("[data-do=add-day]").click()
    page.wait_for_selector("#message.msg-error")
    assert "đã có" in page.locator("#message").inner_text()
    rows = page.locator(f"#days-{site_id} tbody tr")
    assert rows.count() == 2
    assert "<script>" in rows.nth(1).inner_text() and alerts == []
    tet = dt.date(next_year, 2, 8)
    assert f"{tet:%d/%m/%Y}" in rows.nth(1).inner_text()
    assert f"{weekday_name(tet)} / {weekday_name(tet, 'en')}" in rows.nth(1).inner_text()
    page.screenshot(path=str(SCREENS / "admin_hours_1366.png"), full_page=True)

    with app.state.qs.db.read_session() as s:
        site = s.scalar(sa.select(Site))
        assert (site.working_days, site.saturday_closes_at) == ("123456", "11:30")
        assert [(d.day.isoformat(), d.open) for d in site.days] == [
            (f"{next_year}-01-09", True), (f"{next_year}-02-08", False)]
        actions = list(s.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
        assert actions[-3:] == ["site_hours", "site_day_added", "site_day_added"]

    # remove the make-up day
    rows.nth(0).locator("[data-do=remove]").click()
    page.wait_for_selector("#message.msg-info")
    assert page.locator(f"#days-{site_id} tbody tr").count() == 1

    # malformed input, posted as a script would: 422 with one line, nothing changed
    cookies = {c["name"]: c["value"] for c in ctx.cookies()}
    csrf = page.locator(f"#week-{site_id} input[name=csrf]").input_value()
    client = httpx.Client(base_url=server.url, cookies=cookies, timeout=10,
                          follow_redirects=False)
    for path, data, says in (
            (f"/admin/hours/{site_id}/days", {"csrf": csrf, "day": "08/02/2027"},
             "not a date: &#39;08/02/2027&#39; (use YYYY-MM-DD)"),
            (f"/admin/hours/{site_id}/days", {"csrf": csrf, "day": "2027-02-30"},
             "not a date"),
            (f"/admin/hours/{site_id}/days", {"csrf": csrf, "day": "2027-03-01",
                                              "kind": "maybe"}, "Unknown kind of day"),
            (f"/admin/hours/{site_id}", {"csrf": csrf, "working_days": ["1", "funday"]},
             "unknown weekday &#39;funday&#39;"),
            (f"/admin/hours/{site_id}", {"csrf": csrf, "working_days": ["8"]},
             "unknown weekday &#39;8&#39;"),
            (f"/admin/hours/{site_id}", {"csrf": csrf}, "no working weekday given"),
            (f"/admin/hours/{site_id}", {"csrf": csrf, "working_days": ["1"],
                                         "saturday_closes_at": "25:00"}, "not HH:MM")):
        r = client.post(path, data=data)
        assert r.status_code == 422, (data, r.status_code)
        message = re.search(r'<p id="error-message">(.*?)</p>', r.text, re.S)
        assert message and says in message.group(1) and "\n" not in message.group(1), r.text
    r = client.post(f"/admin/hours/{site_id}", data={"csrf": "forged", "working_days": ["1"]})
    assert r.status_code == 403
    with app.state.qs.db.read_session() as s:
        site = s.scalar(sa.select(Site))
        assert (site.working_days, site.saturday_closes_at) == ("123456", "11:30")
        assert s.scalar(sa.select(sa.func.count()).select_from(SiteDay)) == 1
    client.close()
    ctx.close()
