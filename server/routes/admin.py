"""Administration pages (admin role): staff users, kiosks, services and their counters and
opening hours, counters, sites, and the audit log. The same rules as the `queue-server`
command (server/cli.py, server/catalogue.py); every change is audited. Forms post and are
answered with a redirect back to their page (POST-redirect-GET), the outcome in a
one-shot cookie; a new kiosk's token is shown that once and never again."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.errors import describe_validation_error
from server.catalogue import HHMM, CounterSpec, ServiceSpec
from server.domain.audit import audit
from server.domain.clock import local_day
from server.domain.kiosks import check_slot_free, new_kiosk
from server.errors import QueueError
from server.models import (
    ROLE_ADMIN,
    ROLES,
    AuditLog,
    Counter,
    Kiosk,
    Service,
    Site,
    SiteDay,
    Ticket,
    User,
)
from server.routes.flash import clear_flash, read_flash, set_flash
from server.routes.kiosk_health import health_lines
from server.routes.pages import check_csrf, page_user, render
from server.security import hash_password
from server.state import state_of
from ticketing.workdays import (
    WEEKDAYS_EN,
    WEEKDAYS_VI,
    clean_note,
    parse_day,
    parse_weekdays,
    weekday_name,
)

router = APIRouter(prefix="/admin", include_in_schema=False)

SECTIONS = [("users", "Nhân viên / Staff users"), ("kiosks", "Ki-ốt / Kiosks"),
            ("services", "Lĩnh vực & giờ / Services & hours"), ("counters", "Quầy / Counters"),
            ("hours", "Ngày làm việc / Working days"), ("sites", "Điểm / Sites"),
            ("citizens", "Công dân / Citizens"),
            ("audit", "Nhật ký / Audit log")]
SITE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
AUDIT_PAGE = 200


class Refused(Exception):
    """A form the rules refuse; the message (Vietnamese / English) goes back to the page."""


def _admin(request: Request, csrf: str | None = None) -> User:
    user = page_user(request, ROLE_ADMIN)
    if csrf is not None:
        check_csrf(request, user, csrf)
    return user


def _sites(s: Session, user: User) -> list[Site]:
    stmt = sa.select(Site).order_by(Site.id)
    if user.site_id is not None:
        stmt = stmt.where(Site.id == user.site_id)
    return list(s.scalars(stmt))


def _zone(s: Session, user: User) -> ZoneInfo:
    """The time zone the admin's pages show times in: their (first) site's."""
    sites = _sites(s, user)
    return ZoneInfo(sites[0].timezone if sites else "Asia/Ho_Chi_Minh")


def _site(s: Session, user: User, site_id: int | None) -> Site:
    site = s.get(Site, site_id) if site_id else None
    if site is None or (user.site_id is not None and site.id != user.site_id):
        raise Refused("Không có điểm này / No such site")
    return site


def _page(request: Request, section: str, template: str | None = None,
          **context: object) -> HTMLResponse:
    user = _admin(request)
    flash = read_flash(request)
    kind, message = flash or ("", "")
    response = render(request, template or f"admin_{section}.html", user=user,
                      sections=SECTIONS,
                      section=section, message=message, message_kind=kind,
                      csrf=state_of(request).signer.csrf_token(user.id), **context)
    clear_flash(request, response, "/admin")
    return response


def _done(section: str, kind: str, message: str) -> Response:
    """Back to ``/admin/<section>`` (a section may name a deeper page: "citizens/7")."""
    response = RedirectResponse(f"/admin/{section}", 303)
    set_flash(response, kind, message, "/admin")
    return response


def _run(request: Request, section: str, csrf: str, change) -> Response:  # type: ignore[no-untyped-def]
    """Check the admin and the form token, apply ``change(session, user) -> (kind, text)``
    in one transaction, and go back to the section's page with its outcome."""
    user = _admin(request, csrf)
    try:
        with state_of(request).db.session() as s:
            kind, message = change(s, user)
    except Refused as exc:
        return _done(section, "error", str(exc))
    return _done(section, kind, message)


@router.get("", response_class=HTMLResponse)
def admin_home(request: Request) -> Response:
    _admin(request)
    return RedirectResponse("/admin/users", 303)


# --------------------------------------------------------------------------- users


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> HTMLResponse:
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = _sites(s, user)
        stmt = sa.select(User).order_by(User.username)
        if user.site_id is not None:
            stmt = stmt.where(User.site_id == user.site_id)
        users = list(s.scalars(stmt))
        names = {x.id: x.code for x in s.scalars(sa.select(Site))}
    return _page(request, "users", users=users, sites=sites, site_codes=names, roles=ROLES)


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise Refused("Mật khẩu cần ít nhất 8 ký tự / The password needs at least 8 characters")
    if len(password) > 200:
        raise Refused("Mật khẩu quá dài (tối đa 200) / Password too long (200 at most)")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Refused(f"Vai trò không hợp lệ: {role!r} / Unknown role")


@router.post("/users/add")
def users_add(request: Request, csrf: Annotated[str, Form(max_length=500)],
              username: Annotated[str, Form(max_length=200)],
              password: Annotated[str, Form(max_length=400)],
              role: Annotated[str, Form(max_length=16)],
              site: Annotated[str, Form(max_length=16)],
              full_name: Annotated[str, Form(max_length=400)] = "") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        name = username.strip()
        if not 1 <= len(name) <= 64:
            raise Refused("Tên đăng nhập 1 đến 64 ký tự / Username must be 1 to 64 characters")
        if len(full_name) > 200:
            raise Refused("Họ tên tối đa 200 ký tự / Full name: 200 characters at most")
        _check_password(password)
        _check_role(role)
        if s.scalar(sa.select(User.id).where(User.username == name)):
            raise Refused(f"Tên đăng nhập {name!r} đã có / Username {name!r} is taken")
        if site == "*":
            if admin.site_id is not None:
                raise Refused("Chỉ quản trị mọi điểm mới tạo được tài khoản mọi điểm / Only an "
                              "administrator of every site can add one")
            site_id = None
        else:
            site_id = _site(s, admin, int(site) if site.isdigit() else None).id
        u = User(username=name, full_name=full_name.strip(), role=role, site_id=site_id,
                 password_hash=hash_password(password), active=True)
        s.add(u)
        s.flush()
        audit(s, admin, "user_added", site_id=site_id, detail=f"{name} as {role}")
        return "info", f"Đã thêm {name} ({role}) / Added {name}"
    return _run(request, "users", csrf, change)


def _user(s: Session, admin: User, user_id: int) -> User:
    u = s.get(User, user_id)
    if u is None or (admin.site_id is not None and u.site_id != admin.site_id):
        raise Refused("Không có tài khoản này / No such user")
    return u


@router.post("/users/{user_id}/password")
def users_password(request: Request, user_id: int, csrf: Annotated[str, Form(max_length=500)],
                   password: Annotated[str, Form(max_length=400)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        u = _user(s, admin, user_id)
        _check_password(password)
        u.password_hash = hash_password(password)
        audit(s, admin, "user_password", site_id=u.site_id, detail=u.username)
        return "info", f"Đã đặt lại mật khẩu của {u.username} / Password reset"
    return _run(request, "users", csrf, change)


@router.post("/users/{user_id}/role")
def users_role(request: Request, user_id: int, csrf: Annotated[str, Form(max_length=500)],
               role: Annotated[str, Form(max_length=16)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        u = _user(s, admin, user_id)
        _check_role(role)
        if u.id == admin.id and role != ROLE_ADMIN:
            raise Refused("Không tự bỏ quyền quản trị của mình / You cannot drop your own "
                          "admin role")
        old, u.role = u.role, role
        audit(s, admin, "user_role", site_id=u.site_id, detail=f"{u.username}: {old} -> {role}")
        return "info", f"{u.username}: {old} → {role}"
    return _run(request, "users", csrf, change)


@router.post("/users/{user_id}/active")
def users_active(request: Request, user_id: int, csrf: Annotated[str, Form(max_length=500)],
                 active: Annotated[bool, Form()]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        u = _user(s, admin, user_id)
        if u.id == admin.id and not active:
            raise Refused("Không tự khóa tài khoản của mình / You cannot disable yourself")
        u.active = active
        audit(s, admin, "user_enabled" if active else "user_disabled", site_id=u.site_id,
              detail=u.username)
        return "info", (f"Đã mở lại {u.username} / Enabled" if active
                        else f"Đã khóa {u.username} / Disabled")
    return _run(request, "users", csrf, change)


# --------------------------------------------------------------------------- kiosks


@router.get("/kiosks", response_class=HTMLResponse)
def kiosks_page(request: Request) -> HTMLResponse:
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = _sites(s, user)
        ids = [x.id for x in sites]
        kiosks = list(s.scalars(sa.select(Kiosk).where(Kiosk.site_id.in_(ids))
                                .order_by(Kiosk.id)))
        # Last heard of: the last ticket the server received from the kiosk.
        seen = dict(s.execute(sa.select(Ticket.kiosk_id, sa.func.max(Ticket.received_at))
                              .where(Ticket.kiosk_id.in_([k.id for k in kiosks]))
                              .group_by(Ticket.kiosk_id)).all()) if kiosks else {}
        tz = {x.id: ZoneInfo(x.timezone) for x in sites}
        last_seen = {k.id: seen[k.id].replace(tzinfo=dt.UTC).astimezone(tz[k.site_id])
                     .strftime("%d/%m/%Y %H:%M") for k in kiosks if seen.get(k.id)}
        # The kiosks' own reports: version, printer, camera, staff lines.
        health = {h["id"]: h for site in sites for h in health_lines(s, site.id)}
        for k in kiosks:
            h = health.get(k.id)
            if h and h["reported_at"] is not None:
                h["at"] = (h["reported_at"].replace(tzinfo=dt.UTC).astimezone(tz[k.site_id])
                           .strftime("%d/%m/%Y %H:%M"))
    return _page(request, "kiosks", kiosks=kiosks, sites=sites, last_seen=last_seen,
                 health=health, site_codes={x.id: x.code for x in sites})


@router.post("/kiosks/add")
def kiosks_add(request: Request, csrf: Annotated[str, Form(max_length=500)],
               name: Annotated[str, Form(max_length=400)],
               site: Annotated[int, Form()]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        label = name.strip()
        if not 1 <= len(label) <= 100:
            raise Refused("Tên ki-ốt 1 đến 100 ký tự / Kiosk name must be 1 to 100 characters")
        the_site = _site(s, admin, site)
        try:  # a token whose emergency number slot no other kiosk of the site uses
            k, token = new_kiosk(s, the_site.id, label, the_site.code)
        except QueueError as exc:
            raise Refused("Không còn dải số khẩn cấp trống cho ki-ốt mới / "
                          f"{exc.message}") from None
        audit(s, admin, "kiosk_added", site_id=the_site.id, detail=f"{k.id} {label}")
        return "token", f"{k.id}|{label}|{token}"
    return _run(request, "kiosks", csrf, change)


@router.post("/kiosks/{kiosk_id}/active")
def kiosks_active(request: Request, kiosk_id: int, csrf: Annotated[str, Form(max_length=500)],
                  active: Annotated[bool, Form()]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        k = s.get(Kiosk, kiosk_id)
        if k is None or (admin.site_id is not None and k.site_id != admin.site_id):
            raise Refused("Không có ki-ốt này / No such kiosk")
        if active and not k.active:
            try:
                check_slot_free(s, k)
            except QueueError as exc:
                raise Refused("Dải số khẩn cấp của ki-ốt này đã thuộc ki-ốt khác / "
                              f"{exc.message}") from None
        k.active = active
        audit(s, admin, "kiosk_enabled" if active else "kiosk_disabled", site_id=k.site_id,
              detail=f"{k.id} {k.name}")
        return "info", (f"Đã mở lại ki-ốt {k.name} / Kiosk enabled" if active else
                        f"Đã thu hồi mã của ki-ốt {k.name} / Kiosk disabled, its token "
                        "no longer works")
    return _run(request, "kiosks", csrf, change)


# --------------------------------------------------------------------------- services


@router.get("/services", response_class=HTMLResponse)
def services_page(request: Request) -> HTMLResponse:
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = _sites(s, user)
        rows = []
        for site in sites:
            for svc in s.scalars(sa.select(Service).where(Service.site_id == site.id)
                                 .order_by(Service.active.desc(), Service.sort_order)):
                rows.append((site, svc, ", ".join(str(c.number) for c in svc.counters)))
    return _page(request, "services", rows=rows, sites=sites)


def _counter_numbers(text: str) -> list[int]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not all(p.isdigit() for p in parts):
        raise Refused("Số quầy là số, cách nhau bằng dấu phẩy / Counter numbers: digits "
                      "separated by commas")
    return [int(p) for p in parts]


def _spec(code: str, prefix: str, name_vi: str, name_en: str, counters: str, opens_at: str,
          closes_at: str, daily_cap: str) -> ServiceSpec:
    try:
        spec = ServiceSpec(
            code=code.strip(), prefix=prefix.strip(), name_vi=name_vi.strip(),
            name_en=name_en.strip(), counters=_counter_numbers(counters),
            opens_at=opens_at.strip(), closes_at=closes_at.strip(),
            daily_cap=int(daily_cap) if daily_cap.strip().isdigit() else None)
    except ValidationError as exc:
        raise Refused(f"Dữ liệu không hợp lệ / Invalid: {describe_validation_error(exc)}"
                      ) from None
    if spec.opens_at >= spec.closes_at:
        raise Refused("Giờ mở phải trước giờ đóng / Opening must be before closing")
    return spec


def _apply_service(s: Session, site: Site, svc: Service, spec: ServiceSpec) -> None:
    clash = s.scalar(sa.select(Service.code).where(
        Service.site_id == site.id, Service.prefix == spec.prefix, Service.active.is_(True),
        Service.id != (svc.id or 0)))
    if clash:
        raise Refused(f"Chữ đầu số {spec.prefix} đã dùng cho {clash} / Prefix {spec.prefix} "
                      f"is used by {clash}")
    counters = {c.number: c for c in s.scalars(sa.select(Counter).where(
        Counter.site_id == site.id))}
    for n in spec.counters:
        if n not in counters:
            counters[n] = Counter(site_id=site.id, number=n, name=f"Quầy {n}")
            s.add(counters[n])
    svc.prefix, svc.name_vi, svc.name_en = spec.prefix, spec.name_vi, spec.name_en
    svc.opens_at, svc.closes_at, svc.daily_cap = spec.opens_at, spec.closes_at, spec.daily_cap
    svc.counters = [counters[n] for n in spec.counters]


ServiceForm = Annotated[str, Form(max_length=400)]


@router.post("/services/add")
def services_add(request: Request, csrf: Annotated[str, Form(max_length=500)],
                 site: Annotated[int, Form()], code: ServiceForm, prefix: ServiceForm,
                 name_vi: ServiceForm, name_en: ServiceForm, opens_at: ServiceForm,
                 closes_at: ServiceForm, counters: ServiceForm = "",
                 daily_cap: ServiceForm = "") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        the_site = _site(s, admin, site)
        spec = _spec(code, prefix, name_vi, name_en, counters, opens_at, closes_at, daily_cap)
        if s.scalar(sa.select(Service.id).where(Service.site_id == the_site.id,
                                                Service.code == spec.code)):
            raise Refused(f"Mã {spec.code} đã có / Code {spec.code} exists")
        last = s.scalar(sa.select(sa.func.max(Service.sort_order)).where(
            Service.site_id == the_site.id)) or 0
        svc = Service(site_id=the_site.id, code=spec.code, sort_order=last + 1, active=True)
        s.add(svc)
        _apply_service(s, the_site, svc, spec)
        s.flush()
        audit(s, admin, "service_added", site_id=the_site.id, detail=spec.code)
        return "info", f"Đã thêm lĩnh vực {spec.code} / Service added"
    return _run(request, "services", csrf, change)


def _service(s: Session, admin: User, service_id: int) -> tuple[Site, Service]:
    svc = s.get(Service, service_id)
    if svc is None:
        raise Refused("Không có lĩnh vực này / No such service")
    return _site(s, admin, svc.site_id), svc


@router.post("/services/{service_id}")
def services_edit(request: Request, service_id: int, csrf: Annotated[str, Form(max_length=500)],
                  prefix: ServiceForm, name_vi: ServiceForm, name_en: ServiceForm,
                  opens_at: ServiceForm, closes_at: ServiceForm, counters: ServiceForm = "",
                  daily_cap: ServiceForm = "") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site, svc = _service(s, admin, service_id)
        spec = _spec(svc.code, prefix, name_vi, name_en, counters, opens_at, closes_at,
                     daily_cap)
        _apply_service(s, site, svc, spec)
        audit(s, admin, "service_changed", site_id=site.id,
              detail=f"{svc.code}: {spec.prefix} {spec.opens_at}-{spec.closes_at} "
                     f"counters {spec.counters}")
        return "info", f"Đã lưu {svc.code} / Saved"
    return _run(request, "services", csrf, change)


@router.post("/services/{service_id}/move")
def services_move(request: Request, service_id: int, csrf: Annotated[str, Form(max_length=500)],
                  direction: Annotated[int, Form(ge=-1, le=1)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site, svc = _service(s, admin, service_id)
        ordered = list(s.scalars(sa.select(Service).where(
            Service.site_id == site.id, Service.active.is_(True)).order_by(Service.sort_order)))
        i = next((k for k, x in enumerate(ordered) if x.id == svc.id), None)
        j = None if i is None else i + direction
        if i is None or j is None or not 0 <= j < len(ordered):
            return "info", "Không đổi / Unchanged"
        ordered[i], ordered[j] = ordered[j], ordered[i]
        for k, x in enumerate(ordered):
            x.sort_order = k
        audit(s, admin, "service_order", site_id=site.id,
              detail=" ".join(x.code for x in ordered))
        return "info", f"Thứ tự / Order: {' '.join(x.code for x in ordered)}"
    return _run(request, "services", csrf, change)


@router.post("/services/{service_id}/active")
def services_active(request: Request, service_id: int, csrf: Annotated[str, Form(max_length=500)],
                    active: Annotated[bool, Form()]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site, svc = _service(s, admin, service_id)
        if active:
            clash = s.scalar(sa.select(Service.code).where(
                Service.site_id == site.id, Service.prefix == svc.prefix,
                Service.active.is_(True), Service.id != svc.id))
            if clash:
                raise Refused(f"Chữ đầu số {svc.prefix} đang dùng cho {clash} / Prefix used "
                              f"by {clash}")
        svc.active = active
        if not active:
            svc.counters = []
        audit(s, admin, "service_enabled" if active else "service_disabled", site_id=site.id,
              detail=svc.code)
        return "info", (f"Đã mở lại {svc.code} / Enabled" if active
                        else f"Đã ngừng {svc.code} (phiếu cũ vẫn giữ) / Disabled")
    return _run(request, "services", csrf, change)


# --------------------------------------------------------------------------- counters


@router.get("/counters", response_class=HTMLResponse)
def counters_page(request: Request) -> HTMLResponse:
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = _sites(s, user)
        rows = [(site, c, ", ".join(x.code for x in c.services if x.active))
                for site in sites for c in s.scalars(
                    sa.select(Counter).where(Counter.site_id == site.id)
                    .order_by(Counter.number))]
    return _page(request, "counters", rows=rows, sites=sites)


@router.post("/counters/add")
def counters_add(request: Request, csrf: Annotated[str, Form(max_length=500)],
                 site: Annotated[int, Form()], number: Annotated[str, Form(max_length=10)],
                 name: Annotated[str, Form(max_length=400)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        the_site = _site(s, admin, site)
        try:
            spec = CounterSpec(number=int(number) if number.strip().isdigit() else 0,
                               name=name.strip())
        except ValidationError as exc:
            raise Refused(f"Dữ liệu không hợp lệ / Invalid: {describe_validation_error(exc)}"
                          ) from None
        if s.scalar(sa.select(Counter.id).where(Counter.site_id == the_site.id,
                                                Counter.number == spec.number)):
            raise Refused(f"Quầy số {spec.number} đã có / Counter {spec.number} exists")
        c = Counter(site_id=the_site.id, number=spec.number, name=spec.name)
        s.add(c)
        s.flush()
        audit(s, admin, "counter_added", counter=c, detail=spec.name)
        return "info", f"Đã thêm {spec.name} / Counter added"
    return _run(request, "counters", csrf, change)


@router.post("/counters/{counter_id}")
def counters_rename(request: Request, counter_id: int,
                    csrf: Annotated[str, Form(max_length=500)],
                    name: Annotated[str, Form(max_length=400)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        c = s.get(Counter, counter_id)
        if c is None:
            raise Refused("Không có quầy này / No such counter")
        _site(s, admin, c.site_id)
        label = name.strip()
        if not 1 <= len(label) <= 100:
            raise Refused("Tên quầy 1 đến 100 ký tự / Counter name: 1 to 100 characters")
        old, c.name = c.name, label
        audit(s, admin, "counter_renamed", counter=c, detail=f"{old} -> {label}")
        return "info", f"Đã đổi tên / Renamed: {label}"
    return _run(request, "counters", csrf, change)


# --------------------------------------------------------------------------- sites


@router.get("/sites", response_class=HTMLResponse)
def sites_page(request: Request) -> HTMLResponse:
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = _sites(s, user)
    return _page(request, "sites", sites=sites, can_add=user.site_id is None)


def _check_zone(timezone: str) -> str:
    name = timezone.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(f"Múi giờ không hợp lệ: {name!r} (ví dụ Asia/Ho_Chi_Minh) / Unknown "
                      "time zone") from None
    return name


@router.post("/sites/add")
def sites_add(request: Request, csrf: Annotated[str, Form(max_length=500)],
              code: Annotated[str, Form(max_length=100)],
              name: Annotated[str, Form(max_length=400)],
              timezone: Annotated[str, Form(max_length=100)] = "Asia/Ho_Chi_Minh") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        if admin.site_id is not None:
            raise Refused("Chỉ quản trị mọi điểm mới thêm được điểm / Only an administrator "
                          "of every site can add a site")
        the_code = code.strip()
        if not SITE_CODE.match(the_code):
            raise Refused("Mã điểm: 1-32 ký tự A-Z 0-9 _ - / Site code: 1-32 of A-Z 0-9 _ -")
        if not 1 <= len(name.strip()) <= 200:
            raise Refused("Tên điểm 1 đến 200 ký tự / Site name: 1 to 200 characters")
        zone = _check_zone(timezone)
        if s.scalar(sa.select(Site.id).where(Site.code == the_code)):
            raise Refused(f"Mã điểm {the_code} đã có / Site {the_code} exists")
        site = Site(code=the_code, name=name.strip(), timezone=zone)
        s.add(site)
        s.flush()
        audit(s, admin, "site_added", site_id=site.id, detail=f"{the_code} {zone}")
        return "info", (f"Đã thêm điểm {the_code}; hãy thêm lĩnh vực và quầy. / Site added; "
                        "now add its services and counters.")
    return _run(request, "sites", csrf, change)


@router.post("/sites/{site_id}")
def sites_edit(request: Request, site_id: int, csrf: Annotated[str, Form(max_length=500)],
               name: Annotated[str, Form(max_length=400)],
               timezone: Annotated[str, Form(max_length=100)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site = _site(s, admin, site_id)
        if not 1 <= len(name.strip()) <= 200:
            raise Refused("Tên điểm 1 đến 200 ký tự / Site name: 1 to 200 characters")
        site.name, site.timezone = name.strip(), _check_zone(timezone)
        audit(s, admin, "site_changed", site_id=site.id, detail=f"{site.name} {site.timezone}")
        return "info", f"Đã lưu điểm {site.code} / Saved"
    return _run(request, "sites", csrf, change)


# --------------------------------------------------------------------------- working days


@router.get("/hours", response_class=HTMLResponse)
def hours_page(request: Request) -> HTMLResponse:
    """Each site's working week, Saturday closing time, and its closed days and make-up
    working days from today on (docs/hours.md)."""
    user = _admin(request)
    with state_of(request).db.read_session() as s:
        sites = []
        for site in _sites(s, user):
            today = local_day(site)
            sites.append({
                "site": site, "working": site.calendar.working_days,
                "days": [{"id": d.id, "day": d.day.strftime("%d/%m/%Y"),
                          "weekday": f"{weekday_name(d.day)} / {weekday_name(d.day, 'en')}",
                          "open": d.open, "note": d.note}
                         for d in site.days if d.day >= today]})
    return _page(request, "hours", rows=sites,
                 weekdays=list(enumerate(zip(WEEKDAYS_VI, WEEKDAYS_EN, strict=True), start=1)))


def _bad_input(message: str) -> StarletteHTTPException:
    """A malformed form (not a date, an unknown weekday): a 422 page with one line."""
    return StarletteHTTPException(422, message)


@router.post("/hours/{site_id}")
def hours_week(request: Request, site_id: int, csrf: Annotated[str, Form(max_length=500)],
               working_days: Annotated[list[str], Form(max_length=7)] = [],  # noqa: B006
               saturday_closes_at: Annotated[str, Form(max_length=10)] = "") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site = _site(s, admin, site_id)
        try:
            days = parse_weekdays([d[:20] for d in working_days])
        except ValueError as exc:
            raise _bad_input(f"Ngày làm việc không hợp lệ / Invalid working days: {exc}"
                             ) from None
        saturday = saturday_closes_at.strip() or None
        if saturday is not None and not re.match(HHMM, saturday):
            raise _bad_input(f"Giờ đóng thứ Bảy không hợp lệ / Saturday closing is not "
                             f"HH:MM: {saturday[:10]!r}")
        site.set_working_week(days, saturday)
        detail = f"working days {site.working_days}, Saturday until {saturday or 'closing'}"
        audit(s, admin, "site_hours", site_id=site.id, detail=detail)
        return "info", f"Đã lưu ngày làm việc của {site.code} / Working days saved"
    return _run(request, "hours", csrf, change)


@router.post("/hours/{site_id}/days")
def hours_day_add(request: Request, site_id: int, csrf: Annotated[str, Form(max_length=500)],
                  day: Annotated[str, Form(max_length=40)],
                  kind: Annotated[str, Form(max_length=10)] = "closed",
                  note: Annotated[str, Form(max_length=400)] = "") -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        site = _site(s, admin, site_id)
        if kind not in ("closed", "open"):
            raise _bad_input(f"Loại ngày không hợp lệ / Unknown kind of day: {kind[:10]!r}")
        try:
            the_day, text = parse_day(day), clean_note(note)
        except ValueError as exc:
            raise _bad_input(f"Dữ liệu không hợp lệ / Invalid: {exc}") from None
        if the_day < local_day(site):
            raise Refused("Ngày đã qua / That day is past")
        if s.scalar(sa.select(SiteDay.id).where(SiteDay.site_id == site.id,
                                                SiteDay.day == the_day)):
            raise Refused(f"Ngày {the_day:%d/%m/%Y} đã có trong danh sách; hãy xóa trước / "
                          "That day is listed already; remove it first")
        s.add(SiteDay(site_id=site.id, day=the_day, open=kind == "open", note=text))
        audit(s, admin, "site_day_added", site_id=site.id,
              detail=f"{the_day.isoformat()} {kind}: {text}")
        label = "ngày nghỉ / closed day" if kind == "closed" else "ngày làm bù / make-up day"
        return "info", f"Đã thêm {label} {the_day:%d/%m/%Y}"
    return _run(request, "hours", csrf, change)


@router.post("/hours/days/{day_id}/delete")
def hours_day_delete(request: Request, day_id: int,
                     csrf: Annotated[str, Form(max_length=500)]) -> Response:
    def change(s: Session, admin: User) -> tuple[str, str]:
        row = s.get(SiteDay, day_id)
        if row is None:
            raise Refused("Không có ngày này / No such day")
        site = _site(s, admin, row.site_id)
        s.delete(row)
        audit(s, admin, "site_day_removed", site_id=site.id,
              detail=f"{row.day.isoformat()} {'open' if row.open else 'closed'}: {row.note}")
        return "info", f"Đã xóa ngày {row.day:%d/%m/%Y} / Day removed"
    return _run(request, "hours", csrf, change)


# --------------------------------------------------------------------------- audit


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    date_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    username: Annotated[str | None, Query(alias="user", max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """The audit log, newest first (200 at most), filtered by days (the site's local days),
    user and action."""
    admin = _admin(request)
    problem = None
    start = end = None
    try:
        start = dt.date.fromisoformat(date_from) if date_from else None
        end = dt.date.fromisoformat(date_to) if date_to else None
    except ValueError:
        problem = "Ngày không hợp lệ / Not a date"
    with state_of(request).db.read_session() as s:
        tz = _zone(s, admin)

        def utc(day: dt.date) -> dt.datetime:
            local = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            return local.astimezone(dt.UTC).replace(tzinfo=None)

        stmt = (sa.select(AuditLog, User.username, Site.code)
                .outerjoin(User, User.id == AuditLog.user_id)
                .outerjoin(Site, Site.id == AuditLog.site_id)
                .order_by(AuditLog.id.desc()).limit(AUDIT_PAGE))
        if admin.site_id is not None:
            stmt = stmt.where(AuditLog.site_id == admin.site_id)
        if start:
            stmt = stmt.where(AuditLog.at >= utc(start))
        if end:
            stmt = stmt.where(AuditLog.at < utc(end + dt.timedelta(days=1)))
        if username:
            stmt = stmt.where(User.username == username.strip())
        if action:
            stmt = stmt.where(AuditLog.action == action.strip())
        entries = [] if problem else [
            {"at": e.at.replace(tzinfo=dt.UTC).astimezone(tz).strftime("%d/%m/%Y %H:%M:%S"),
             "user": name or "(hệ thống / system)", "site": code or "—", "action": e.action,
             "counter": e.counter_id, "ticket": e.ticket_id, "detail": e.detail}
            for e, name, code in s.execute(stmt)]
        actions = list(s.scalars(sa.select(AuditLog.action).distinct().order_by(
            AuditLog.action)))
    if problem:
        raise StarletteHTTPException(422, problem)
    return _page(request, "audit", entries=entries, actions=actions,
                 filters={"from": date_from or "", "to": date_to or "",
                          "user": username or "", "action": action or ""})
