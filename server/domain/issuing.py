"""Issuing: numbering and storing tickets online (the hot path, many at once) and storing
one ticket a kiosk issued offline from a lease."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.clock import CLOCK_SKEW, closed_reason, local_day, to_utc_naive
from server.domain.numbering import bump_sequences, number_of, queue_changed, seq_of
from server.domain.records import NewTicket, TicketRequest
from server.domain.refs import KioskRef, ServiceRef, SiteRef, find_service
from server.domain.storage import (
    INSERT_EVENTS,
    IdsTaken,
    get_existing,
    insert_new_tickets,
    issued_event,
    lock_ids,
    reused_id,
    same_request,
    stored_tickets,
    withdrawn_ids,
)
from server.errors import Invalid, QueueError
from server.models import Kiosk, Lease, Site, Ticket, utcnow
from ticketing.numbers import emergency_slot_of
from ticketing.status import TicketStatus

# ``QueueError.reason`` codes of an offline ticket refused for good (see docs/server-api.md).
NOT_LEASED = "not_leased"
NUMBER_TAKEN = "number_taken"
FUTURE_TIME = "future_time"
ID_ELSEWHERE = "id_elsewhere"
#: an online request whose id its kiosk withdrew (it timed out waiting and gave the citizen
#: a leased number instead): refused, so nobody's number waits in the queue
WITHDRAWN = "withdrawn"


def issue_online(
    session: Session,
    settings: QueueServerSettings,
    items: list[tuple[Site | SiteRef, Kiosk | KioskRef, TicketRequest]],
    *,
    now: dt.datetime | None = None,
    precheck: bool = True,
) -> list[tuple[Ticket | NewTicket, bool] | QueueError]:
    """Number and store tickets issued online, many at once; one result per item, in order:
    ``(ticket, created)`` or the :class:`QueueError` that refused that item alone.

    This is the hot path of issuing. Requests of several kiosks that arrive together share
    one transaction and, however many tickets, three statements on PostgreSQL: the ids'
    advisory locks (:func:`lock_ids`, against a withdrawal of one of them at the same
    moment), the numbers and queue lengths of every (service, day) at once
    (:func:`bump_sequences`), then the tickets with their events
    (:func:`insert_new_tickets`). Within a group numbers follow the order of ``items``.
    With ``precheck`` (the default) ids already stored are looked up first and answered as
    such (ids their kiosk withdrew are refused, ``WITHDRAWN``); without it the caller bets
    that none is, and gets :class:`IdsTaken` (roll back, retry with the precheck) when one
    was (the insert skips withdrawn ids too).
    """
    now = now or utcnow()
    ids = [str(req.id) for _, _, req in items]
    lock_ids(session, ids)  # before any row lock: a withdrawal of one of them waits, or we do
    results: list[tuple[Ticket | NewTicket, bool] | QueueError | None] = [None] * len(items)
    stored = stored_tickets(session, ids) if precheck else {}
    withdrawn = withdrawn_ids(session, ids) if precheck else set()
    groups: dict[tuple[int, dt.date], list[int]] = {}
    services: dict[int, ServiceRef] = {}
    first_of: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for i, (site, kiosk, req) in enumerate(items):
        tid = ids[i]
        if tid in stored:
            t = stored[tid]
            results[i] = QueueError(
                "this ticket id is already used at another site", 409, reason=ID_ELSEWHERE
            ) if t.site_id != kiosk.site_id else (t, False) if same_request(
                session, t, req) else reused_id()
            continue
        if tid in withdrawn:
            results[i] = QueueError("this ticket id was withdrawn by its kiosk (it stopped "
                                    "waiting for the answer)", 409, reason=WITHDRAWN)
            continue
        if tid in first_of:  # the same id twice at once: a kiosk retrying quickly
            repeats[i] = first_of[tid]
            continue
        first_of[tid] = i
        try:
            if req.number is not None:
                raise Invalid("a ticket with a number is an offline ticket; upload it")
            service = find_service(session, site, req.service)
            closed = closed_reason(site, service, now) if settings.enforce_open_hours \
                else None
            if closed is not None:
                raise QueueError(closed, 409, reason="closed")
        except QueueError as exc:
            results[i] = exc
            continue
        services[service.id] = service
        groups.setdefault((service.id, local_day(site, now)), []).append(i)
    # Numbers and queue lengths of every group in one statement; everyone waiting before
    # the group joined is ahead of its first ticket.
    after = bump_sequences(session, {key: (len(members), len(members))
                                     for key, members in groups.items()})
    rows = []
    for (service_id, day), members in sorted(groups.items()):
        service = services[service_id]
        last, waiting = after[(service_id, day)]
        first = last - len(members) + 1
        ahead = waiting - len(members)
        if service.daily_cap is not None and last > service.daily_cap:
            allowed = max(0, service.daily_cap - first + 1)
            refused = len(members) - allowed
            bump_sequences(session, {(service_id, day): (-refused, -refused)})  # give back
            for i in members[allowed:]:
                results[i] = QueueError(f"service {service.code} reached its daily cap of "
                                        f"{service.daily_cap} tickets", 409)
            members = members[:allowed]
        for n, i in enumerate(members):
            _site, kiosk, req = items[i]
            seq = first + n
            values = dict(
                id=ids[i], site_id=service.site_id, service_id=service_id,
                number_service_id=service_id, day=day, seq=seq,
                number=number_of(settings, service, seq), priority=bool(req.priority),
                citizen_id=req.citizen_id, kiosk_id=kiosk.id, offline=False,
                status=TicketStatus.WAITING,
                issued_at=now, queue_at=now, received_at=now, recalls=0,
            )
            rows.append(values)
            results[i] = (NewTicket(**values, ahead_at_issue=ahead + n), True)
    if rows and len(insert_new_tickets(session, rows)) < len(rows):
        raise IdsTaken  # nothing of this transaction may stay: the caller rolls back
    for i, j in repeats.items():
        first_result = results[j]
        if isinstance(first_result, tuple) and items[i][1].site_id != items[j][1].site_id:
            results[i] = QueueError("this ticket id is already used at another site", 409,
                                    reason=ID_ELSEWHERE)
        else:
            results[i] = (first_result[0], False) if isinstance(first_result, tuple) else (
                first_result)
    return [r for r in results if r is not None]


def issue_ticket(
    session: Session,
    settings: QueueServerSettings,
    site: Site | SiteRef,
    kiosk: Kiosk | KioskRef,
    req: TicketRequest,
    *,
    now: dt.datetime | None = None,
    kiosk_slot: int | None = None,
) -> tuple[Ticket, bool]:
    """Store one ticket; return it and whether it was created (False: already stored).

    Without ``number`` the server numbers it now (online, :func:`issue_online`). With
    ``number`` it is a ticket the kiosk issued offline from one of its leases, for the
    local day of ``issued_at``; it joins the queue at its issue time.
    """
    now = now or utcnow()
    if req.number is None:
        result = issue_online(session, settings, [(site, kiosk, req)], now=now)[0]
        if isinstance(result, QueueError):
            raise result
        return result
    tid = str(req.id)
    stored_site = session.execute(
        sa.select(Ticket.site_id).where(Ticket.id == tid)).scalar_one_or_none()
    if stored_site is not None:
        existing = get_existing(session, kiosk, tid)
        assert existing is not None
        if not same_request(session, existing, req):
            raise reused_id()
        return existing, False
    service = find_service(session, site, req.service)
    issued_at = to_utc_naive(req.issued_at) if req.issued_at else now
    if issued_at > now + CLOCK_SKEW:
        raise Invalid("issued_at is in the future; check the kiosk's clock",
                      reason=FUTURE_TIME)
    day = local_day(site, issued_at)
    seq = seq_of(settings, service, req.number)
    lease = session.scalar(
        sa.select(Lease.id).where(
            Lease.kiosk_id == kiosk.id, Lease.service_id == service.id, Lease.day == day,
            Lease.first_seq <= seq, Lease.last_seq >= seq,
        ).limit(1)
    )
    emergency = kiosk_slot is not None and emergency_slot_of(seq) == kiosk_slot
    if lease is None and not emergency:
        raise QueueError(
            f"number {number_of(settings, service, seq)} of {day} is not in a lease "
            "of this kiosk", 409, reason=NOT_LEASED)
    taken = session.scalar(
        sa.select(Ticket.id).where(Ticket.number_service_id == service.id,
                                   Ticket.day == day, Ticket.seq == seq)
    )
    if taken is not None:
        raise QueueError(
            f"number {number_of(settings, service, seq)} of {day} is already used "
            "by another ticket", 409, reason=NUMBER_TAKEN)
    values = dict(
        id=tid, site_id=site.id, service_id=service.id, number_service_id=service.id,
        day=day, seq=seq, number=number_of(settings, service, seq),
        priority=bool(req.priority), citizen_id=req.citizen_id, kiosk_id=kiosk.id,
        offline=True, status=TicketStatus.WAITING, issued_at=issued_at, queue_at=issued_at,
        received_at=now, recalls=0,
    )
    session.execute(sa.insert(Ticket.__table__), values)
    session.execute(INSERT_EVENTS, issued_event(values, "emergency" if emergency else "offline"))
    queue_changed(session, service.id, day, +1)
    return NewTicket(**values), True


