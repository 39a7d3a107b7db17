"""The citizen registry's administration pages (admin role, docs/registry.md): search the
citizens, one citizen's page (masked id number, consents, the audit trail of who touched
their data), the data subject's export, consent withdrawal, erasure, and each site's
retention setting. The same rules as the API and `queue-server citizens` (they call
``server.domain.citizens``); every view, search, export and change is audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.domain import citizens as reg
from server.domain.audit import audit
from server.models import User
from server.routes.admin import Refused, _admin, _done, _page, _run, _site, _sites, _zone
from server.routes.registry_api import sealer_of
from server.state import state_of
from ticketing.sealing import InvalidTag

router = APIRouter(prefix="/admin/citizens", include_in_schema=False)

PAGE = 100
TRAIL = 200  # newest audit entries shown on a citizen's page
CitizenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SEX_VI = {"male": "Nam / Male", "female": "Nữ / Female"}
ACTION_VI = {
    "enrol": "Đăng ký / Enrolled", "add_faces": "Thêm ảnh / Faces added",
    "enrol_refused": "Từ chối đăng ký / Enrolment refused", "view": "Xem / Viewed",
    "search": "Tìm / Searched", "export": "Xuất dữ liệu / Exported",
    "replace": "Thay khuôn mặt / Face replaced",
    "replace_refused": "Từ chối thay khuôn mặt / Replacement refused",
    "consent_withdrawn": "Rút đồng ý / Consent withdrawn", "erase": "Xóa / Erased",
}


def _local(value: str | None, tz: ZoneInfo) -> str:
    """An ISO time from the registry (UTC, naive) as the site's local dd/mm/yyyy hh:mm."""
    if not value:
        return "—"
    when = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).astimezone(tz)
    return when.strftime("%d/%m/%Y %H:%M")


def _scope(user: User) -> int | None:
    return user.site_id


@router.get("", response_class=HTMLResponse)
def citizens_page(request: Request,
                  q: Annotated[str | None, Query(max_length=100)] = None,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    """Citizens by registry number, searched by name or the last 4 digits of the id
    number (the search is audited, its text is not kept)."""
    user = _admin(request)
    text = (q or "").strip()
    with state_of(request).db.session() as s:
        rows = reg.search(s, _scope(user), text or None, PAGE + 1, (page - 1) * PAGE)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        reg.audit_citizen(s, user.site_id, None, user.username, "search",
                          f"{len(rows)} result(s) (admin page)")
        sites = _sites(s, user)
        tz = _zone(s, user)
        codes = {x.id: x.code for x in sites}
        default_days = state_of(request).settings.registry_retention_days
        retention = [{"site": x, "days": reg.retention_days(x, default_days),
                      "own": x.registry_retention_days is not None} for x in sites]
    for r in rows:
        r["enrolled"] = _local(r["created_at"], tz)
        r["seen"] = _local(r["last_seen_at"], tz)
        r["site"] = codes.get(r["site_id"], "")
        r["sex_text"] = SEX_VI.get(r["sex"] or "", "—")
    return _page(request, "citizens", rows=rows, q=text, page_no=page, more=more,
                 retention=retention, default_days=default_days, many_sites=len(sites) > 1)


@router.get("/{citizen_id}", response_class=HTMLResponse)
def citizen_page(request: Request, citizen_id: CitizenId) -> HTMLResponse:
    """One citizen (id masked), their consents and who touched their data; audited."""
    user = _admin(request)
    try:
        with state_of(request).db.session() as s:
            c = reg.show(s, _scope(user), citizen_id, user.username)
            trail = reg.audit_trail(s, citizen_id, TRAIL)
            tz = _zone(s, user)
    except reg.RegistryError as exc:
        raise StarletteHTTPException(exc.status, f"Không có công dân này / {exc}") from None
    for key in ("created_at", "updated_at", "last_seen_at"):
        c[key + "_text"] = _local(c[key], tz)
    for consent in c["consents"]:
        consent["given"] = _local(consent["given_at"], tz)
    for a in trail:
        a["when"] = _local(a["at"], tz)
        a["label"] = ACTION_VI.get(a["action"], a["action"])
    trail.reverse()  # newest first
    return _page(request, "citizens", template="admin_citizen.html", c=c, trail=trail,
                 sex_text=SEX_VI.get(c["sex"] or "", "Không ghi / Not recorded"))


@router.get("/{citizen_id}/export")
def citizen_export(request: Request, citizen_id: CitizenId) -> Response:
    """The data subject's copy (right of access) as a JSON download: the record with the
    full id number, consents, face templates as numbers and the audit trail. Audited."""
    user = _admin(request)
    try:
        with state_of(request).db.session() as s:
            data = reg.export(s, sealer_of(request, s), _scope(user), citizen_id, user.username)
    except reg.RegistryError as exc:
        raise StarletteHTTPException(exc.status, f"Không có công dân này / {exc}") from None
    except InvalidTag:
        raise StarletteHTTPException(
            500, "Một mẫu khuôn mặt không mở được bằng khóa của sổ / A stored face template "
            "does not open with the registry key") from None
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="citizen-{citizen_id}.json"',
        "Cache-Control": "no-store"})


Confirm = Annotated[str, Form(max_length=10)]
Csrf = Annotated[str, Form(max_length=500)]


def _confirmed(confirm: str) -> None:
    if confirm != "yes":
        raise Refused("Hãy đánh dấu ô xác nhận trước / Tick the confirmation box first")


def _erasing(citizen_id: int, confirm: str, withdraw: bool):  # type: ignore[no-untyped-def]
    def change(s: Session, admin: User) -> tuple[str, str]:
        _confirmed(confirm)
        try:
            if withdraw:
                n = reg.withdraw_consent(s, _scope(admin), citizen_id, admin.username)
            else:
                n = reg.erase(s, _scope(admin), citizen_id, admin.username)
        except reg.RegistryError as exc:
            raise Refused(f"Không thực hiện được / {exc}") from None
        what = "Đã ghi nhận rút đồng ý và xóa" if withdraw else "Đã xóa"
        return "info", (f"{what} công dân số {citizen_id} ({n} mẫu khuôn mặt); mọi ki-ốt xóa "
                        f"ở lần đồng bộ tới. / Citizen {citizen_id} erased ({n} template(s)); "
                        "every kiosk drops them at its next sync.")
    return change


def _erase_run(request: Request, citizen_id: int, csrf: str, change: Any) -> Response:
    """Like ``admin._run``: done → the list; refused (not confirmed...) → the citizen."""
    user = _admin(request, csrf)
    try:
        with state_of(request).db.session() as s:
            kind, message = change(s, user)
    except Refused as exc:
        return _done(f"citizens/{citizen_id}", "error", str(exc))
    return _done("citizens", kind, message)


@router.post("/{citizen_id}/delete")
def citizen_delete(request: Request, citizen_id: CitizenId, csrf: Csrf,
                   confirm: Confirm = "") -> Response:
    """Erasure: record, consents and templates here, and on every kiosk at its next pull."""
    return _erase_run(request, citizen_id, csrf, _erasing(citizen_id, confirm, withdraw=False))


@router.post("/{citizen_id}/withdraw")
def citizen_withdraw(request: Request, citizen_id: CitizenId, csrf: Csrf,
                     confirm: Confirm = "") -> Response:
    """The citizen withdrew consent: recorded in the audit, then their data is erased."""
    return _erase_run(request, citizen_id, csrf, _erasing(citizen_id, confirm, withdraw=True))


@router.post("/retention")
def retention_set(request: Request, csrf: Csrf, site: Annotated[int, Form(ge=1)],
                  days: Annotated[str, Form(max_length=10)] = "") -> Response:
    """A site's retention: days unseen before the daily job erases a citizen (0: off;
    empty: the server's setting)."""
    def change(s: Session, admin: User) -> tuple[str, str]:
        the_site = _site(s, admin, site)
        value = days.strip()
        if value and not (value.isdigit() and 0 <= int(value) <= 36500):
            raise Refused("Số ngày từ 0 đến 36500 (0: tắt; để trống: theo cấu hình máy chủ) / "
                          "Days: 0 to 36500 (0: off; empty: the server's setting)")
        old = the_site.registry_retention_days
        the_site.registry_retention_days = int(value) if value else None
        audit(s, admin, "registry_retention", site_id=the_site.id,
              detail=f"{the_site.code}: {old if old is not None else 'default'} -> "
                     f"{value or 'default'}")
        shown = (f"{value} ngày / days" if value and value != "0" else
                 "tắt / off" if value == "0" else "theo cấu hình máy chủ / server setting")
        return "info", f"Thời hạn lưu của {the_site.code}: {shown} / Retention saved"
    return _run(request, "citizens", csrf, change)
