"""Issuing as the kiosk API does it: authenticate, store (in group-committed batches for
``POST /tickets``), and answer with :class:`~server.schemas.TicketOut`."""

from __future__ import annotations

import datetime as dt

from fastapi.exceptions import HTTPException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth import authenticate
from server.domain.estimates import estimate_wait_minutes, people_ahead
from server.domain.issuing import issue_online, issue_ticket
from server.domain.records import NewTicket, TicketRequest, UploadResult
from server.domain.refs import KioskRef, SiteRef, service_by_id
from server.domain.storage import IdsTaken, get_existing
from server.domain.uploads import kiosk_emergency_slot, upload_tickets
from server.errors import QueueError
from server.models import Counter, Site, Ticket
from server.schemas import BatchItem, BatchOut, TicketIn, TicketOut
from server.state import ServerState

#: ``BatchItem.reason`` of a ticket that lost a race with another upload: send it again.
BUSY = "busy"

def iso(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None else None


def ticket_out(session: Session, state: ServerState, base: str, ticket: Ticket | NewTicket,
               site: Site | SiteRef, *, estimate: bool = True) -> TicketOut:
    service = service_by_id(session, ticket.service_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    ahead = people_ahead(session, ticket) if estimate else 0
    wait = estimate_wait_minutes(session, state.settings, service.id, ahead) if estimate else 0
    from_service = (service_by_id(session, ticket.transferred_from_id)
                    if ticket.transferred_from_id else None)
    token = state.signer.survey_token(ticket.id)  # one signed link: live ticket + rating
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
        survey_url=f"{base}/s/{token}", ticket_url=f"{base}/t/{token}",
    )


def to_request(t: TicketIn) -> TicketRequest:
    return TicketRequest(id=t.id, service=t.service, priority=t.priority,
                           citizen_id=t.citizen_id, issued_at=t.issued_at, number=t.number)


def batch_item(s: Session, state: ServerState, base: str, site: SiteRef, tid: str,
               r: UploadResult) -> BatchItem:
    ticket = (ticket_out(s, state, base, r.ticket, site, estimate=False)
              if r.ticket is not None and r.result != "rejected" else None)
    return BatchItem(id=tid, result=r.result, status_code=r.status,  # type: ignore[arg-type]
                     error=r.error, reason=r.reason, ticket=ticket)


def store_one(state: ServerState, token: str, t: TicketIn, base: str, *,
              estimate: bool = True) -> tuple[TicketOut, bool]:
    """Issue one ticket in its own transaction; a concurrent duplicate id is resolved to
    the stored ticket."""
    try:
        with state.db.session() as s:
            kiosk, site = authenticate(s, token)
            ticket, created = issue_ticket(s, state.settings, site, kiosk, to_request(t),
                                           kiosk_slot=kiosk_emergency_slot(token))
            told = state.webhooks.queue_at_issue(s, site, [ticket]) if created else 0
            out = ticket_out(s, state, base, ticket, site, estimate=estimate), created
        if told:
            state.webhooks.wake()  # after the commit: the rows are there to send
        return out
    except (IntegrityError, IdsTaken):
        pass
    # Another request stored the same id (or number) at the same moment.
    with state.db.read_session() as s:
        kiosk, site = authenticate(s, token)
        ticket = get_existing(s, kiosk, t.id)
        if ticket is None:
            raise QueueError("the ticket's number was taken at the same moment; retry", 409,
                             reason=BUSY)
        return ticket_out(s, state, base, ticket, site, estimate=estimate), False


OnlineItem = tuple[str, TicketIn, str]  # (kiosk token, ticket, public base URL)


def store_online(state: ServerState, items: list[OnlineItem]
                 ) -> list[tuple[TicketOut, bool] | Exception]:
    """Issue tickets numbered online, from any kiosks, in one transaction (the
    :class:`~server.batching.Batcher` of ``POST /tickets`` calls this with every request
    waiting at that moment). One result per item: ``(ticket, created)`` or the error that
    refused that item alone."""
    results: list[tuple[TicketOut, bool] | Exception | None] = [None] * len(items)
    issued: list[tuple[int, SiteRef, tuple[Ticket | NewTicket, bool] | QueueError]] = []
    precheck = False  # usually no id was stored before: skip looking (one statement less)
    while True:
        try:
            with state.db.session() as s:
                accepted: list[tuple[int, SiteRef, KioskRef, TicketRequest]] = []
                for i, (token, t, _base) in enumerate(items):
                    try:
                        kiosk, site = authenticate(s, token)
                    except HTTPException as exc:
                        results[i] = exc
                        continue
                    accepted.append((i, site, kiosk, to_request(t)))
                done = issue_online(s, state.settings, [
                    (site, kiosk, req) for _, site, kiosk, req in accepted], precheck=precheck)
                issued = [(i, site, r)
                          for (i, site, _, _), r in zip(accepted, done, strict=True)]
                told = sum(state.webhooks.queue_at_issue(s, site, [r[0]])
                           for _, site, r in issued if isinstance(r, tuple) and r[1]
                           ) if state.webhooks.enabled else 0
            break
        except (IdsTaken, IntegrityError) as exc:
            if isinstance(exc, IdsTaken) and not precheck:
                precheck = True  # rolled back; again, answering the stored ones as stored
                continue
            # Another process stored one of these at the same moment: one by one instead.
            return [_store_one_result(state, token, t, base) for token, t, base in items]
    if told:
        state.webhooks.wake()  # "near" for tickets issued close to the front
    # Built after the commit: the numbers' row locks are not held while responses are made.
    with state.db.read_session() as s:
        for i, site, r in issued:
            results[i] = r if isinstance(r, QueueError) else (
                ticket_out(s, state, items[i][2], r[0], site), r[1])
    return [r for r in results if r is not None]


def _store_one_result(state: ServerState, token: str, t: TicketIn, base: str
                      ) -> tuple[TicketOut, bool] | Exception:
    try:
        return store_one(state, token, t, base)
    except (QueueError, HTTPException) as exc:
        return exc


def store_batch(state: ServerState, token: str, tickets: list[TicketIn], base: str
                ) -> BatchOut:
    """Store an upload (``POST /tickets/batch``): one result per ticket, in order.

    The batch goes in one transaction; if a concurrent upload stored some of these at the
    same moment, it is stored again one ticket at a time. A ticket refused for good is
    ``"rejected"`` with a ``reason`` code; one that lost a race is ``"retry"``.
    """
    reqs = [to_request(t) for t in tickets]
    try:
        with state.db.session() as s:
            kiosk, site = authenticate(s, token)
            done = upload_tickets(s, state.settings, site, kiosk, reqs,
                                  kiosk_slot=kiosk_emergency_slot(token))
            told = state.webhooks.queue_at_issue(s, site, [
                r.ticket for r in done if r.result == "created" and r.ticket is not None])
            results = [batch_item(s, state, base, site, str(t.id), r)
                       for t, r in zip(tickets, done, strict=True)]
    except (IntegrityError, IdsTaken):
        results = []
        for t in tickets:
            try:
                out, created = store_one(state, token, t, base, estimate=False)
                results.append(BatchItem(id=str(t.id), result="created" if created
                                         else "existing", status_code=201 if created else 200,
                                         ticket=out))
            except QueueError as exc:
                results.append(BatchItem(
                    id=str(t.id), result="retry" if exc.reason == BUSY else "rejected",
                    status_code=exc.status, error=exc.message, reason=exc.reason))
        told = 0  # each stored one by one: store_one told them
    if told:
        state.webhooks.wake()
    return BatchOut(
        created=sum(r.result == "created" for r in results),
        existing=sum(r.result == "existing" for r in results),
        rejected=sum(r.result == "rejected" for r in results),
        retry=sum(r.result == "retry" for r in results),
        results=results,
    )
