"""A citizen's tickets seen from the kiosk: today's open ones, and cancelling one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.domain.clock import local_day
from server.domain.numbering import queue_changed
from server.domain.refs import KioskRef, SiteRef
from server.domain.storage import add_event
from server.errors import NotFound, QueueError
from server.models import Kiosk, Site, Ticket, utcnow
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

