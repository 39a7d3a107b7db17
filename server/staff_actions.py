"""What staff do, shared by the staff API and the web pages: run a counter action in its
own transaction, describe a counter, and scope a report to the sites a user may read."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.exceptions import HTTPException
from sqlalchemy.orm import Session

from server.domain import counters as c
from server.domain.clock import local_day
from server.kiosk_issuing import ticket_out
from server.models import Counter, Site, Ticket, User
from server.schemas import CounterOut
from server.state import ServerState


def counter_out(s: Session, state: ServerState, base: str, counter: Counter) -> CounterOut:
    site = s.get(Site, counter.site_id)
    assert site is not None
    current = c.current_ticket(s, counter)
    return CounterOut(
        id=counter.id, number=counter.number, name=counter.name, is_open=counter.is_open,
        services=[x.code for x in counter.services if x.active],
        current=ticket_out(s, state, base, current, site, estimate=False) if current else None,
        waiting=[ticket_out(s, state, base, t, site, estimate=False)
                 for t in c.counter_queue(s, counter, 30)],
    )



def perform(state: ServerState, user: User, counter_id: int, action: str,
            arg: str | None = None) -> Ticket | None:
    """Run one counter action in its own transaction (shared by the API and the console)."""
    settings = state.settings
    called: Ticket | None = None
    queued = 0
    with state.db.session() as s:
        if action in ("call-next", "call"):
            called = (c.call_next(s, settings, user, counter_id) if action == "call-next"
                      else c.call_number(s, user, counter_id, arg or ""))
            queued = state.webhooks.queue_after_call(s, called) if called else 0
    if action in ("call-next", "call"):
        if queued:
            state.webhooks.wake()  # after the commit: the rows are there to send
        return called
    with state.db.session() as s:
        if action == "recall":
            return c.recall(s, settings, user, counter_id)
        if action == "start":
            return c.start(s, user, counter_id)
        if action == "complete":
            return c.complete(s, user, counter_id)
        if action == "no-show":
            return c.no_show(s, user, counter_id)
        if action == "transfer":
            return c.transfer(s, user, counter_id, arg or "")
        if action in ("open", "close"):
            c.set_counter_open(s, user, counter_id, action == "open")
            return None
    raise HTTPException(404, f"unknown action {action!r}")



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
    today = local_day(site)
    end = date_to or today
    start = date_from or end
    if start > end:
        raise HTTPException(422, "'from' is after 'to'")
    if (end - start).days > 366:
        raise HTTPException(422, "at most 366 days per report")
    return site, start, end
