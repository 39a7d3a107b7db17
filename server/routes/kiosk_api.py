"""The kiosk API (bearer token) and the public reads of ``/api/v1``: health, services,
tickets (issue, upload, read, cancel, withdraw), leases, a citizen's open tickets, the board."""

from __future__ import annotations

import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.exc import IntegrityError

from server.auth import authenticate, bearer, kiosk_token
from server.domain.board import board_state
from server.domain.citizen_tickets import cancel_ticket as cancel_open_ticket
from server.domain.citizen_tickets import citizen_open_tickets, withdraw_ticket
from server.domain.clock import day_bounds_utc, is_open_now, local_day
from server.domain.estimates import (
    average_service_minutes,
    counters_for,
    estimate_wait_minutes,
    waiting_counts,
)
from server.domain.leases import lease_numbers
from server.domain.numbering import number_of
from server.kiosk_issuing import iso, store_batch, store_one, ticket_out
from server.models import Service, Site, Ticket
from server.schemas import (
    COMMON,
    ERRORS,
    BatchIn,
    BatchOut,
    CalendarOut,
    CitizenTicketsOut,
    HealthOut,
    LeaseIn,
    LeaseOut,
    ServiceOut,
    TicketIn,
    TicketOut,
    WithdrawIn,
    WithdrawOut,
)
from server.state import API_VERSION, state_of

router = APIRouter(prefix="/api/v1", responses=COMMON)



@router.get("/health", response_model=HealthOut, tags=["public"])
def health(request: Request) -> HealthOut:
    state = state_of(request)
    with state.db.read_session() as s:
        s.execute(sa.text("select 1"))
    return HealthOut(status="ok", version=API_VERSION,
                     database="sqlite" if state.db.sqlite else "postgresql")


@router.get("/services", response_model=list[ServiceOut], tags=["kiosk"],
            responses={401: ERRORS[401], 404: ERRORS[404]},
            openapi_extra={"security": [{}]})
def list_services(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    site: Annotated[str | None, Query(max_length=32, description="Site code when no kiosk "
                                      "token is sent; default: the first site.")] = None,
) -> list[ServiceOut]:
    """The catalogue: with a kiosk token, that kiosk's site; otherwise ``?site=`` or the
    default site. Includes opening hours, waiting counts and the estimated wait."""
    state = state_of(request)
    with state.db.read_session() as s:
        if creds is not None:
            _, the_site = authenticate(s, creds.credentials)
        else:
            stmt = sa.select(Site).order_by(Site.id).limit(1)
            if site is not None:
                stmt = sa.select(Site).where(Site.code == site)
            found = s.scalar(stmt)
            if found is None:
                raise HTTPException(404, f"no site {site!r}")
            the_site = found
        day = local_day(the_site)
        waiting = waiting_counts(s, the_site, day)
        issued = dict(s.execute(
            sa.select(Ticket.number_service_id, sa.func.count())
            .where(Ticket.site_id == the_site.id, Ticket.day == day)
            .group_by(Ticket.number_service_id)).all())
        calendar = CalendarOut.model_validate(the_site.calendar.upcoming(day).to_json())
        out = []
        for svc in s.scalars(sa.select(Service).where(
                Service.site_id == the_site.id, Service.active.is_(True))
                .order_by(Service.sort_order)):
            open_, _total = counters_for(s, svc.id)
            avg = average_service_minutes(s, state.settings, svc.id)
            n_wait = waiting.get(svc.id, 0)
            out.append(ServiceOut(
                code=svc.code, prefix=svc.prefix, name_vi=svc.name_vi, name_en=svc.name_en,
                counters=[c.number for c in svc.counters], opens_at=svc.opens_at,
                closes_at=svc.closes_at, open_now=is_open_now(the_site, svc),
                daily_cap=svc.daily_cap, issued_today=issued.get(svc.id, 0), waiting=n_wait,
                open_counters=open_,
                average_service_min=round(avg, 1) if avg is not None else None,
                estimated_wait_min=estimate_wait_minutes(s, state.settings, svc.id, n_wait),
                timezone=the_site.timezone, calendar=calendar,
            ))
        return out


@router.post("/tickets", response_model=TicketOut, status_code=201, tags=["kiosk"],
             responses={200: {"model": TicketOut, "description": "Already stored (same id)"},
                        **ERRORS})
async def issue_ticket(body: TicketIn, request: Request,
                       token: Annotated[str, Depends(kiosk_token)]) -> TicketOut:
    """Issue a ticket (201), or return the ticket already stored under this id (200)."""
    state = state_of(request)
    base = state.public_base(request)
    if body.number is None:
        out, created = await state.issuer.run((token, body, base))
    else:
        out, created = await run_in_threadpool(store_one, state, token, body, base)
    # Serialized as the lean path does (server/hotpath.py): the model was just built from
    # stored data, so it is not validated a second time on the way out.
    return Response(out.model_dump_json(), media_type="application/json",  # type: ignore[return-value]
                    status_code=201 if created else 200)


@router.post("/tickets/batch", response_model=BatchOut, tags=["kiosk"], responses=ERRORS)
def upload_batch(body: BatchIn, request: Request,
                 token: Annotated[str, Depends(kiosk_token)]) -> BatchOut:
    """Upload tickets issued offline (or queued in the kiosk's outbox), idempotent by id.

    Each ticket gets its own result, in the order sent; a rejected one does not stop the
    others. Offline tickets join the queue at their ``issued_at``. ``rejected`` is a
    refusal for good (``reason`` says why, e.g. ``bad_number``); ``retry`` is temporary.
    """
    state = state_of(request)
    if len(body.tickets) > state.settings.max_batch_size:
        raise HTTPException(413, f"at most {state.settings.max_batch_size} tickets per batch")
    return store_batch(state, token, body.tickets, state.public_base(request))


@router.get("/tickets/{ticket_id}", response_model=TicketOut, tags=["kiosk"],
            responses=ERRORS)
def get_ticket(ticket_id: uuid.UUID, request: Request,
               token: Annotated[str, Depends(kiosk_token)]) -> TicketOut:
    state = state_of(request)
    with state.db.read_session() as s:
        kiosk, site = authenticate(s, token)
        ticket = s.get(Ticket, str(ticket_id))
        if ticket is None or ticket.site_id != site.id:
            raise HTTPException(404, "no such ticket at this site")
        return ticket_out(s, state, state.public_base(request), ticket, site)


@router.post("/tickets/{ticket_id}/cancel", response_model=TicketOut, tags=["kiosk"],
             responses=ERRORS)
def cancel_ticket(ticket_id: uuid.UUID, request: Request,
                  token: Annotated[str, Depends(kiosk_token)]) -> TicketOut:
    """Cancel a waiting ticket (again: no change). Called or finished tickets: 409."""
    state = state_of(request)
    with state.db.session() as s:
        kiosk, site = authenticate(s, token)
        ticket = cancel_open_ticket(s, site, kiosk, str(ticket_id))
        return ticket_out(s, state, state.public_base(request), ticket, site)


@router.post("/tickets/{ticket_id}/withdraw", response_model=WithdrawOut, tags=["kiosk"],
             responses=ERRORS)
def withdraw(ticket_id: uuid.UUID, request: Request,
             token: Annotated[str, Depends(kiosk_token)],
             body: WithdrawIn | None = None) -> WithdrawOut:
    """The kiosk stopped waiting for the answer to this ticket id and gave the citizen a
    leased number under another id: cancel the ticket if it is waiting, or reserve the id
    so the late request is refused (409, reason ``withdrawn``). Always 200 with what was
    found (``outcome``); again: the same answer."""
    state = state_of(request)
    reason = (body or WithdrawIn()).reason
    for attempt in range(2):
        try:
            with state.db.session() as s:
                kiosk, site = authenticate(s, token)
                outcome, ticket = withdraw_ticket(s, site, kiosk, str(ticket_id), reason)
                return WithdrawOut(id=str(ticket_id), outcome=outcome,
                                   number=ticket.number if ticket is not None else None)
        except IntegrityError:  # the same id withdrawn at the same moment: read it back
            if attempt:
                raise
    raise AssertionError("unreachable")


@router.post("/leases", response_model=LeaseOut, status_code=201, tags=["kiosk"],
             responses=ERRORS)
def lease(body: LeaseIn, request: Request,
          token: Annotated[str, Depends(kiosk_token)]) -> LeaseOut:
    """Reserve a block of today's numbers of a service for issuing while offline."""
    state = state_of(request)
    with state.db.session() as s:
        kiosk, site = authenticate(s, token)
        lease_, service = lease_numbers(s, state.settings, site, kiosk, body.service,
                                          body.size)
        _, end = day_bounds_utc(site, lease_.day)
        return LeaseOut(
            id=lease_.id, service=service.code, prefix=service.prefix, site=site.code,
            day=lease_.day, first_seq=lease_.first_seq, last_seq=lease_.last_seq,
            first_number=number_of(state.settings, service, lease_.first_seq),
            last_number=number_of(state.settings, service, lease_.last_seq),
            number_pattern=state.settings.number_pattern, valid_until=iso(end),
        )


@router.get("/citizens/{citizen_id}/tickets/today", response_model=CitizenTicketsOut,
            tags=["kiosk"], responses=ERRORS)
def citizen_tickets_today(
    citizen_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")],
    request: Request, token: Annotated[str, Depends(kiosk_token)],
) -> CitizenTicketsOut:
    """The citizen's open (waiting, called, serving) tickets today at the kiosk's site."""
    state = state_of(request)
    with state.db.read_session() as s:
        _, site = authenticate(s, token)
        tickets = citizen_open_tickets(s, site, citizen_id)
        base = state.public_base(request)
        outs = [ticket_out(s, state, base, t, site) for t in tickets]
        return CitizenTicketsOut(citizen_id=citizen_id, day=local_day(site),
                                 open_count=len(outs), tickets=outs)


# --------------------------------------------------------------------------- public board


@router.get("/sites/{site_code}/board", tags=["public"], responses={404: ERRORS[404]})
def board(site_code: Annotated[str, Path(max_length=32)], request: Request) -> dict:
    """What the display board shows (the page's live feed sends the same object)."""
    state = state_of(request)
    with state.db.read_session() as s:
        site = s.scalar(sa.select(Site).where(Site.code == site_code))
        if site is None:
            raise HTTPException(404, f"no site {site_code!r}")
        return board_state(s, state.settings, site)

