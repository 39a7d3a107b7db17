"""Opening hours as the kiosk sees them: is the centre open now, which services are closed,
and when it opens next. Plain Python (no Qt, no I/O): the hours come with the server's
catalogue (``opens_at``/``closes_at`` per service, in the site's ``timezone``), cached for
offline starts; a kiosk without hours (standalone) is always open.

The centre is open while at least one service is (as the display board says); outside
that the kiosk shows its closed screen and gives no number, online or offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.model import Service

#: ``HoursStatus.reopens``: later today, or on the next working day (no weekdays are known)
TODAY, NEXT_DAY = "today", "next_day"


@dataclass(frozen=True)
class HoursStatus:
    """The centre's state at one moment.

    ``closed``: no service is open now. ``opens_at``/``closes_at``: today's hours (the
    earliest opening and latest closing of its services). ``reopens``: when closed,
    ``TODAY`` (before opening) or ``NEXT_DAY`` (after closing). ``closed_services``: codes
    of services closed now while others are open.
    """

    closed: bool = False
    opens_at: str | None = None
    closes_at: str | None = None
    reopens: str | None = None
    closed_services: frozenset[str] = frozenset()


#: what a kiosk with no known hours is: open
ALWAYS_OPEN = HoursStatus()


def _local_hhmm(services: list[Service], now: datetime) -> str:
    zone_name = next((s.timezone for s in services if s.timezone), None)
    if zone_name:
        try:
            now = now.astimezone(ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            pass  # an unknown zone: the kiosk's own clock
    return now.strftime("%H:%M")


def hours_status(services: Iterable[Service], now: datetime) -> HoursStatus:
    """The state at ``now`` (timezone-aware) from the services' hours; ``ALWAYS_OPEN``
    when no service has hours."""
    timed = [s for s in services if s.opens_at and s.closes_at]
    if not timed:
        return ALWAYS_OPEN
    hhmm = _local_hhmm(timed, now)
    open_now = {s.code for s in timed if str(s.opens_at) <= hhmm < str(s.closes_at)}
    opens = min(str(s.opens_at) for s in timed)
    closes = max(str(s.closes_at) for s in timed)
    if not open_now:
        return HoursStatus(True, opens, closes, TODAY if hhmm < opens else NEXT_DAY)
    return HoursStatus(False, opens, closes, None,
                       frozenset(s.code for s in timed if s.code not in open_now))
