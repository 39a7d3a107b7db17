"""The staff API of ``/api/v1`` (session cookie and role): log-in, counters and their
actions, reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import HTTPException
from sqlalchemy.orm import Session

from server.auth import SESSION_COOKIE, Manager, Staff, client_address, set_session_cookie
from server.domain.counters import get_counter
from server.models import Counter, Site, User
from server.reports import report_csv, report_rows
from server.schemas import (
    COMMON,
    ERRORS,
    CallNumberIn,
    CounterOut,
    LoginIn,
    PasswordChangeIn,
    Problem,
    TransferIn,
    UserOut,
)
from server.sessions import LoginRefused, change_password, end_session, log_in
from server.staff_actions import counter_out, perform, report_scope
from server.state import state_of

router = APIRouter(prefix="/api/v1", responses=COMMON)

def user_out(s: Session, user: User) -> UserOut:
    site = s.get(Site, user.site_id) if user.site_id else None
    return UserOut(id=user.id, username=user.username, full_name=user.full_name,
                   role=user.role, site=site.code if site else None)


@router.post("/auth/login", response_model=UserOut, tags=["staff"],
             responses={401: ERRORS[401], 429: {"model": Problem,
                                                "description": "Too many failed log-ins"}})
def login(body: LoginIn, request: Request, response: Response) -> UserOut:
    """Staff log-in: starts a session held on the server and sets its cookie. Failures are
    audited and, past a few, further tries are refused for a growing time (429)."""
    state = state_of(request)
    try:
        done = log_in(state.db, body.username, body.password, client_address(request),
                      state.settings.session_hours)
    except LoginRefused as exc:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        raise HTTPException(exc.status, exc.message, headers=headers) from None
    set_session_cookie(response, request, done.token)
    with state.db.read_session() as s:
        user = s.get(User, done.user_id)
        assert user is not None
        return user_out(s, user)


@router.post("/auth/logout", tags=["staff"])
def logout(request: Request, response: Response) -> dict:
    """End this session on the server (the cookie stops working everywhere)."""
    end_session(state_of(request).db, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE)
    return {"detail": "logged out"}


@router.post("/auth/password", tags=["staff"], responses={401: ERRORS[401]})
def password_change(body: PasswordChangeIn, user: Staff, request: Request,
                    response: Response) -> dict:
    """Change your own password: every other session of yours ends; this one continues
    with a new cookie."""
    state = state_of(request)
    try:
        token = change_password(state.db, user.id, body.current_password, body.new_password,
                                state.settings.session_hours, client_address(request))
    except LoginRefused as exc:
        raise HTTPException(exc.status, exc.message) from None
    set_session_cookie(response, request, token)
    return {"detail": "password changed; other sessions ended"}


@router.get("/me", response_model=UserOut, tags=["staff"], responses={401: ERRORS[401]})
def me(user: Staff, request: Request) -> UserOut:
    with state_of(request).db.read_session() as s:
        return user_out(s, user)



@router.get("/counters", response_model=list[CounterOut], tags=["staff"],
            responses={401: ERRORS[401]})
def counters(user: Staff, request: Request) -> list[CounterOut]:
    state = state_of(request)
    with state.db.read_session() as s:
        stmt = sa.select(Counter).order_by(Counter.site_id, Counter.number)
        if user.site_id is not None:
            stmt = stmt.where(Counter.site_id == user.site_id)
        base = state.public_base(request)
        return [counter_out(s, state, base, c) for c in s.scalars(stmt)]


@router.get("/counters/{counter_id}", response_model=CounterOut, tags=["staff"],
            responses={401: ERRORS[401], 404: ERRORS[404]})
def counter_detail(counter_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: Staff,
                   request: Request) -> CounterOut:
    state = state_of(request)
    with state.db.read_session() as s:
        counter = get_counter(s, user, counter_id)
        return counter_out(s, state, state.public_base(request), counter)


CounterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Action = Literal["call-next", "recall", "start", "complete", "no-show", "open", "close"]


@router.post("/counters/{counter_id}/call", response_model=CounterOut, tags=["staff"],
             responses=ERRORS)
def counter_call_number(counter_id: CounterId, body: CallNumberIn, user: Staff,
                        request: Request) -> CounterOut:
    """Call a specific ticket (waiting, or a no-show who came back) by its number."""
    return run_action(request, user, counter_id, "call", body.number)


@router.post("/counters/{counter_id}/transfer", response_model=CounterOut, tags=["staff"],
             responses=ERRORS)
def counter_transfer(counter_id: CounterId, body: TransferIn, user: Staff,
                     request: Request) -> CounterOut:
    """Send the counter's ticket to another service's queue, keeping its issue time."""
    return run_action(request, user, counter_id, "transfer", body.service)


@router.post("/counters/{counter_id}/{action}", response_model=CounterOut, tags=["staff"],
             responses=ERRORS)
def counter_action(counter_id: CounterId, action: Action, user: Staff,
                   request: Request) -> CounterOut:
    """call-next, recall, start, complete, no-show, open or close the counter."""
    return run_action(request, user, counter_id, action)


def run_action(request: Request, user: User, counter_id: int, action: str,
               arg: str | None = None) -> CounterOut:
    state = state_of(request)
    perform(state, user, counter_id, action, arg)
    with state.db.read_session() as s:
        counter = get_counter(s, user, counter_id)
        return counter_out(s, state, state.public_base(request), counter)



@router.get("/reports", tags=["staff"], responses={401: ERRORS[401], 403: ERRORS[401]})
def reports(user: Manager, request: Request,
            date_from: Annotated[dt.date | None, Query(alias="from")] = None,
            date_to: Annotated[dt.date | None, Query(alias="to")] = None,
            site: Annotated[str | None, Query(max_length=32)] = None) -> dict:
    """Per day and service: issued, served, no-shows, waiting and service times (average
    and 90th percentile, minutes), satisfaction. Managers see their own site."""
    state = state_of(request)
    with state.db.read_session() as s:
        the_site, start, end = report_scope(s, user, site, date_from, date_to)
        return {"site": the_site.code, "from": start, "to": end,
                "rows": report_rows(s, the_site, start, end)}


@router.get("/reports.csv", tags=["staff"], response_class=Response,
            responses={200: {"description": "The report as CSV (UTF-8 with BOM)",
                             "content": {"text/csv": {"schema": {"type": "string"}}}},
                       401: ERRORS[401], 403: ERRORS[401]})
def reports_csv(user: Manager, request: Request,
                date_from: Annotated[dt.date | None, Query(alias="from")] = None,
                date_to: Annotated[dt.date | None, Query(alias="to")] = None,
                site: Annotated[str | None, Query(max_length=32)] = None,
                header: Annotated[Literal["keys", "readable"], Query()] = "keys") -> Response:
    """The report as CSV; ``header=readable`` titles the columns for people ("Đã cấp /
    Issued") instead of field names."""
    state = state_of(request)
    with state.db.read_session() as s:
        the_site, start, end = report_scope(s, user, site, date_from, date_to)
        text = report_csv(report_rows(s, the_site, start, end), readable=header == "readable")
    name = f"report-{the_site.code}-{start}-{end}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


