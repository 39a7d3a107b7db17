"""The counter console (staff): pick a counter, see the current ticket with its timers, the
waiting list and the day's tally; act with buttons or keys. Every action is a form POST
answered with a redirect back to the console (POST-redirect-GET), its outcome carried in a
short-lived cookie, so the address bar always holds the console's own address."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.domain.counters import (
    counter_day_tally,
    counter_queue,
    counter_waiting_count,
    current_ticket,
    get_counter,
)
from server.errors import QueueError
from server.models import Counter, Service, Site, Ticket, User, utcnow
from server.routes.flash import clear_flash, read_flash, set_flash
from server.routes.kiosk_health import health_lines
from server.routes.pages import check_csrf, optional_user, page_user, render
from server.staff_actions import perform
from server.state import state_of
from server.wording import vietnamese_first
from ticketing.status import TicketStatus

router = APIRouter(include_in_schema=False)

#: The main buttons: action -> (label, keyboard key shown on the button).
ACTIONS: dict[str, tuple[str, str]] = {
    "call-next": ("Gọi tiếp / Call next", "N"),
    "recall": ("Gọi lại / Recall", "R"),
    "start": ("Bắt đầu / Start", "S"),
    "complete": ("Hoàn thành / Done", "D"),
    "no-show": ("Vắng mặt / No-show", "V"),
}
#: How many waiting tickets the list shows (the total above it counts them all).
QUEUE_SHOWN = 50


def _iso(value: object) -> str | None:
    return value.isoformat() + "Z" if value is not None else None  # type: ignore[attr-defined]


def _disabled(action: str, current: Ticket | None) -> str:
    """Why a button is disabled ('' when it is enabled)."""
    if action == "call-next":
        if current is not None and current.status == TicketStatus.CALLED:
            return ("Phiếu đang được gọi: bắt đầu, gọi lại hoặc đánh vắng mặt trước / "
                    "The called ticket must be started, recalled or marked no-show first")
        return ""
    if current is None:
        return "Chưa gọi ai / No one called"
    if action in ("recall", "start", "no-show") and current.status != TicketStatus.CALLED:
        return "Phiếu đang được phục vụ / The ticket is being served"
    return ""


def _console_context(request: Request, user: User, counter_id: int) -> dict:
    state = state_of(request)
    max_recalls = state.settings.max_recalls
    with state.db.read_session() as s:
        counter = get_counter(s, user, counter_id)
        site = s.get(Site, counter.site_id)
        current = current_ticket(s, counter)
        waiting = counter_queue(s, counter, QUEUE_SHOWN)
        waiting_total = counter_waiting_count(s, counter)
        tally = counter_day_tally(s, counter)
        services = list(s.scalars(sa.select(Service).where(
            Service.site_id == counter.site_id, Service.active.is_(True))
            .order_by(Service.sort_order)))
        names = {x.id: x for x in services}
        last_recall = (current is not None and current.status == TicketStatus.CALLED
                       and current.recalls >= max_recalls)
        version = (f"{current.number}|{current.status}|{current.recalls}" if current
                   else "-") + f"|{counter.is_open}"
        data = {
            "counter": counter.id, "now": _iso(utcnow()), "version": version,
            "queue_url": f"/console/{counter.id}/queue",
            "login_url": f"/login?next={quote(f'/console/{counter.id}')}",
            "current": None if current is None else {
                "number": current.number, "status": current.status,
                "issued_at": _iso(current.issued_at), "called_at": _iso(current.called_at),
                "serving_at": _iso(current.serving_at),
            },
            "keys": {key: action for action, (_, key) in ACTIONS.items()},
        }
        return {
            "user": user, "counter": counter, "site": site, "current": current,
            "waiting": waiting, "waiting_total": waiting_total, "services": services,
            "names": names, "tally": tally, "version": version,
            "own_services": [x.code for x in counter.services if x.active],
            "csrf": state.signer.csrf_token(user.id), "actions": ACTIONS,
            "disabled": {a: _disabled(a, current) for a in ACTIONS},
            "max_recalls": max_recalls, "last_recall": last_recall, "data": data,
        }


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


@router.get("/console/{counter_id}", response_class=HTMLResponse)
def console(request: Request, counter_id: int) -> HTMLResponse:
    user = page_user(request)
    ctx = _console_context(request, user, counter_id)
    flash = read_flash(request)
    if flash is None and ctx["last_recall"]:
        flash = ("warn", f"Đã gọi lại {ctx['max_recalls']}/{ctx['max_recalls']} lần: lần gọi "
                 "lại tiếp theo sẽ đánh phiếu vắng mặt. / Recalled "
                 f"{ctx['max_recalls']}/{ctx['max_recalls']}: the next recall marks the "
                 "ticket no-show.")
    kind, message = flash or ("", "")
    response = render(request, "console.html", message=message, message_kind=kind, **ctx)
    clear_flash(request, response, "/console")
    return response


@router.get("/console/{counter_id}/queue", response_class=HTMLResponse)
def console_queue(request: Request, counter_id: int) -> Response:
    """The waiting list as an HTML fragment, polled by the console's script; 401 (no
    redirect) when the session is gone, so the script can say so."""
    user = optional_user(request)
    if user is None:
        return Response("session expired", status_code=401, media_type="text/plain")
    return render(request, "_queue.html", **_console_context(request, user, counter_id))


def _outcome(action: str, ticket: Ticket | None, max_recalls: int) -> tuple[str, str]:
    """The (kind, message) the console shows after an action that went through."""
    if action == "call-next" and ticket is None:
        return "info", "Không còn ai chờ / Nobody is waiting"
    if ticket is None:
        return "info", ("Đã mở quầy / Counter opened" if action == "open"
                        else "Đã đóng quầy / Counter closed")
    n = ticket.number
    if action == "recall":
        if ticket.status == TicketStatus.NO_SHOW:
            return "warn", (f"Phiếu {n} đã được gọi lại {max_recalls} lần mà không đến nên đã "
                            "chuyển sang vắng mặt; có thể gọi lại bằng «Gọi số này». / "
                            f"{n} was recalled {max_recalls} times without coming: marked "
                            "no-show (call it by number if they come back).")
        if ticket.recalls >= max_recalls:
            return "warn", (f"Đã gọi lại {n} {ticket.recalls}/{max_recalls} lần: lần gọi lại "
                            "tiếp theo sẽ đánh phiếu vắng mặt. / Recalled "
                            f"{ticket.recalls}/{max_recalls}: the next recall marks it "
                            "no-show.")
        return "info", f"Đã gọi lại {n} ({ticket.recalls}/{max_recalls}) / Recalled {n}"
    said = {
        "call-next": f"Đã gọi {n} / Called {n}", "call": f"Đã gọi {n} / Called {n}",
        "start": f"Đang phục vụ {n} / Serving {n}",
        "complete": f"Đã xong {n} / {n} done",
        "no-show": f"Đã đánh {n} vắng mặt / {n} marked no-show",
        "transfer": f"Đã chuyển {n} / {n} transferred",
    }
    return "info", said.get(action, "")


@router.post("/console/{counter_id}/{action}", response_class=HTMLResponse)
def console_action(
    request: Request, counter_id: int, action: str,
    csrf: Annotated[str, Form(max_length=500)],
    number: Annotated[str | None, Form(max_length=16)] = None,
    service: Annotated[str | None, Form(max_length=32)] = None,
) -> Response:
    user = page_user(request)
    check_csrf(request, user, csrf)
    allowed = {*ACTIONS, "call", "transfer", "open", "close"}
    if action not in allowed:
        raise StarletteHTTPException(404, "Không có thao tác này / Unknown action")
    arg = number if action == "call" else service if action == "transfer" else None
    state = state_of(request)
    try:
        ticket = perform(state, user, counter_id, action, arg)
        kind, message = _outcome(action, ticket, state.settings.max_recalls)
    except QueueError as exc:
        if exc.status == 404 and "counter" in exc.message:
            raise StarletteHTTPException(404, vietnamese_first(exc.message)) from None
        kind, message = "error", vietnamese_first(exc.message)
    response = RedirectResponse(f"/console/{counter_id}", 303)
    set_flash(response, kind, message, "/console")
    return response
