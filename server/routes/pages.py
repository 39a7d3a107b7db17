"""Server-rendered pages: log-in, counter console, display board (live over server-sent
events), survey, reports. Plain HTML forms and small ES5 scripts, so a cheap TV browser
and an old phone work."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.auth import SESSION_COOKIE
from server.domain.audit import audit
from server.domain.board import board_state, last_event_id
from server.domain.counters import counter_queue, current_ticket, get_counter
from server.errors import QueueError
from server.models import (
    ROLE_MANAGER,
    ROLES,
    Counter,
    Service,
    Site,
    SurveyResponse,
    Ticket,
    User,
    utcnow,
)
from server.reports import COLUMNS, report_rows
from server.routes.kiosk_health import health_lines
from server.security import verify_password
from server.staff_actions import perform, report_scope
from server.state import state_of
from ticketing.status import TicketStatus

router = APIRouter(include_in_schema=False)

DIGITS_VI = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
ACTION_LABELS = {
    "call-next": "Gọi tiếp / Call next",
    "recall": "Gọi lại / Recall",
    "start": "Bắt đầu / Start",
    "complete": "Hoàn thành / Done",
    "no-show": "Vắng mặt / No-show",
}
STATUS_VI = {TicketStatus.WAITING: "Đang chờ", TicketStatus.CALLED: "Đã gọi",
             TicketStatus.SERVING: "Đang phục vụ", TicketStatus.DONE: "Đã xong",
             TicketStatus.NO_SHOW: "Vắng mặt", TicketStatus.CANCELLED: "Đã hủy"}


def render(request: Request, name: str, status_code: int = 200, **context: object
           ) -> HTMLResponse:
    state = state_of(request)
    return state.templates.TemplateResponse(
        request, name, {"status_vi": STATUS_VI, **context}, status_code=status_code)


def html_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    if exc.status_code == 401:
        back = request.url.path if request.method == "GET" else "/console"
        return RedirectResponse(f"/login?next={quote(back)}", 303)  # type: ignore[return-value]
    return render(request, "error.html", exc.status_code, message=exc.detail)


def spoken_number(number: str) -> str:
    """'A012' as Vietnamese speech says it: letters, then each digit."""
    parts = [DIGITS_VI[int(ch)] if ch.isdigit() else ch for ch in number if ch.isalnum()]
    return " ".join(parts)


def announcement(number: str, counter: int | None) -> dict[str, str]:
    return {
        "text": f"Mời số {number} đến quầy {counter}",
        "speech": f"Mời số {spoken_number(number)}, đến quầy {counter}",
    }


def optional_user(request: Request) -> User | None:
    state = state_of(request)
    uid = state.signer.user_id_from_cookie(request.cookies.get(SESSION_COOKIE))
    if uid is None:
        return None
    with state.db.read_session() as s:
        user = s.get(User, uid)
        if user is None or not user.active:
            return None
        s.expunge(user)
        return user


def page_user(request: Request, minimum: str = "staff") -> User:
    user = optional_user(request)
    if user is None:
        raise StarletteHTTPException(401, "log in first")
    if ROLES.index(user.role) < ROLES.index(minimum):
        raise StarletteHTTPException(
            403, "Trang này dành cho quản lý. / This page is for managers only.")
    return user


def check_csrf(request: Request, user: User, token: str | None) -> None:
    if not state_of(request).signer.check_csrf(user.id, token):
        raise StarletteHTTPException(403, "The form expired; reload the page and try again.")


# --------------------------------------------------------------------------- home, log-in


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    with state_of(request).db.read_session() as s:
        sites = list(s.scalars(sa.select(Site).order_by(Site.id)))
    return render(request, "home.html", sites=sites, user=optional_user(request))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str | None, Query(max_length=200)] = None
               ) -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    state = state_of(request)
    with state.db.session() as s:
        user = s.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.active or not verify_password(user, password):
            return render(request, "login.html", 401, next=_safe_next(next),
                          error="Sai tên đăng nhập hoặc mật khẩu / Wrong username or password")
        audit(s, user, "login", site_id=user.site_id)
        uid = user.id
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(SESSION_COOKIE, state.signer.session_cookie(uid),
                        max_age=state.signer.session_seconds, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout_submit() -> Response:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --------------------------------------------------------------------------- console


@router.get("/console", response_class=HTMLResponse)
def console_index(request: Request) -> HTMLResponse:
    user = page_user(request)
    with state_of(request).db.read_session() as s:
        stmt = sa.select(Counter).order_by(Counter.site_id, Counter.number)
        if user.site_id is not None:
            stmt = stmt.where(Counter.site_id == user.site_id)
        counters = [(c, [x.code for x in c.services if x.active]) for c in s.scalars(stmt)]
        kiosks = health_lines(s, user.site_id)
    return render(request, "console_index.html", user=user, counters=counters, kiosks=kiosks)


def _console_context(request: Request, user: User, counter_id: int) -> dict:
    state = state_of(request)
    with state.db.read_session() as s:
        counter = get_counter(s, user, counter_id)
        site = s.get(Site, counter.site_id)
        current = current_ticket(s, counter)
        waiting = counter_queue(s, counter, 50)
        services = list(s.scalars(sa.select(Service).where(
            Service.site_id == counter.site_id, Service.active.is_(True))
            .order_by(Service.sort_order)))
        names = {x.id: x for x in services}
        return {
            "user": user, "counter": counter, "site": site, "current": current,
            "waiting": waiting, "services": services, "names": names,
            "own_services": [x.code for x in counter.services if x.active],
            "csrf": state.signer.csrf_token(user.id), "actions": ACTION_LABELS,
            "max_recalls": state.settings.max_recalls,
        }


@router.get("/console/{counter_id}", response_class=HTMLResponse)
def console(request: Request, counter_id: int) -> HTMLResponse:
    user = page_user(request)
    return render(request, "console.html", message=None, **_console_context(
        request, user, counter_id))


@router.get("/console/{counter_id}/queue", response_class=HTMLResponse)
def console_queue(request: Request, counter_id: int) -> HTMLResponse:
    user = page_user(request)
    return render(request, "_queue.html", **_console_context(request, user, counter_id))


@router.post("/console/{counter_id}/{action}", response_class=HTMLResponse)
def console_action(
    request: Request, counter_id: int, action: str,
    csrf: Annotated[str, Form(max_length=500)],
    number: Annotated[str | None, Form(max_length=16)] = None,
    service: Annotated[str | None, Form(max_length=32)] = None,
) -> Response:
    user = page_user(request)
    check_csrf(request, user, csrf)
    allowed = {*ACTION_LABELS, "call", "transfer", "open", "close"}
    if action not in allowed:
        raise StarletteHTTPException(404, "unknown action")
    arg = number if action == "call" else service if action == "transfer" else None
    try:
        ticket = perform(state_of(request), user, counter_id, action, arg)
    except QueueError as exc:
        return render(request, "console.html", exc.status, message=exc.message,
                      **_console_context(request, user, counter_id))
    if action == "call-next" and ticket is None:
        return render(request, "console.html", message="Không còn ai chờ / Nobody is waiting",
                      **_console_context(request, user, counter_id))
    return RedirectResponse(f"/console/{counter_id}", 303)


# --------------------------------------------------------------------------- board


def _site(request: Request, code: str) -> Site:
    with state_of(request).db.read_session() as s:
        site = s.scalar(sa.select(Site).where(Site.code == code))
        if site is None:
            raise StarletteHTTPException(404, f"no site {code!r}")
        s.expunge(site)
        return site


def board_payload(request: Request, site: Site) -> dict:
    state = state_of(request)
    with state.db.read_session() as s:
        data = board_state(s, state.settings, site)
    for call in data["recent_calls"]:
        call.update({"announce": announcement(call["number"], call["counter"])})
    return data


@router.get("/board", response_class=HTMLResponse)
def board_default(request: Request) -> Response:
    with state_of(request).db.read_session() as s:
        code = s.scalar(sa.select(Site.code).order_by(Site.id).limit(1))
    return RedirectResponse(f"/board/{code}", 307)


@router.get("/board/{site_code}", response_class=HTMLResponse)
def board_page(request: Request, site_code: str) -> HTMLResponse:
    site = _site(request, site_code)
    data = board_payload(request, site)
    return render(request, "board.html", site=site, board=data,
                  board_json=json.dumps(data, ensure_ascii=False))


@router.get("/board/{site_code}/events")
async def board_events(request: Request, site_code: str) -> StreamingResponse:
    """Server-sent events: the board's whole state each time something happens at the
    site (checked every 0.3 s, across every server process since it reads the database)."""
    site = await run_in_threadpool(_site, request, site_code)
    state = state_of(request)

    def last_id() -> int:
        with state.db.read_session() as s:
            return last_event_id(s, site.id)

    async def stream():  # type: ignore[no-untyped-def]
        seen = -1
        quiet = 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            current = await run_in_threadpool(last_id)
            if current != seen:
                data = await run_in_threadpool(board_payload, request, site)
                seen = current
                quiet = 0.0
                yield f"id: {current}\nevent: board\ndata: " \
                      f"{json.dumps(data, ensure_ascii=False)}\n\n"
            elif quiet > 15:
                quiet = 0.0
                yield ": ping\n\n"
            await asyncio.sleep(0.3)
            quiet += 0.3

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


# --------------------------------------------------------------------------- survey


def _survey_ticket(request: Request, token: str) -> str:
    ticket_id = state_of(request).signer.ticket_from_survey_token(token)
    if ticket_id is None:
        raise StarletteHTTPException(404, "Liên kết không hợp lệ / This link is not valid.")
    return ticket_id


def _survey_context(request: Request, ticket_id: str) -> dict:
    with state_of(request).db.read_session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        service = s.get(Service, ticket.service_id)
        site = s.get(Site, ticket.site_id)
        answered = s.scalar(sa.select(SurveyResponse).where(
            SurveyResponse.ticket_id == ticket_id))
        return {"ticket": ticket, "service": service, "site": site, "answered": answered}


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(request: Request, token: str) -> HTMLResponse:
    ctx = _survey_context(request, _survey_ticket(request, token))
    return render(request, "survey.html", token=token, error=None, **ctx)


@router.post("/s/{token}", response_class=HTMLResponse)
def survey_submit(
    request: Request, token: str,
    rating: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    ticket_id = _survey_ticket(request, token)
    state = state_of(request)
    error = None
    with state.db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        if ticket.status != TicketStatus.DONE:
            error = ("Bạn có thể đánh giá sau khi được phục vụ xong. / You can rate the "
                     "service once it is done.")
        elif s.scalar(sa.select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket_id)):
            error = "Phiếu này đã được đánh giá. / This ticket was already rated."
        else:
            s.add(SurveyResponse(ticket_id=ticket_id, site_id=ticket.site_id,
                                 service_id=ticket.service_id, rating=rating,
                                 comment=comment.strip(), created_at=utcnow()))
    status = 409 if error else 200
    ctx = _survey_context(request, ticket_id)
    return render(request, "survey.html", status, token=token, error=error, thanks=not error,
                  **ctx)


# --------------------------------------------------------------------------- reports


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    user = page_user(request, ROLE_MANAGER)
    with state_of(request).db.read_session() as s:
        the_site, start, end = report_scope(s, user, site, date_from, date_to)
        rows = report_rows(s, the_site, start, end)
        s.expunge(the_site)
    totals = {
        "issued": sum(r["issued"] for r in rows), "served": sum(r["served"] for r in rows),
        "no_show": sum(r["no_show"] for r in rows),
        "rating_count": sum(r["rating_count"] for r in rows),
    }
    return render(request, "reports.html", user=user, site=the_site, start=start, end=end,
                  rows=rows, columns=COLUMNS, totals=totals)
