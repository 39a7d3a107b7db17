"""The day change: tickets still open from an earlier day at a site are kept or marked
no-show (setting ``server.day_change``), once per site and day, with an audit line and a
timeline event the report counts."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.domain.audit import audit
from server.domain.clock import local_day
from server.domain.numbering import queue_changed
from server.domain.storage import add_event
from server.models import AuditLog, Site, Ticket, utcnow
from ticketing.status import TicketStatus

OPEN = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
CLOSED_OUT = "closed_out"  # timeline event of a ticket marked no-show at the day change
AUDIT_ACTION = "day_closed"


def close_out_past_days(session: Session, site: Site, mode: str,
                        at_utc: dt.datetime | None = None) -> dict[str, int]:
    """Apply the day change at ``site`` for every earlier day that still has open tickets
    (waiting, called or serving). ``mode`` "no_show" marks them no-show (event
    ``closed_out``); "keep" leaves them. Each past day is recorded once in the audit log
    (``day_closed``: what was done and how many). Returns ``{day iso: tickets}`` handled
    now (empty when nothing was left to do)."""
    now = at_utc or utcnow()
    today = local_day(site, now)
    rows = session.scalars(sa.select(Ticket).where(
        Ticket.site_id == site.id, Ticket.day < today, Ticket.status.in_(OPEN))
        .order_by(Ticket.day, Ticket.seq)).all()
    by_day: dict[dt.date, list[Ticket]] = {}
    for t in rows:
        by_day.setdefault(t.day, []).append(t)
    done = {d for (d,) in session.execute(sa.select(AuditLog.detail).where(
        AuditLog.site_id == site.id, AuditLog.action == AUDIT_ACTION))}
    handled: dict[str, int] = {}
    for day, tickets in by_day.items():
        if mode == "keep":
            note = f"{day.isoformat()}: kept {len(tickets)} open ticket(s)"
            if any(d.startswith(f"{day.isoformat()}: kept") for d in done):
                continue
        else:
            note = f"{day.isoformat()}: marked {len(tickets)} open ticket(s) no-show"
            for t in tickets:
                if t.status == TicketStatus.WAITING:
                    queue_changed(session, t.service_id, t.day, -1)
                t.status = TicketStatus.NO_SHOW
                t.no_show_at = now
                add_event(session, t, CLOSED_OUT, now, counter_id=t.counter_id,
                          detail="day change: marked no-show")
        audit(session, None, AUDIT_ACTION, site_id=site.id, detail=note)
        handled[day.isoformat()] = len(tickets)
    return handled


def close_out_all_sites(session: Session, mode: str) -> dict[str, dict[str, int]]:
    """:func:`close_out_past_days` for every site; ``{site code: {day: tickets}}``."""
    out = {}
    for site in session.scalars(sa.select(Site).order_by(Site.id)):
        handled = close_out_past_days(session, site, mode)
        if handled:
            out[site.code] = handled
    return out
