"""A citizen's tickets seen from the kiosk: today's open ones, cancelling one, withdrawing
the id of an online request the kiosk gave up waiting for, and pruning old withdrawals."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.domain.audit import audit
from server.domain.clock import local_day
from server.domain.numbering import queue_changed
from server.domain.refs import KioskRef, SiteRef
from server.domain.storage import add_event, lock_ids
from server.errors import NotFound, QueueError
from server.models import Kiosk, Site, Ticket, WithdrawnTicket, utcnow
from ticketing.status import OPEN_STATUSES, TicketStatus


def citizen_open_tickets(session: Session, site: Site | SiteRef, citizen_id: str
                         ) -> list[Ticket]:
    """The citizen's open (waiting, called, serving) tickets today at the site."""
    return list(session.scalars(
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.citizen_id == citizen_id, Ticket.status.in_(tuple(OPEN_STATUSES)),
        ).order_by(Ticket.queue_at)
    ))


def cancel_ticket(session: Session, site: Site | SiteRef, kiosk: Kiosk | KioskRef,
                  ticket_id: str) -> Ticket:
    """Cancel a waiting ticket of the site (a cancelled one: no change)."""
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or ticket.site_id != site.id:
        raise NotFound("no such ticket at this site")
    if ticket.status == TicketStatus.CANCELLED:
        return ticket
    if ticket.status != TicketStatus.WAITING:
        raise QueueError(f"ticket {ticket.number} is {ticket.status} and cannot be cancelled")
    now = utcnow()
    ticket.status = TicketStatus.CANCELLED
    ticket.cancelled_at = now
    queue_changed(session, ticket.service_id, ticket.day, -1)
    add_event(session, ticket, "cancelled", now, kiosk_id=kiosk.id)
    return ticket



#: ``WithdrawnTicket.outcome`` of an id the server had not stored: the id is reserved and a
#: late request with it is refused (``server.domain.issuing.WITHDRAWN``)
UNKNOWN, WITHDRAWN_CANCELLED, ALREADY_CANCELLED = "unknown", "cancelled", "already_cancelled"


def withdraw_ticket(session: Session, site: Site | SiteRef, kiosk: Kiosk | KioskRef,
                    ticket_id: str, reason: str) -> tuple[str, Ticket | None]:
    """A kiosk gave up waiting for the server's answer to ``ticket_id`` and gave the citizen
    a leased number under another id: make sure the first id never waits in the queue.

    Returns ``(outcome, ticket)``. Not stored yet: the id is reserved (``unknown``), so the
    request still on its way is refused when it arrives. Waiting: cancelled with the reason
    (``cancelled``), in the ticket's timeline and the audit log. Already cancelled:
    ``already_cancelled``. Called, serving, done or a no-show: left as it is, the outcome
    is its status (nobody holds that number: the kiosk logs it). Sending it again answers
    the same outcome. A ticket of another site is :class:`NotFound`.

    On PostgreSQL the id's advisory lock (:func:`~server.domain.storage.lock_ids`) is
    taken first: a request with this id being stored right now is waited for, then its
    ticket is found and cancelled; a request stored after this commits sees the tombstone.
    """
    lock_ids(session, [ticket_id], exclusive=True)
    done = session.get(WithdrawnTicket, ticket_id)
    if done is not None:
        if done.site_id != site.id:
            raise NotFound("no such ticket at this site")
        return done.outcome, session.get(Ticket, ticket_id)
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is not None and ticket.site_id != site.id:
        raise NotFound("no such ticket at this site")
    now = utcnow()
    if ticket is None:
        outcome = UNKNOWN
    elif ticket.status == TicketStatus.CANCELLED:
        outcome = ALREADY_CANCELLED
    elif ticket.status == TicketStatus.WAITING:
        outcome = WITHDRAWN_CANCELLED
        ticket.status = TicketStatus.CANCELLED
        ticket.cancelled_at = now
        queue_changed(session, ticket.service_id, ticket.day, -1)
        add_event(session, ticket, "cancelled", now, kiosk_id=kiosk.id, detail=reason)
        audit(session, None, "kiosk_withdraw", site_id=site.id, ticket=ticket,
              detail=f"kiosk {kiosk.id}: {reason}: ticket {ticket.number} cancelled (nobody "
                     "holds it: the kiosk gave the citizen a leased number)")
    else:
        outcome = str(ticket.status)
    session.add(WithdrawnTicket(id=ticket_id, site_id=site.id, kiosk_id=kiosk.id,
                                reason=reason, outcome=outcome, at=now))
    return outcome, ticket


def prune_withdrawals(session: Session, before: dt.datetime) -> int:
    """Delete the withdrawals recorded before ``before`` (naive UTC); how many went. A late
    request with such an id is long past (``server.withdrawn_retention_days``)."""
    result = session.execute(sa.delete(WithdrawnTicket).where(WithdrawnTicket.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
