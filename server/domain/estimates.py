"""Estimates shown to citizens: people ahead, average service time, expected wait, and
the waiting counts per service."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.records import NewTicket
from server.domain.refs import TTLCache, bind_key
from server.models import Counter, Site, Ticket, counter_services, utcnow
from ticketing.estimates import mean_service_minutes, wait_minutes
from ticketing.status import TicketStatus


@dataclass
class _Cached:
    value: float | None
    until: float


_service_minutes: dict[tuple[str, int], _Cached] = {}
_cache_lock = threading.Lock()
_counters = TTLCache()
#: service times older than this are no basis for today's estimate
RECENT = dt.timedelta(days=30)


def average_service_minutes(
    session: Session, settings: QueueServerSettings, service_id: int
) -> float | None:
    """Mean of the last ``service_time_sample`` service times (start → done) of the last
    30 days, in minutes (cached for 30 s); with none, ``default_service_minutes`` (None
    by default: unknown, no estimate is shown)."""
    key = (bind_key(session), service_id)
    now = time.monotonic()
    with _cache_lock:
        hit = _service_minutes.get(key)
        if hit and hit.until > now:
            return hit.value
    rows = session.execute(
        sa.select(Ticket.serving_at, Ticket.done_at)
        .where(Ticket.service_id == service_id, Ticket.status == TicketStatus.DONE,
               Ticket.serving_at.is_not(None), Ticket.done_at >= utcnow() - RECENT)
        .order_by(Ticket.done_at.desc())
        .limit(settings.service_time_sample)
    ).all()
    value = mean_service_minutes(((d - s).total_seconds() / 60 for s, d in rows if d and s),
                                 settings.default_service_minutes)
    with _cache_lock:
        _service_minutes[key] = _Cached(value, now + 30)
    return value


def counters_for(session: Session, service_id: int) -> tuple[int, int]:
    """(open counters, all counters) serving the service (cached for a few seconds)."""
    key = (bind_key(session), service_id)
    hit = _counters.get(key)
    if isinstance(hit, tuple):
        return hit
    rows = session.execute(
        sa.select(Counter.is_open, sa.func.count())
        .join(counter_services, counter_services.c.counter_id == Counter.id)
        .where(counter_services.c.service_id == service_id)
        .group_by(Counter.is_open)
    ).all()
    open_ = sum(n for is_open, n in rows if is_open)
    result = (open_, sum(n for _, n in rows))
    _counters.put(key, result)
    return result


def people_ahead(session: Session, ticket: Ticket | NewTicket) -> int:
    """How many tickets of the same service and day wait before ``ticket`` (0 unless waiting)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    known = getattr(ticket, "ahead_at_issue", None)
    if known is not None:
        return int(known)
    return int(session.scalar(
        sa.select(sa.func.count()).select_from(Ticket).where(
            Ticket.site_id == ticket.site_id,
            Ticket.day == ticket.day,
            Ticket.service_id == ticket.service_id,
            Ticket.status == TicketStatus.WAITING,
            sa.or_(Ticket.queue_at < ticket.queue_at,
                   sa.and_(Ticket.queue_at == ticket.queue_at, Ticket.seq < ticket.seq)),
        )
    ) or 0)


def estimate_wait_minutes(
    session: Session, settings: QueueServerSettings, service_id: int, ahead: int
) -> int | None:
    """Minutes until a ticket with ``ahead`` people before it is called
    (``ticketing.estimates.wait_minutes``: people ahead × mean service time ÷ open counters
    of the service, or all its counters when none is open; rounded up); None when no
    service time is known."""
    if ahead <= 0:
        return 0
    open_, total = counters_for(session, service_id)
    return wait_minutes(ahead, average_service_minutes(session, settings, service_id),
                        open_ or total)


def waiting_counts(session: Session, site: Site, day: dt.date) -> dict[int, int]:
    """Waiting tickets per service id at the site on ``day``."""
    rows = session.execute(
        sa.select(Ticket.service_id, sa.func.count())
        .where(Ticket.site_id == site.id, Ticket.day == day, Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.service_id)
    ).all()
    return {sid: n for sid, n in rows}

