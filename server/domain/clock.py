"""Time at a site: its zone, its local day, naive-UTC conversions, opening hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from server.domain.refs import ServiceRef, SiteRef
from server.models import Service, Site, utcnow

# How far in the future a kiosk's clock may be before its issue time is refused.
CLOCK_SKEW = dt.timedelta(minutes=10)



def zone(site: Site | SiteRef) -> ZoneInfo:
    """The site's time zone."""
    return ZoneInfo(site.timezone)


def local_day(site: Site | SiteRef, at_utc: dt.datetime | None = None) -> dt.date:
    """The site's local date at ``at_utc`` (naive UTC; default now)."""
    at = (at_utc or utcnow()).replace(tzinfo=dt.UTC)
    return at.astimezone(zone(site)).date()


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    """A naive UTC datetime; naive input is taken as UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def day_bounds_utc(site: Site | SiteRef, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The site's local ``day`` as a [start, end) range of naive UTC datetimes."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone(site))
    end = start + dt.timedelta(days=1)
    return to_utc_naive(start), to_utc_naive(end)


def is_open_now(site: Site | SiteRef, service: Service | ServiceRef,
                at_utc: dt.datetime | None = None) -> bool:
    """Whether ``service`` is open at the site's local time of ``at_utc`` (naive UTC;
    default now)."""
    at = (at_utc or utcnow()).replace(tzinfo=dt.UTC).astimezone(zone(site))
    hhmm = at.strftime("%H:%M")
    return service.opens_at <= hhmm < service.closes_at

