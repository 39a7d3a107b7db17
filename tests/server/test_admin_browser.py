"""The administration pages in real headless Chromium (issue 16): an admin adds a staff
user, resets a password, changes a role, disables the account; adds a kiosk whose token is
shown once and works, then disables it; edits a service's counters and hours with the
catalogue's validation; adds a counter and a site; finds it all in the audit log. Staff
and managers are kept out. Screenshots go to var/screens/."""

from __future__ import annotations

from pathlib import Path

import httpx
import sqlalchemy as sa
from qs_helpers import PASSWORD, add_user, auth, new_id

from server.models import User

SCREENS = Path("var/screens")


def log_in(ctx, url: str, username: str, password: str, target: str):  # type: ignore[no-untyped-def]
    page = ctx.new_page()
    page.goto(f"{url}/login?next={target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def can_log_in(url: str, username: str, password: str) -> bool:
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": username,
                                                     "password": password})
    return r.status_code == 200


def test_admin_manages_users_kiosks_services_and_reads_the_audit(browser, served) -> None:  # type: ignore[no-untyped-def]
    app, server = served
    SCREENS.mkdir(parents=True, exist_ok=True)
    add_user(app, "quantri", "admin")
    with app.state.qs.db.session() as s:  # an administrator of every site (--site '*')
        s.scalar(sa.select(User).where(User.username == "quantri")).site_id = None
    add_user(app, "quanly", "manager")
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = log_in(ctx, server.url, "quantri", PASSWORD, "/admin")
    assert page.url.endswith("/admin/users")

    # Add a staff user; the rules of `queue-server user add` apply (8+ characters).
    form = page.locator("#add-user")
    form.locator("input[name=username]").fill("hoa")
    form.locator("input[name=full_name]").fill("Nguyễn Thị <b>Hoa</b>")
    form.locator("input[name=password]").fill("short")
    form.locator("button[type=submit]").click()  # the browser's own check stops it
    assert page.url.endswith("/admin/users")
    page.evaluate("document.querySelector('#add-user input[name=password]')"
                  ".removeAttribute('minlength')")
    form.locator("button[type=submit]").click()
    assert "ít nhất 8 ký tự" in page.inner_text("#message")
    form = page.locator("#add-user")
    form.locator("input[name=username]").fill("hoa")
    form.locator("input[name=full_name]").fill("Nguyễn Thị <b>Hoa</b>")
    form.locator("input[name=password]").fill("mat khau dai")
    form.locator("button[type=submit]").click()
    assert "Đã thêm hoa" in page.inner_text("#message")
    row = page.locator("tr[data-user=hoa]")
    assert "Nguyễn Thị <b>Hoa</b>" in row.inner_text()  # shown as text
    assert can_log_in(server.url, "hoa", "mat khau dai")
    page.screenshot(path=str(SCREENS / "admin_users_1366.png"), full_page=True)

    # Reset the password, change the role, disable the account.
    row.locator("input[name=password]").fill("mat khau moi 2")
    row.locator("button[data-do=password]").click()
    assert not can_log_in(server.url, "hoa", "mat khau dai")
    assert can_log_in(server.url, "hoa", "mat khau moi 2")
    page.locator("tr[data-user=hoa] select[name=role]").select_option("manager")
    page.locator("tr[data-user=hoa] button[data-do=role]").click()
    assert "staff → manager" in page.inner_text("#message")
    page.locator("tr[data-user=hoa] button[data-do=disable]").click()
    assert "Đã khóa" in page.inner_text("tr[data-user=hoa]")
    assert not can_log_in(server.url, "hoa", "mat khau moi 2")
    # An admin cannot lock themselves out.
    page.locator("tr[data-user=quantri] button[data-do=disable]").click()
    assert "Không tự khóa" in page.inner_text("#message")

    # A kiosk: its token is shown once, works, and stops working when disabled.
    page.click("nav.admin-nav >> text=Ki-ốt / Kiosks")
    page.fill("#add-kiosk input[name=name]", "Ki-ốt sảnh A")
    page.click("#add-kiosk button[type=submit]")
    token = page.inner_text("#new-token").strip()
    assert len(token) > 30
    page.screenshot(path=str(SCREENS / "admin_kiosk_token_1366.png"), full_page=True)
    r = httpx.post(f"{server.url}/api/v1/tickets", headers=auth(token),
                   json={"id": new_id(), "service": "HT"})
    assert r.status_code == 201
    page.reload()
    assert page.locator("#new-token").count() == 0  # never shown again
    kid = page.locator("#kiosks tbody tr").filter(has_text="Ki-ốt sảnh A")
    assert kid.locator("td.last-seen").inner_text() != "—"  # its ticket was received
    kid.locator("button[data-do=disable]").click()
    assert "Đã thu hồi" in page.inner_text("#kiosks")

    # A service: counters and hours, validated like a catalogue file.
    page.click("nav.admin-nav >> text=Lĩnh vực")
    row = page.locator("tr[data-service=HT]")
    row.locator("input[name=opens_at]").fill("18:00")
    row.locator("button[data-do=save]").click()
    assert "Giờ mở phải trước giờ đóng" in page.inner_text("#message")
    row = page.locator("tr[data-service=HT]")
    row.locator("input[name=counters]").fill("1, 2, 9")
    row.locator("input[name=prefix]").fill("B")  # CT's prefix
    row.locator("button[data-do=save]").click()
    assert "Prefix B is used by CT" in page.inner_text("#message")
    row = page.locator("tr[data-service=HT]")
    row.locator("input[name=counters]").fill("1, 2, 9")
    row.locator("button[data-do=save]").click()
    assert "Đã lưu HT" in page.inner_text("#message")
    assert page.input_value("tr[data-service=HT] input[name=counters]") == "1, 2, 9"
    page.screenshot(path=str(SCREENS / "admin_services_1366.png"), full_page=True)

    # Counters (9 was created by the service form) and sites.
    page.click("nav.admin-nav >> text=Quầy / Counters")
    assert page.locator("tr[data-counter='9']").count() == 1
    page.fill("#add-counter input[name=number]", "1")
    page.fill("#add-counter input[name=name]", "Quầy trùng")
    page.click("#add-counter button[type=submit]")
    assert "Quầy số 1 đã có" in page.inner_text("#message")
    page.click("nav.admin-nav >> text=Điểm / Sites")
    page.fill("#add-site input[name=code]", "PX2")
    page.fill("#add-site input[name=name]", "Phường Xuân 2")
    page.fill("#add-site input[name=timezone]", "Asia/Hanoi_Nowhere")
    page.click("#add-site button[type=submit]")
    assert "Múi giờ không hợp lệ" in page.inner_text("#message")
    page.fill("#add-site input[name=code]", "PX2")
    page.fill("#add-site input[name=name]", "Phường Xuân 2")
    page.click("#add-site button[type=submit]")
    assert page.locator("tr[data-site=PX2]").count() == 1

    # The audit log holds every change, filterable by action and user.
    page.click("nav.admin-nav >> text=Nhật ký")
    log = page.inner_text("#audit")
    for action in ("user_added", "user_password", "user_role", "user_disabled",
                   "kiosk_added", "kiosk_disabled", "service_changed", "site_added"):
        assert action in log
    assert token not in log and "mat khau" not in log
    page.select_option("#audit-filters select[name=action]", "user_role")
    page.click("#audit-filters button[type=submit]")
    assert page.locator("#audit tbody tr").count() == 1
    assert "hoa: staff -> manager" in page.inner_text("#audit")
    page.screenshot(path=str(SCREENS / "admin_audit_1366.png"), full_page=True)

    # A manager is kept out, with a page that says why.
    boss = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True, device_scale_factor=2)
    other = log_in(boss, server.url, "quanly", PASSWORD, "/admin/users")
    assert "quản trị" in other.inner_text("main")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)
    mobile = log_in(phone, server.url, "quantri", PASSWORD, "/admin/users")
    mobile.screenshot(path=str(SCREENS / "admin_users_phone.png"), full_page=True)
    mobile.goto(f"{server.url}/admin/services")
    mobile.screenshot(path=str(SCREENS / "admin_services_phone.png"), full_page=True)
    for c in (ctx, boss, phone):
        c.close()
