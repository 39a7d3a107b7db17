"""Counter actions of staff: call next (with the priority interleave), call a number,
recall, no-show, start, complete, transfer, open and close a counter."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.domain.audit import audit
from server.domain.clock import local_day
from server.domain.numbering import queue_changed
from server.domain.refs import find_service
from server.domain.storage import add_event
from server.errors import Invalid, NotFound, QueueError
from server.models import Counter, Site, Ticket, User, utcnow
from ticketing.status import TicketStatus

#: Statuses of the ticket a counter is busy with.
ACTIVE_AT_COUNTER: tuple[str, ...] = (TicketStatus.CALLED, TicketStatus.SERVING)


def get_counter(session: Session, user: User, counter_id: int, *, lock: bool = False
                ) -> Counter:
    """The counter, if the user may act on it (their site); ``lock``: SELECT ... FOR UPDATE."""
    counter = session.get(Counter, counter_id, with_for_update=lock or None)
    if counter is None or (user.site_id is not None and counter.site_id != user.site_id):
        raise NotFound("no such counter at your site")
    return counter


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    """The ticket called to or served at the counter, if any."""
    return session.scalar(
        sa.select(Ticket).where(Ticket.counter_id == counter.id,
                                Ticket.status.in_(ACTIVE_AT_COUNTER))
        .order_by(Ticket.called_at.desc()).limit(1)
    )


def counter_queue(session: Session, counter: Counter, limit: int = 50) -> list[Ticket]:
    """Waiting tickets of the counter's services, in the order call next takes them
    (ignoring the priority interleave)."""
    site = session.get(Site, counter.site_id)
    assert site is not None
    ids = [s.id for s in counter.services if s.active]
    if not ids:
        return []
    return list(session.scalars(
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.service_id.in_(ids), Ticket.status == TicketStatus.WAITING,
        ).order_by(Ticket.priority.desc(), Ticket.queue_at, Ticket.seq).limit(limit)
    ))


def counter_waiting_count(session: Session, counter: Counter) -> int:
    """How many tickets wait today in the counter's services (no limit)."""
    site = session.get(Site, counter.site_id)
    assert site is not None
    ids = [s.id for s in counter.services if s.active]
    if not ids:
        return 0
    return session.scalar(
        sa.select(sa.func.count()).select_from(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.service_id.in_(ids), Ticket.status == TicketStatus.WAITING)
    ) or 0


def counter_day_tally(session: Session, counter: Counter) -> dict[str, float | int | None]:
    """The counter's day so far: ``served`` and ``no_show`` tickets (counts), ``service_avg_min``
    (mean minutes from start to done of the served ones; None before the first)."""
    site = session.get(Site, counter.site_id)
    assert site is not None
    rows = session.execute(
        sa.select(Ticket.status, Ticket.called_at, Ticket.serving_at, Ticket.done_at).where(
            Ticket.counter_id == counter.id, Ticket.day == local_day(site),
            Ticket.status.in_((TicketStatus.DONE, TicketStatus.NO_SHOW)))
    ).all()
    minutes = [(done - (serving or called)).total_seconds() / 60
               for status, called, serving, done in rows
               if status == TicketStatus.DONE and done is not None
               and (serving or called) is not None]
    return {
        "served": sum(1 for r in rows if r[0] == TicketStatus.DONE),
        "no_show": sum(1 for r in rows if r[0] == TicketStatus.NO_SHOW),
        "service_avg_min": round(sum(minutes) / len(minutes), 1) if minutes else None,
    }


def _oldest_waiting(session: Session, site: Site, service_ids: list[int], priority: bool
                    ) -> Ticket | None:
    stmt = (
        sa.select(Ticket).where(
            Ticket.site_id == site.id, Ticket.day == local_day(site),
            Ticket.service_id.in_(service_ids), Ticket.status == TicketStatus.WAITING,
            Ticket.priority.is_(priority),
        ).order_by(Ticket.queue_at, Ticket.seq).limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Ticket)
    return session.scalar(stmt)


def _finish_current(session: Session, counter: Counter, user: User, now: dt.datetime) -> None:
    current = current_ticket(session, counter)
    if current is None:
        return
    if current.status == TicketStatus.CALLED:
        raise QueueError(
            f"ticket {current.number} is still called at this counter: start it, recall it, "
            "mark it no-show or transfer it first")
    current.status = TicketStatus.DONE
    current.done_at = now
    add_event(session, current, "done", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "complete", ticket=current, counter=counter)


def _call(session: Session, ticket: Ticket, counter: Counter, user: User, now: dt.datetime,
          action: str) -> Ticket:
    if ticket.status == TicketStatus.WAITING:
        queue_changed(session, ticket.service_id, ticket.day, -1)
    ticket.status = TicketStatus.CALLED
    ticket.counter_id = counter.id
    ticket.staff_id = user.id
    ticket.called_at = now
    ticket.recalls = 0
    counter.is_open = True
    add_event(session, ticket, "called", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, action, ticket=ticket, counter=counter)
    session.flush()
    return ticket


def call_next(session: Session, settings: QueueServerSettings, user: User, counter_id: int
              ) -> Ticket | None:
    """Call the next ticket to the counter (finishing the one being served).

    The oldest waiting ticket among the counter's services, priority tickets first but
    at most ``priority_ratio`` of them in a row while normal tickets wait. None when no
    one waits.
    """
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    _finish_current(session, counter, user, now)
    site = session.get(Site, counter.site_id)
    assert site is not None
    ids = [s.id for s in counter.services if s.active]
    if not ids:
        raise QueueError("this counter serves no service")
    prio = _oldest_waiting(session, site, ids, True)
    normal = None
    if prio is None or counter.priority_streak >= settings.priority_ratio:
        normal = _oldest_waiting(session, site, ids, False)
    if prio is not None and (normal is None or counter.priority_streak < settings.priority_ratio):
        ticket = prio
        counter.priority_streak += 1
    else:
        ticket = normal
        if ticket is not None:
            counter.priority_streak = 0
    counter.is_open = True
    if ticket is None:
        return None
    return _call(session, ticket, counter, user, now, "call_next")


def call_number(session: Session, user: User, counter_id: int, number: str) -> Ticket:
    """Call a specific waiting (or no-show) ticket of today by its printed number."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    site = session.get(Site, counter.site_id)
    assert site is not None
    number = number.strip().upper()
    candidates = list(session.scalars(
        sa.select(Ticket).where(Ticket.site_id == site.id, Ticket.day == local_day(site),
                                Ticket.number == number)
        .with_for_update()
    ))
    callable_ = (TicketStatus.WAITING, TicketStatus.NO_SHOW)
    ticket = next((t for t in candidates if t.status in callable_), None)
    if ticket is None:
        if candidates:
            raise QueueError(f"ticket {number} is {candidates[0].status} and cannot be called")
        raise NotFound(f"no ticket {number} today")
    _finish_current(session, counter, user, now)
    return _call(session, ticket, counter, user, now, "call_number")


def _require_current(session: Session, counter: Counter, statuses: tuple[str, ...]) -> Ticket:
    ticket = current_ticket(session, counter)
    if ticket is None:
        raise QueueError("no ticket at this counter")
    if ticket.status not in statuses:
        raise QueueError(f"ticket {ticket.number} is {ticket.status}")
    return ticket


def recall(session: Session, settings: QueueServerSettings, user: User, counter_id: int
           ) -> Ticket:
    """Announce the called ticket again; past ``max_recalls`` it becomes a no-show."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (TicketStatus.CALLED,))
    if ticket.recalls >= settings.max_recalls:
        return _no_show(session, ticket, counter, user, now, "auto no-show after recalls")
    ticket.recalls += 1
    add_event(session, ticket, "recalled", now, counter_id=counter.id, staff_id=user.id,
              detail=str(ticket.recalls))
    audit(session, user, "recall", ticket=ticket, counter=counter)
    return ticket


def _no_show(session: Session, ticket: Ticket, counter: Counter, user: User,
             now: dt.datetime, detail: str = "") -> Ticket:
    ticket.status = TicketStatus.NO_SHOW
    ticket.no_show_at = now
    add_event(session, ticket, "no_show", now, counter_id=counter.id, staff_id=user.id,
              detail=detail)
    audit(session, user, "no_show", ticket=ticket, counter=counter, detail=detail)
    return ticket


def no_show(session: Session, user: User, counter_id: int) -> Ticket:
    """Mark the called ticket a no-show."""
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (TicketStatus.CALLED,))
    return _no_show(session, ticket, counter, user, utcnow())


def start(session: Session, user: User, counter_id: int) -> Ticket:
    """Start serving the called ticket."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (TicketStatus.CALLED,))
    ticket.status = TicketStatus.SERVING
    ticket.serving_at = now
    ticket.staff_id = user.id
    add_event(session, ticket, "serving", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "start", ticket=ticket, counter=counter)
    return ticket


def complete(session: Session, user: User, counter_id: int) -> Ticket:
    """Finish the ticket called or served at the counter."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (TicketStatus.CALLED, TicketStatus.SERVING))
    if ticket.serving_at is None:
        ticket.serving_at = ticket.called_at or now
    ticket.status = TicketStatus.DONE
    ticket.done_at = now
    add_event(session, ticket, "done", now, counter_id=counter.id, staff_id=user.id)
    audit(session, user, "complete", ticket=ticket, counter=counter)
    return ticket


def transfer(session: Session, user: User, counter_id: int, service_code: str) -> Ticket:
    """Send the counter's ticket to another service's queue, keeping its issue time."""
    now = utcnow()
    counter = get_counter(session, user, counter_id, lock=True)
    ticket = _require_current(session, counter, (TicketStatus.CALLED, TicketStatus.SERVING))
    site = session.get(Site, counter.site_id)
    assert site is not None
    target = find_service(session, site, service_code)
    if target.id == ticket.service_id:
        raise Invalid("the ticket is already in that service")
    ticket.transferred_from_id = ticket.service_id
    ticket.service_id = target.id
    ticket.status = TicketStatus.WAITING
    queue_changed(session, target.id, ticket.day, +1)
    ticket.counter_id = None
    ticket.called_at = None
    ticket.serving_at = None
    ticket.recalls = 0
    add_event(session, ticket, "transferred", now, counter_id=counter.id, staff_id=user.id,
              detail=f"to {target.code}")
    audit(session, user, "transfer", ticket=ticket, counter=counter, detail=target.code)
    return ticket


def set_counter_open(session: Session, user: User, counter_id: int, is_open: bool) -> Counter:
    """Open or close the counter (for the estimates and the board)."""
    counter = get_counter(session, user, counter_id, lock=True)
    counter.is_open = is_open
    audit(session, user, "open_counter" if is_open else "close_counter", counter=counter)
    return counter

