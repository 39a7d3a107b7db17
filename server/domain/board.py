"""What the display board shows, and the last event id its live feed waits on."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.clock import (
    day_bounds_utc,
    is_open_now,
    local_day,
    local_time,
    next_opening,
    zone,
)
from server.domain.counters import ACTIVE_AT_COUNTER
from server.domain.estimates import waiting_counts
from server.models import Counter, Service, Site, Ticket, TicketEvent, utcnow
from ticketing.workdays import weekday_name


def board_state(session: Session, settings: QueueServerSettings, site: Site) -> dict:
    """What the display board shows: calls per counter, the last calls, waiting counts."""
    # The site as it is now (a board's live stream holds the row it started with): its
    # calendar and zone may have changed since.
    site = session.get(Site, site.id) or site
    day = local_day(site)
    start, _ = day_bounds_utc(site, day)
    services = list(session.scalars(
        sa.select(Service).where(Service.site_id == site.id, Service.active.is_(True))
        .order_by(Service.sort_order)
    ))
    waiting = waiting_counts(session, site, day)
    counters = {c.id: c for c in session.scalars(
        sa.select(Counter).where(Counter.site_id == site.id))}
    by_id = {s.id: s for s in services}
    last_id = session.scalar(
        sa.select(sa.func.max(TicketEvent.id)).where(TicketEvent.site_id == site.id)) or 0
    rows = session.execute(
        sa.select(TicketEvent.id, TicketEvent.kind, TicketEvent.at, TicketEvent.counter_id,
                  Ticket.number, Ticket.service_id)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.site_id == site.id, TicketEvent.kind.in_(("called", "recalled")),
               TicketEvent.at >= start)
        .order_by(TicketEvent.id.desc()).limit(settings.board_recent_calls)
    ).all()
    recent = []
    for eid, kind, at, counter_id, number, service_id in rows:
        c = counters.get(counter_id)
        recent.append({
            "event_id": eid, "kind": kind, "at": at.replace(tzinfo=dt.UTC).isoformat(),
            "number": number, "counter": c.number if c else None,
            "counter_name": c.name if c else "", "service": by_id[service_id].code
            if service_id in by_id else "",
        })
    active = session.execute(
        sa.select(Ticket.number, Ticket.status, Ticket.counter_id, Ticket.service_id,
                  Ticket.called_at)
        .where(Ticket.site_id == site.id, Ticket.day == day,
               Ticket.status.in_(ACTIVE_AT_COUNTER))
    ).all()
    at_counter = []
    for number, status, counter_id, service_id, _called in active:
        c = counters.get(counter_id)
        if c is None:
            continue
        at_counter.append({"counter": c.number, "counter_name": c.name, "number": number,
                           "status": status,
                           "service": by_id[service_id].code if service_id in by_id else ""})
    at_counter.sort(key=lambda r: r["counter"])
    busy = {r["counter"]: r for r in at_counter}
    rows_shown = [
        {"counter": c.number, "counter_name": c.name, "is_open": c.is_open,
         "number": busy[c.number]["number"] if c.number in busy else None,
         "status": busy[c.number]["status"] if c.number in busy else None}
        for c in sorted(counters.values(), key=lambda c: c.number)
        if c.is_open or c.number in busy
    ]
    now = utcnow()
    offset = now.replace(tzinfo=dt.UTC).astimezone(zone(site)).utcoffset() or dt.timedelta()
    return {
        "site": site.code,
        "site_name": site.name,
        "day": day.isoformat(),
        "last_event_id": last_id,
        "serving": at_counter,
        "counters": rows_shown,
        "timezone": site.timezone,
        "utc_offset_minutes": int(offset.total_seconds() // 60),
        "server_time_ms": int(now.replace(tzinfo=dt.UTC).timestamp() * 1000),
        "hours": site_hours(services, site, now),
        "recent_calls": recent,
        "services": [
            {"code": s.code, "prefix": s.prefix, "name_vi": s.name_vi, "name_en": s.name_en,
             "waiting": waiting.get(s.id, 0)}
            for s in services
        ],
    }


def last_event_id(session: Session, site_id: int) -> int:
    """The id of the site's newest timeline event (0 when none): the board's feed waits for
    it to change."""
    return session.scalar(
        sa.select(sa.func.max(TicketEvent.id)).where(TicketEvent.site_id == site_id)) or 0


def site_hours(services: list[Service], site: Site, at_utc: dt.datetime | None = None
               ) -> dict:
    """The site's opening hours today, from its active services and its calendar:
    ``opens_at``/``closes_at`` ("HH:MM", local time; the earliest opening and the latest
    closing today, None on a closed day), ``open`` (True when at least one service is open
    at ``at_utc``, naive UTC, default now), and when closed: ``reopens`` (the next opening,
    local "YYYY-MM-DDTHH:MM"), ``reopens_text`` ("Mở cửa lại: Thứ Hai 07/12, 07:30 / Opens
    again: Monday 07/12, 07:30") and ``closed_note`` (a closed day's note, e.g. "Nghỉ Tết
    Nguyên đán")."""
    if not services:
        return {"opens_at": None, "closes_at": None, "open": False, "reopens": None,
                "reopens_text": "", "closed_note": ""}
    at = local_time(site, at_utc)
    calendar = site.calendar
    today = calendar.span_on(at.date(), [(s.opens_at, s.closes_at) for s in services])
    is_open = any(is_open_now(site, s, at_utc) for s in services)
    again = None if is_open else next_opening(site, services, at_utc)
    closure = calendar.closure(at.date())
    return {
        "opens_at": today[0] if today else None,
        "closes_at": today[1] if today else None,
        "open": is_open,
        "reopens": again.strftime("%Y-%m-%dT%H:%M") if again else None,
        "reopens_text": (f"Mở cửa lại: {weekday_name(again.date(), 'vi')} {again:%d/%m}, "
                         f"{again:%H:%M} / Opens again: {weekday_name(again.date(), 'en')} "
                         f"{again:%d/%m}, {again:%H:%M}" if again else ""),
        "closed_note": closure.note if closure is not None and not is_open else "",
    }
