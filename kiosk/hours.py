"""Opening hours as the kiosk sees them: is the centre open now, which services are closed,
and when it opens next. Plain Python (no Qt, no I/O): the hours come with the server's
catalogue (``opens_at``/``closes_at`` per service, in the site's ``timezone``, and the
site's working calendar: working weekdays, closed days, make-up days), cached for offline
starts; a kiosk without hours (standalone) is always open. The calendar's rules are
``ticketing.workdays``, the same module the server decides with; a catalogue without a
calendar (an older server) counts every day as a working day.

The centre is open while at least one service is (as the display board says); outside
that the kiosk shows its closed screen and gives no number, online or offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.model import Service
from ticketing.workdays import WorkCalendar

#: what a catalogue without a calendar means: every day is a working day
EVERY_DAY = WorkCalendar(frozenset(range(1, 8)))


@dataclass(frozen=True)
class HoursStatus:
    """The centre's state at one moment.

    ``closed``: no service is open now. ``opens_at``/``closes_at``: today's hours (the
    earliest opening and latest closing of its services; None on a closed day).
    ``reopens``: when closed, the next opening (the site's local time; None when none is
    known within a year). ``note``: why today is closed when it is a listed closed day
    ("Nghỉ Tết Nguyên đán"; may be empty). ``closed_services``: codes of services closed
    now while others are open.
    """

    closed: bool = False
    opens_at: str | None = None
    closes_at: str | None = None
    reopens: datetime | None = None
    closed_services: frozenset[str] = frozenset()
    note: str = ""
    #: today is not a working day (a weekend or a listed closed day)
    day_off: bool = False
    #: the site's local date this state is for (None: no hours known)
    day: date | None = None


#: what a kiosk with no known hours is: open
ALWAYS_OPEN = HoursStatus()


def _local(services: list[Service], now: datetime) -> datetime:
    zone_name = next((s.timezone for s in services if s.timezone), None)
    if zone_name:
        try:
            return now.astimezone(ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown zone: the kiosk's own clock
    return now


def calendar_of(services: Iterable[Service]) -> WorkCalendar:
    """The site's calendar as the catalogue gave it (every service carries the same);
    ``EVERY_DAY`` when it gave none."""
    return next((s.calendar for s in services if s.calendar is not None), EVERY_DAY)


def hours_status(services: Iterable[Service], now: datetime) -> HoursStatus:
    """The state at ``now`` (timezone-aware) from the services' hours and the site's
    calendar; ``ALWAYS_OPEN`` when no service has hours."""
    timed = [s for s in services if s.opens_at and s.closes_at]
    if not timed:
        return ALWAYS_OPEN
    local = _local(timed, now)
    calendar = calendar_of(timed)
    usual = {s.code: (str(s.opens_at), str(s.closes_at)) for s in timed}
    opens, closes = calendar.span_on(local.date(), usual.values()) or (None, None)
    open_now = {code for code, (o, c) in usual.items() if calendar.is_open(local, o, c)}
    closure = calendar.closure(local.date())
    if not open_now:
        return HoursStatus(True, opens, closes, calendar.next_opening(local, usual.values()),
                           note=closure.note if closure else "", day_off=closure is not None,
                           day=local.date())
    return HoursStatus(False, opens, closes, None,
                       frozenset(code for code in usual if code not in open_now),
                       day=local.date())
