"""The ticket on the citizen's phone (/t/<signed token>, the QR on the printed ticket): a
light page that refreshes itself with the number, service, people ahead, estimated wait
and the counter once called; after the service, the five-criteria rating. No login and
no personal data. Also the managers' page of the criteria per service and counter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.domain.estimates import estimate_wait_minutes, people_ahead
from server.domain.ratings import CRITERIA, SCALE, RatingRefused, criteria_report, rate_ticket
from server.models import ROLE_MANAGER, Counter, Service, Site, SurveyResponse, Ticket
from server.routes.pages import page_user, render
from server.staff_actions import report_scope
from server.state import state_of
from ticketing.status import TicketStatus

router = APIRouter(include_in_schema=False)

REFRESH_S = 20  # how often the page reloads itself while the ticket is still open
Score = Annotated[int, Form(ge=1, le=5)]


def _ticket_id(request: Request, token: str) -> str:
    ticket_id = state_of(request).signer.ticket_from_survey_token(token)
    if ticket_id is None:
        raise StarletteHTTPException(404, "Liên kết không hợp lệ / This link is not valid.")
    return ticket_id


def ticket_context(request: Request, ticket_id: str) -> dict:
    """What the ticket page shows; nothing personal (no citizen id, no name)."""
    state = state_of(request)
    with state.db.read_session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        service = s.get(Service, ticket.service_id)
        site = s.get(Site, ticket.site_id)
        counter = s.get(Counter, ticket.counter_id) if ticket.counter_id else None
        waiting = ticket.status == TicketStatus.WAITING
        ahead = people_ahead(s, ticket) if waiting else 0
        wait = (estimate_wait_minutes(s, state.settings, ticket.service_id, ahead)
                if waiting else 0)
        answered = s.scalar(sa.select(SurveyResponse).where(
            SurveyResponse.ticket_id == ticket_id))
        open_ = ticket.status in (TicketStatus.WAITING, TicketStatus.CALLED,
                                  TicketStatus.SERVING)
        for obj in (ticket, service, site, counter, answered):
            if obj is not None:
                s.expunge(obj)
    return {"ticket": ticket, "service": service, "site": site, "counter": counter,
            "ahead": ahead, "wait_min": wait, "answered": answered,
            "refresh_s": REFRESH_S if open_ else None, "criteria": CRITERIA, "scale": SCALE}


@router.get("/t/{token}", response_class=HTMLResponse)
def ticket_page(request: Request, token: str) -> HTMLResponse:
    ctx = ticket_context(request, _ticket_id(request, token))
    return render(request, "ticket.html", token=token, error=None, thanks=False, **ctx)


@router.post("/t/{token}", response_class=HTMLResponse)
def ticket_rate(
    request: Request, token: str,
    access: Score, procedure: Score, official: Score, result: Score, feedback: Score,
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    ticket_id = _ticket_id(request, token)
    error = None
    with state_of(request).db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise StarletteHTTPException(404, "Không tìm thấy phiếu / Ticket not found.")
        try:
            rate_ticket(s, ticket, {"access": access, "procedure": procedure,
                                    "official": official, "result": result,
                                    "feedback": feedback}, comment)
        except RatingRefused as exc:
            error = str(exc)
    ctx = ticket_context(request, ticket_id)
    return render(request, "ticket.html", 409 if error else 200, token=token, error=error,
                  thanks=not error, **ctx)


@router.get("/reports/criteria", response_class=HTMLResponse)
def criteria_page(
    request: Request,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    site: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    """Managers: the mean of each satisfaction criterion per service and per counter."""
    user = page_user(request, ROLE_MANAGER)
    with state_of(request).db.read_session() as s:
        the_site, start, end = report_scope(s, user, site, date_from, date_to)
        report = criteria_report(s, the_site, start, end)
        s.expunge(the_site)
    return render(request, "reports_criteria.html", user=user, site=the_site, start=start,
                  end=end, report=report, criteria=CRITERIA)
