"""The citizen registry's admin pages in real headless Chromium: search, a citizen's page
(masked id number, consent, audit trail), the export download, consent withdrawal and
erasure (told to kiosks), the retention setting; a hostile name shows as text under the
strict CSP; wrong input is a 4xx page; staff are kept out. Screenshots in var/screens/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import sqlalchemy as sa
from qs_helpers import PASSWORD, add_kiosk, add_user
from test_admin_browser import log_in
from test_registry import enrolment, face, pull_all, push

from server.models import AuditLog, RegistryAudit, RegistryCitizen, Site

SCREENS = Path("var/screens")
HOSTILE = "<img src=x onerror=alert(1)>"


def test_admin_finds_views_exports_and_erases_citizens(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    SCREENS.mkdir(parents=True, exist_ok=True)
    token = add_kiosk(app)
    [lan] = push(server.url, token, {**enrolment("Nguyễn Văn Lân", "079061012345", face(1)),
                                     "sex": "male"})
    [bad] = push(server.url, token, enrolment(HOSTILE, "001190000002", face(2)))
    hoa = [push(server.url, token, enrolment(f"Trần Thị Hoa {n}", f"00119000001{n}",
                                             face(n * 10)))[0] for n in range(3, 8)]
    cursor = pull_all(server.url, token)["cursor"]
    add_user(app, "quantri", "admin")
    add_user(app, "nv", "staff")

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    alerts: list[str] = []
    console: list[str] = []
    page = log_in(ctx, server.url, "quantri", PASSWORD, "/admin/citizens")
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    assert page.url.endswith("/admin/citizens")
    table = page.inner_text("#citizens")
    assert HOSTILE in table  # the hostile name is text, not an image
    assert page.locator("#citizens img").count() == 0
    assert "********2345" in table and "079061012345" not in page.content()
    row = page.locator(f"tr[data-citizen='{lan['citizen_id']}']")
    assert "Nam / Male" in row.inner_text() and "2026-01" in row.inner_text()
    assert row.locator("td.templates").inner_text() == "1"
    page.screenshot(path=str(SCREENS / "admin_citizens_1366.png"), full_page=True)

    # Search by name and by the last 4 digits.
    page.fill("#citizen-search input[name=q]", "Lân")
    page.click("#citizen-search button[type=submit]")
    assert page.locator("#citizens tbody tr[data-citizen]").count() == 1
    page.fill("#citizen-search input[name=q]", "0002")
    page.click("#citizen-search button[type=submit]")
    assert page.locator("#citizens tbody tr[data-citizen]").count() == 1

    # The hostile citizen's page: name as text, no script ran, the view is audited.
    page.click(f"tr[data-citizen='{bad['citizen_id']}'] a")
    assert HOSTILE in page.inner_text("#citizen-name")
    assert "Không ghi / Not recorded" in page.inner_text("td.sex")
    page.goto(f"{server.url}/admin/citizens/{lan['citizen_id']}")
    assert "********2345" in page.inner_text("#citizen")
    assert "2026-01" in page.inner_text("#consents") and "nv.lan" in page.inner_text("#consents")
    trail = page.inner_text("#trail")
    assert "Đăng ký / Enrolled" in trail and "Xem / Viewed" in trail
    page.screenshot(path=str(SCREENS / "admin_citizen_1366.png"), full_page=True)

    # The export: a download with the full id number, audited.
    with page.expect_download() as got:
        page.click("#export")
    data = json.loads(Path(got.value.path()).read_text())
    assert data["citizen"]["id_number"] == "079061012345" and data["citizen"]["sex"] == "male"
    assert len(data["face_templates"]) == 1 and len(data["face_templates"][0]["vector"]) == 128
    page.reload()
    assert "Xuất dữ liệu / Exported" in page.inner_text("#trail")

    # Erasing needs the confirmation box (the browser asks; the server refuses without it).
    page.evaluate("document.querySelector('#erase input[name=confirm]').removeAttribute("
                  "'required')")
    page.click("#erase button[type=submit]")
    assert "xác nhận" in page.inner_text("#message")
    assert page.url.endswith(f"/admin/citizens/{lan['citizen_id']}")
    page.check("#erase input[name=confirm]")
    page.click("#erase button[type=submit]")
    assert page.url.endswith("/admin/citizens")
    assert "every kiosk drops them" in page.inner_text("#message")
    assert page.locator(f"tr[data-citizen='{lan['citizen_id']}']").count() == 0
    # Consent withdrawn for the hostile-named one.
    page.goto(f"{server.url}/admin/citizens/{bad['citizen_id']}")
    page.check("#withdraw input[name=confirm]")
    page.click("#withdraw button[type=submit]")
    assert "rút đồng ý" in page.inner_text("#message")
    # Both reach the kiosks as deletes.
    changes = pull_all(server.url, token, cursor=cursor)["changes"]
    assert sorted((c["kind"], c["citizen_id"]) for c in changes) == sorted(
        [("delete", lan["citizen_id"]), ("delete", bad["citizen_id"])])

    # The retention setting: refused when not a number of days, saved and audited.
    row = page.locator("#retention tbody tr").first
    row.locator("input[name=days]").fill("abc")
    page.evaluate("document.querySelector('#retention input[name=days]').removeAttribute("
                  "'pattern')")
    row.locator("button[data-do=retention]").click()
    assert "Số ngày từ 0 đến 36500" in page.inner_text("#message")
    page.locator("#retention tbody tr").first.locator("input[name=days]").fill("365")
    page.locator("#retention tbody tr").first.locator("button[data-do=retention]").click()
    assert "365 ngày" in page.inner_text("#retention")
    page.screenshot(path=str(SCREENS / "admin_citizens_after_1366.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    mobile = log_in(phone, server.url, "quantri", PASSWORD, "/admin/citizens")
    mobile.screenshot(path=str(SCREENS / "admin_citizens_phone.png"), full_page=True)
    mobile.goto(f"{server.url}/admin/citizens/{hoa[0]['citizen_id']}")
    mobile.screenshot(path=str(SCREENS / "admin_citizen_phone.png"), full_page=True)

    # Staff are kept out of every registry page.
    staff = browser.new_context()
    other = log_in(staff, server.url, "nv", PASSWORD, "/admin/citizens")
    assert "quản trị" in other.inner_text("main")
    for c in (ctx, phone, staff):
        c.close()
    assert alerts == []  # nothing the hostile name carried ran
    assert not [m for m in console if "Content Security Policy" in m]

    with app.state.qs.db.read_session() as s:
        actions = [a.action for a in s.scalars(sa.select(RegistryAudit))]
        assert {"search", "view", "export", "erase", "consent_withdrawn"} <= set(actions)
        assert all("079061012345" not in a.detail for a in s.scalars(sa.select(RegistryAudit)))
        assert s.scalar(sa.select(Site.registry_retention_days)) == 365
        assert "registry_retention" in {a.action for a in s.scalars(sa.select(AuditLog))}


def test_wrong_input_is_a_4xx_page_and_retention_follows_the_site_setting(served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    token = add_kiosk(app)
    [old] = push(server.url, token, enrolment("Lê Văn Cũ", "001090000003", face(30)))
    add_user(app, "quantri", "admin")
    c = httpx.Client(base_url=server.url, timeout=30)
    assert c.post("/api/v1/auth/login", json={"username": "quantri",
                                                "password": PASSWORD}).status_code == 200
    for path, status in (("/admin/citizens/abc", 422), ("/admin/citizens/0", 422),
                         ("/admin/citizens/99999", 404), ("/admin/citizens/99999/export", 404),
                         ("/admin/citizens?page=0", 422), ("/admin/citizens?q=" + "x" * 200, 422),
                         ("/admin/citizens/" + "9" * 30, 422)):
        r = c.get(path)
        assert r.status_code == status, (path, r.status_code)
        assert "text/html" in r.headers["content-type"]
    assert c.post(f"/admin/citizens/{old['citizen_id']}/delete",
                  data={"confirm": "yes"}).status_code == 422  # no form token
    assert c.post(f"/admin/citizens/{old['citizen_id']}/delete",
                  data={"csrf": "forged", "confirm": "yes"}).status_code == 403
    assert c.post("/admin/citizens/retention", data={"csrf": "x", "site": "abc"}
                  ).status_code == 422
    r = c.get("/admin/citizens")
    assert r.status_code == 200 and "Lê Văn Cũ" in r.text
    assert "script-src" in r.headers.get("content-security-policy", "")
    # The site's own retention (30 days) is what the daily job uses.
    from click.testing import CliRunner

    from server.cli import cli

    with app.state.qs.db.session() as s:
        s.scalar(sa.select(Site)).registry_retention_days = 30
        s.execute(sa.update(RegistryCitizen).values(last_seen_at=dt.datetime(2025, 1, 1)))
    db_url = str(app.state.qs.db.engine.url)
    r = CliRunner().invoke(cli, ["citizens", "retention", "--db", db_url,
                                 "--data-dir", str(app.state.qs.data_dir)])
    assert r.exit_code == 0 and "erased 1 citizen(s)" in r.output, r.output
    c.close()
