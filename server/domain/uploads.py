"""Offline uploads: a batch of tickets a kiosk issued from its leases, checked in bulk."""

from __future__ import annotations

import collections
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.clock import CLOCK_SKEW, local_day, to_utc_naive
from server.domain.issuing import (
    FUTURE_TIME,
    ID_ELSEWHERE,
    NOT_LEASED,
    NUMBER_TAKEN,
    issue_ticket,
)
from server.domain.numbering import bump_sequences, number_of, seq_of
from server.domain.records import NewTicket, TicketRequest, UploadResult
from server.domain.refs import KioskRef, ServiceRef, SiteRef, find_service
from server.domain.storage import (
    INSERT_EVENTS,
    chunks,
    issued_event,
    reused_id,
    same_request,
    stored_tickets,
)
from server.errors import Invalid, QueueError
from server.models import Kiosk, Lease, Site, Ticket, utcnow
from ticketing.numbers import emergency_slot, emergency_slot_of
from ticketing.status import TicketStatus

#: timeline detail of a ticket the kiosk numbered in its emergency slot (server unreachable,
#: no leased number left): staff see it as such
EMERGENCY = "emergency"


def upload_tickets(
    session: Session,
    settings: QueueServerSettings,
    site: Site | SiteRef,
    kiosk: Kiosk | KioskRef,
    reqs: list[TicketRequest],
    *,
    now: dt.datetime | None = None,
    kiosk_slot: int | None = None,
) -> list[UploadResult]:
    """Store a batch of tickets (idempotent by id), one result per request, in order.

    Offline tickets (with a number) are checked in bulk: a few queries for the stored ids,
    the kiosk's leases and the numbers already used, then one multi-row insert. Tickets
    without a number are numbered one by one, like online issuing. The caller retries the
    batch one ticket at a time if a concurrent upload makes the bulk insert conflict.

    A number of the emergency series (``ticketing.numbers``) needs no lease: it is accepted
    when it lies in ``kiosk_slot``, the slot of the uploading kiosk's token, and its
    timeline event says "emergency".
    """
    now = now or utcnow()
    ids = [str(r.id) for r in reqs]
    stored = stored_tickets(session, ids)
    results: list[UploadResult | None] = [None] * len(reqs)
    pending: list[tuple[int, TicketRequest, ServiceRef, dt.datetime, dt.date, int]] = []
    seen_ids: dict[str, int] = {}
    for i, req in enumerate(reqs):
        tid = ids[i]
        if tid in stored:
            t = stored[tid]
            if t.site_id != site.id:
                results[i] = UploadResult("rejected", 409, error="this ticket id is already "
                                          "used at another site", reason=ID_ELSEWHERE)
            elif not same_request(session, t, req):
                refusal = reused_id()
                results[i] = UploadResult("rejected", 409, error=refusal.message,
                                          reason=refusal.reason)
            else:
                results[i] = UploadResult("existing", 200, t)
            continue
        if tid in seen_ids:
            results[i] = UploadResult("rejected", 409, error="the same id appears twice in "
                                      "this batch", reason="duplicate_id")
            continue
        seen_ids[tid] = i
        try:
            if req.number is None:
                with session.begin_nested():
                    ticket, created = issue_ticket(session, settings, site, kiosk, req,
                                                   now=now)
                results[i] = UploadResult("created" if created else "existing",
                                          201 if created else 200, ticket)
                continue
            service = find_service(session, site, req.service)
            issued_at = to_utc_naive(req.issued_at) if req.issued_at else now
            if issued_at > now + CLOCK_SKEW:
                raise Invalid("issued_at is in the future; check the kiosk's clock",
                              reason=FUTURE_TIME)
            seq = seq_of(settings, service, req.number)
            pending.append((i, req, service, issued_at, local_day(site, issued_at), seq))
        except QueueError as exc:
            results[i] = UploadResult("rejected", exc.status, error=exc.message,
                                      reason=exc.reason)
    if pending:
        groups = {(p[2].id, p[4]) for p in pending}
        leases: dict[tuple[int, dt.date], list[tuple[int, int]]] = {}
        taken: set[tuple[int, dt.date, int]] = set()
        for service_id, day in groups:
            seqs = [p[5] for p in pending if p[2].id == service_id and p[4] == day]
            leases[(service_id, day)] = [tuple(r) for r in session.execute(
                sa.select(Lease.first_seq, Lease.last_seq).where(
                    Lease.kiosk_id == kiosk.id, Lease.service_id == service_id,
                    Lease.day == day))]
            taken.update((service_id, day, s) for s in session.scalars(
                sa.select(Ticket.seq).where(
                    Ticket.number_service_id == service_id, Ticket.day == day,
                    Ticket.seq >= min(seqs), Ticket.seq <= max(seqs))))
        rows = []
        emergency_ids: set[str] = set()
        for i, req, service, issued_at, day, seq in pending:
            number = number_of(settings, service, seq)
            slot = emergency_slot_of(seq)
            emergency = slot is not None and slot == kiosk_slot
            if not emergency and not any(a <= seq <= b for a, b in leases[(service.id, day)]):
                results[i] = UploadResult("rejected", 409, error=f"number {number} of {day} "
                                          "is not in a lease of this kiosk", reason=NOT_LEASED)
                continue
            if (service.id, day, seq) in taken:
                results[i] = UploadResult("rejected", 409, error=f"number {number} of {day} "
                                          "is already used by another ticket", reason=NUMBER_TAKEN)
                continue
            taken.add((service.id, day, seq))
            values = dict(
                id=ids[i], site_id=site.id, service_id=service.id,
                number_service_id=service.id, day=day, seq=seq, number=number,
                priority=bool(req.priority), citizen_id=req.citizen_id, kiosk_id=kiosk.id,
                offline=True, status=TicketStatus.WAITING, issued_at=issued_at, queue_at=issued_at,
                received_at=now, recalls=0,
            )
            rows.append(values)
            if emergency:
                emergency_ids.add(ids[i])
            results[i] = UploadResult("created", 201, NewTicket(**values))
        for chunk in chunks(rows):
            session.execute(sa.insert(Ticket), chunk)
            session.execute(INSERT_EVENTS, [
                issued_event(row, EMERGENCY if row["id"] in emergency_ids else "offline")
                for row in chunk])
        joined = collections.Counter((row["service_id"], row["day"]) for row in rows)
        bump_sequences(session, {key: (0, n) for key, n in joined.items()})
    return [r for r in results if r is not None]



def kiosk_emergency_slot(token: str) -> int:
    """The emergency slot of the kiosk holding ``token`` (the same the kiosk computes)."""
    return emergency_slot(token)
