"""The versioned JSON API (``/api/v1``): kiosk endpoints (bearer token), staff endpoints
(session cookie and role), and public reads for the display board."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import queue as q
from server.app import API_VERSION, ServerState
from server.models import (
    ROLE_MANAGER,
    ROLE_STAFF,
    ROLES,
    Counter,
    Service,
    Site,
    Ticket,
    User,
)
from server.reports import report_csv, report_rows
from server.security import kiosk_for_token, verify_password

bearer = HTTPBearer(auto_error=False, description="Kiosk token from `queue-server kiosk add`")

CitizenId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
                                 description="Opaque id the kiosk uses for a citizen (never "
                                 "an id-card number); printable ASCII, no spaces.")]
ServiceCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class Problem(BaseModel):
    detail: str


class ValidationProblem(BaseModel):
    detail: str = Field(description="Every problem on one line: 'body.service: ...'.")
    errors: list[dict[str, Any]] = Field(default_factory=list)


router = APIRouter(prefix="/api/v1", responses={
    400: {"model": Problem, "description": "Malformed request body"},
    422: {"model": ValidationProblem, "description": "Invalid request"}})


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or unknown kiosk token"},
    404: {"model": Problem, "description": "Not found"},
    409: {"model": Problem, "description": "Refused by the queue's rules"},
    413: {"model": Problem, "description": "Request too large"},
}


# --------------------------------------------------------------------------- schemas


class TicketIn(BaseModel):
    """A ticket from a kiosk. ``id`` is the idempotency key."""

    id: uuid.UUID = Field(description="UUID chosen by the kiosk; sending it again is safe.")
    service: ServiceCode = Field(description="Service code, e.g. 'HT'.")
    priority: bool = Field(False, description="Elderly, disabled, pregnant, people of merit.")
    citizen_id: CitizenId | None = None
    issued_at: dt.datetime | None = Field(
        None, description="When the kiosk issued it (ISO 8601; without offset: UTC). Used "
        "for offline tickets, which join the queue at this time.")
    number: Annotated[int, Field(ge=1, le=999_999)] | Annotated[
        str, Field(min_length=1, max_length=16)] | None = Field(
        None, description="For tickets issued offline from a lease: the leased sequence "
        "(int) or the printed number ('A012'). Omit to have the server number it.")


class TicketOut(BaseModel):
    id: str
    number: str
    seq: int
    service: str
    prefix: str
    service_name_vi: str
    service_name_en: str
    site: str
    day: dt.date
    priority: bool
    citizen_id: str | None
    status: Literal["waiting", "called", "serving", "done", "no_show", "cancelled"]
    offline: bool
    issued_at: dt.datetime
    called_at: dt.datetime | None
    serving_at: dt.datetime | None
    done_at: dt.datetime | None
    no_show_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    counter: int | None = Field(description="Number of the counter it is called to.")
    counter_name: str | None
    recalls: int
    transferred_from: str | None
    people_ahead: int
    estimated_wait_min: int
    survey_url: str


class ServiceOut(BaseModel):
    code: str
    prefix: str
    name_vi: str
    name_en: str
    counters: list[int]
    opens_at: str
    closes_at: str
    open_now: bool
    daily_cap: int | None
    issued_today: int
    waiting: int
    open_counters: int
    average_service_min: float
    estimated_wait_min: int


class LeaseIn(BaseModel):
    service: ServiceCode
    size: int | None = Field(None, ge=1, le=100_000, description="Default: lease_block_size.")


class LeaseOut(BaseModel):
    id: int
    service: str
    prefix: str
    site: str
    day: dt.date
    first_seq: int
    last_seq: int
    first_number: str
    last_number: str
    number_pattern: str = Field(description="Python format string; fields prefix, seq.")
    valid_until: dt.datetime = Field(description="The site's next local midnight (UTC).")


class BatchIn(BaseModel):
    tickets: list[TicketIn] = Field(max_length=100_000)


class BatchItem(BaseModel):
    id: str
    result: Literal["created", "existing", "rejected"]
    status_code: int
    error: str | None = None
    ticket: TicketOut | None = None


class BatchOut(BaseModel):
    created: int
    existing: int
    rejected: int
    results: list[BatchItem]


class CitizenTicketsOut(BaseModel):
    citizen_id: str
    day: dt.date
    open_count: int
    tickets: list[TicketOut]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    site: str | None


class CallNumberIn(BaseModel):
    number: str = Field(min_length=1, max_length=16)


class TransferIn(BaseModel):
    service: ServiceCode


class CounterOut(BaseModel):
    id: int
    number: int
    name: str
    is_open: bool
    services: list[str]
    current: TicketOut | None
    waiting: list[TicketOut]


class HealthOut(BaseModel):
    status: str
    version: str
    database: str


# --------------------------------------------------------------------------- helpers


def state_of(request: Request) -> ServerState:
    return request.app.state.qs


async def kiosk_token(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    # async: a plain function would be run in the thread pool, one hop per request.
    if creds is None or not creds.credentials:
        raise HTTPException(401, "kiosk token required: Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    return creds.credentials


_kiosks = q.TTLCache()


def authenticate(session: Session, token: str) -> tuple[q.KioskRef, q.SiteRef]:
    """The kiosk of a bearer token and its site (cached for a few seconds per process, so a
    disabled kiosk is refused within that time)."""
    key = (q.bind_key(session), token)
    hit = _kiosks.get(key)
    if isinstance(hit, tuple):
        return hit
    kiosk = kiosk_for_token(session, token)
    if kiosk is None:
        raise HTTPException(401, "unknown or disabled kiosk token",
                            headers={"WWW-Authenticate": "Bearer"})
    site = session.get(Site, kiosk.site_id)
    assert site is not None
    result = (q.KioskRef(kiosk.id, kiosk.site_id, kiosk.name),
              q.SiteRef(site.id, site.code, site.name, site.timezone))
    _kiosks.put(key, result)
    return result


def iso(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None else None


def ticket_out(session: Session, state: ServerState, base: str, ticket: Ticket,
               site: Site | q.SiteRef, *, estimate: bool = True) -> TicketOut:
    service = q.service_by_id(session, ticket.service_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    ahead = q.people_ahead(session, ticket) if estimate else 0
    wait = q.estimate_wait_minutes(session, state.settings, service.id, ahead) if estimate else 0
    from_service = (q.service_by_id(session, ticket.transferred_from_id)
                    if ticket.transferred_from_id else None)
    return TicketOut(
        id=ticket.id, number=ticket.number, seq=ticket.seq, service=service.code,
        prefix=service.prefix, service_name_vi=service.name_vi, service_name_en=service.name_en,
        site=site.code, day=ticket.day, priority=ticket.priority, citizen_id=ticket.citizen_id,
        status=ticket.status, offline=ticket.offline, issued_at=iso(ticket.issued_at),
        called_at=iso(ticket.called_at), serving_at=iso(ticket.serving_at),
        done_at=iso(ticket.done_at), no_show_at=iso(ticket.no_show_at),
        cancelled_at=iso(ticket.cancelled_at), counter=counter.number if counter else None,
        counter_name=counter.name if counter else None, recalls=ticket.recalls,
        transferred_from=from_service.code if from_service else None,
        people_ahead=ahead, estimated_wait_min=wait,
        survey_url=f"{base}/s/{state.signer.survey_token(ticket.id)}",
    )


def to_request(t: TicketIn) -> q.TicketRequest:
    return q.TicketRequest(id=t.id, service=t.service, priority=t.priority,
                           citizen_id=t.citizen_id, issued_at=t.issued_at, number=t.number)


def batch_item(s: Session, state: ServerState, base: str, site: q.SiteRef, tid: str,
               r: q.UploadResult) -> BatchItem:
    ticket = (ticket_out(s, state, base, r.ticket, site, estimate=False)
              if r.ticket is not None and r.result != "rejected" else None)
    return BatchItem(id=tid, result=r.result, status_code=r.status,  # type: ignore[arg-type]
                     error=r.error, ticket=ticket)


def store_one(state: ServerState, token: str, t: TicketIn, base: str, *,
              estimate: bool = True) -> tuple[TicketOut, bool]:
    """Issue one ticket in its own transaction; a concurrent duplicate id is resolved to
    the stored ticket."""
    try:
        with state.db.session() as s:
            kiosk, site = authenticate(s, token)
            ticket, created = q.issue_ticket(s, state.settings, site, kiosk, to_request(t))
            return ticket_out(s, state, base, ticket, site, estimate=estimate), created
    except (IntegrityError, q.IdsTaken):
        pass
    # Another request stored the same id (or number) at the same moment.
    with state.db.read_session() as s:
        kiosk, site = authenticate(s, token)
        ticket = q.get_existing(s, kiosk, t.id)
        if ticket is None:
            raise q.QueueError("the ticket's number was taken at the same moment; retry", 409)
        return ticket_out(s, state, base, ticket, site, estimate=estimate), False


OnlineItem = tuple[str, TicketIn, str]  # (kiosk token, ticket, public base URL)


def store_online(state: ServerState, items: list[OnlineItem]
                 ) -> list[tuple[TicketOut, bool] | Exception]:
    """Issue tickets numbered online, from any kiosks, in one transaction (the
    :class:`~server.batching.Batcher` of ``POST /tickets`` calls this with every request
    waiting at that moment). One result per item: ``(ticket, created)`` or the error that
    refused that item alone."""
    results: list[tuple[TicketOut, bool] | Exception | None] = [None] * len(items)
    issued: list[tuple[int, q.SiteRef, tuple[Ticket, bool] | q.QueueError]] = []
    precheck = False  # usually no id was stored before: skip looking (one statement less)
    while True:
        try:
            with state.db.session() as s:
                accepted: list[tuple[int, q.SiteRef, q.KioskRef, q.TicketRequest]] = []
                for i, (token, t, _base) in enumerate(items):
                    try:
                        kiosk, site = authenticate(s, token)
                    except HTTPException as exc:
                        results[i] = exc
                        continue
                    accepted.append((i, site, kiosk, to_request(t)))
                done = q.issue_online(s, state.settings, [
                    (site, kiosk, req) for _, site, kiosk, req in accepted], precheck=precheck)
                issued = [(i, site, r)
                          for (i, site, _, _), r in zip(accepted, done, strict=True)]
            break
        except (q.IdsTaken, IntegrityError) as exc:
            if isinstance(exc, q.IdsTaken) and not precheck:
                precheck = True  # rolled back; again, answering the stored ones as stored
                continue
            # Another process stored one of these at the same moment: one by one instead.
            return [_store_one_result(state, token, t, base) for token, t, base in items]
    # Built after the commit: the numbers' row locks are not held while responses are made.
    with state.db.read_session() as s:
        for i, site, r in issued:
            results[i] = r if isinstance(r, q.QueueError) else (
                ticket_out(s, state, items[i][2], r[0], site), r[1])
    return [r for r in results if r is not None]


def _store_one_result(state: ServerState, token: str, t: TicketIn, base: str
                      ) -> tuple[TicketOut, bool] | Exception:
    try:
        return store_one(state, token, t, base)
    except (q.QueueError, HTTPException) as exc:
        return exc


# --------------------------------------------------------------------------- kiosk API


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
        day = q.local_day(the_site)
        waiting = q.waiting_counts(s, the_site, day)
        issued = dict(s.execute(
            sa.select(Ticket.number_service_id, sa.func.count())
            .where(Ticket.site_id == the_site.id, Ticket.day == day)
            .group_by(Ticket.number_service_id)).all())
        out = []
        for svc in s.scalars(sa.select(Service).where(
                Service.site_id == the_site.id, Service.active.is_(True))
                .order_by(Service.sort_order)):
            open_, _total = q.counters_for(s, svc.id)
            avg = q.average_service_minutes(s, state.settings, svc.id)
            n_wait = waiting.get(svc.id, 0)
            out.append(ServiceOut(
                code=svc.code, prefix=svc.prefix, name_vi=svc.name_vi, name_en=svc.name_en,
                counters=[c.number for c in svc.counters], opens_at=svc.opens_at,
                closes_at=svc.closes_at, open_now=q.is_open_now(the_site, svc),
                daily_cap=svc.daily_cap, issued_today=issued.get(svc.id, 0), waiting=n_wait,
                open_counters=open_, average_service_min=round(avg, 1),
                estimated_wait_min=q.estimate_wait_minutes(s, state.settings, svc.id, n_wait),
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
    others. Offline tickets join the queue at their ``issued_at``.
    """
    state = state_of(request)
    if len(body.tickets) > state.settings.max_batch_size:
        raise HTTPException(413, f"at most {state.settings.max_batch_size} tickets per batch")
    base = state.public_base(request)
    reqs = [to_request(t) for t in body.tickets]
    try:
        with state.db.session() as s:
            kiosk, site = authenticate(s, token)
            done = q.upload_tickets(s, state.settings, site, kiosk, reqs)
            results = [batch_item(s, state, base, site, str(t.id), r)
                       for t, r in zip(body.tickets, done, strict=True)]
    except (IntegrityError, q.IdsTaken):
        # A concurrent upload stored some of these at the same moment: one by one instead.
        results = []
        for t in body.tickets:
            try:
                out, created = store_one(state, token, t, base, estimate=False)
                results.append(BatchItem(id=str(t.id), result="created" if created
                                         else "existing", status_code=201 if created else 200,
                                         ticket=out))
            except q.QueueError as exc:
                results.append(BatchItem(id=str(t.id), result="rejected",
                                         status_code=exc.status, error=exc.message))
    items = results
    return BatchOut(
        created=sum(r.result == "created" for r in items),
        existing=sum(r.result == "existing" for r in items),
        rejected=sum(r.result == "rejected" for r in items),
        results=items,
    )


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
        ticket = q.cancel_ticket(s, site, kiosk, str(ticket_id))
        return ticket_out(s, state, state.public_base(request), ticket, site)


@router.post("/leases", response_model=LeaseOut, status_code=201, tags=["kiosk"],
             responses=ERRORS)
def lease(body: LeaseIn, request: Request,
          token: Annotated[str, Depends(kiosk_token)]) -> LeaseOut:
    """Reserve a block of today's numbers of a service for issuing while offline."""
    state = state_of(request)
    with state.db.session() as s:
        kiosk, site = authenticate(s, token)
        lease_, service = q.lease_numbers(s, state.settings, site, kiosk, body.service,
                                          body.size)
        _, end = q.day_bounds_utc(site, lease_.day)
        return LeaseOut(
            id=lease_.id, service=service.code, prefix=service.prefix, site=site.code,
            day=lease_.day, first_seq=lease_.first_seq, last_seq=lease_.last_seq,
            first_number=q.format_number(state.settings, service, lease_.first_seq),
            last_number=q.format_number(state.settings, service, lease_.last_seq),
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
        tickets = q.citizen_open_tickets(s, site, citizen_id)
        base = state.public_base(request)
        outs = [ticket_out(s, state, base, t, site) for t in tickets]
        return CitizenTicketsOut(citizen_id=citizen_id, day=q.local_day(site),
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
        return q.board_state(s, state.settings, site)


# --------------------------------------------------------------------------- staff API

SESSION_COOKIE = "qs_session"


def current_user(request: Request) -> User:
    state = state_of(request)
    uid = state.signer.user_id_from_cookie(request.cookies.get(SESSION_COOKIE))
    if uid is None:
        raise HTTPException(401, "log in first")
    with state.db.read_session() as s:
        user = s.get(User, uid)
        if user is None or not user.active:
            raise HTTPException(401, "log in first")
        s.expunge(user)
        return user


def require_role(minimum: str):  # type: ignore[no-untyped-def]
    rank = ROLES.index(minimum)

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if ROLES.index(user.role) < rank:
            raise HTTPException(403, f"this needs the {minimum} role")
        return user

    return check


Staff = Annotated[User, Depends(require_role(ROLE_STAFF))]
Manager = Annotated[User, Depends(require_role(ROLE_MANAGER))]


def user_out(s: Session, user: User) -> UserOut:
    site = s.get(Site, user.site_id) if user.site_id else None
    return UserOut(id=user.id, username=user.username, full_name=user.full_name,
                   role=user.role, site=site.code if site else None)


@router.post("/auth/login", response_model=UserOut, tags=["staff"],
             responses={401: ERRORS[401]})
def login(body: LoginIn, request: Request, response: Response) -> UserOut:
    """Staff log-in: sets the signed session cookie used by the staff endpoints."""
    state = state_of(request)
    with state.db.session() as s:
        user = s.scalar(sa.select(User).where(User.username == body.username))
        if user is None or not user.active or not verify_password(user, body.password):
            raise HTTPException(401, "wrong username or password")
        q.audit(s, user, "login", site_id=user.site_id)
        response.set_cookie(SESSION_COOKIE, state.signer.session_cookie(user.id),
                            max_age=state.signer.session_seconds, httponly=True,
                            samesite="lax")
        return user_out(s, user)


@router.post("/auth/logout", tags=["staff"])
def logout(response: Response) -> dict:
    response.delete_cookie(SESSION_COOKIE)
    return {"detail": "logged out"}


@router.get("/me", response_model=UserOut, tags=["staff"], responses={401: ERRORS[401]})
def me(user: Staff, request: Request) -> UserOut:
    with state_of(request).db.read_session() as s:
        return user_out(s, user)


def counter_out(s: Session, state: ServerState, base: str, counter: Counter) -> CounterOut:
    site = s.get(Site, counter.site_id)
    assert site is not None
    current = q.current_ticket(s, counter)
    return CounterOut(
        id=counter.id, number=counter.number, name=counter.name, is_open=counter.is_open,
        services=[x.code for x in counter.services if x.active],
        current=ticket_out(s, state, base, current, site, estimate=False) if current else None,
        waiting=[ticket_out(s, state, base, t, site, estimate=False)
                 for t in q.counter_queue(s, counter, 30)],
    )


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
        counter = q.get_counter(s, user, counter_id)
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
        counter = q.get_counter(s, user, counter_id)
        return counter_out(s, state, state.public_base(request), counter)


def perform(state: ServerState, user: User, counter_id: int, action: str,
            arg: str | None = None) -> Ticket | None:
    """Run one counter action in its own transaction (shared by the API and the console)."""
    settings = state.settings
    with state.db.session() as s:
        if action == "call-next":
            return q.call_next(s, settings, user, counter_id)
        if action == "call":
            return q.call_number(s, user, counter_id, arg or "")
        if action == "recall":
            return q.recall(s, settings, user, counter_id)
        if action == "start":
            return q.start(s, user, counter_id)
        if action == "complete":
            return q.complete(s, user, counter_id)
        if action == "no-show":
            return q.no_show(s, user, counter_id)
        if action == "transfer":
            return q.transfer(s, user, counter_id, arg or "")
        if action in ("open", "close"):
            q.set_counter_open(s, user, counter_id, action == "open")
            return None
    raise HTTPException(404, f"unknown action {action!r}")


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
                site: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    state = state_of(request)
    with state.db.read_session() as s:
        the_site, start, end = report_scope(s, user, site, date_from, date_to)
        text = report_csv(report_rows(s, the_site, start, end))
    name = f"report-{the_site.code}-{start}-{end}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def report_scope(s: Session, user: User, site_code: str | None, date_from: dt.date | None,
                 date_to: dt.date | None) -> tuple[Site, dt.date, dt.date]:
    if user.site_id is not None:
        site = s.get(Site, user.site_id)
        if site_code is not None and site is not None and site.code != site_code:
            raise HTTPException(403, "you can read the reports of your own site only")
    elif site_code is not None:
        site = s.scalar(sa.select(Site).where(Site.code == site_code))
    else:
        site = s.scalar(sa.select(Site).order_by(Site.id).limit(1))
    if site is None:
        raise HTTPException(404, "no such site")
    today = q.local_day(site)
    end = date_to or today
    start = date_from or end
    if start > end:
        raise HTTPException(422, "'from' is after 'to'")
    if (end - start).days > 366:
        raise HTTPException(422, "at most 366 days per report")
    return site, start, end
