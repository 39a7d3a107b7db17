"""Time at a site: its zone, its local day, naive-UTC conversions, opening hours.

Opening hours are a service's ``opens_at``/``closes_at`` on the working days of the site's
calendar (``ticketing.workdays.WorkCalendar``: working weekdays, Saturday closing time,
closed days, make-up working days); this module is the one place that applies them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from server.domain.refs import ServiceRef, SiteRef
from server.models import Service, Site, utcnow
from ticketing.workdays import WorkCalendar, weekday_name

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


def local_time(site: Site | SiteRef, at_utc: dt.datetime | None = None) -> dt.datetime:
    """The site's local (aware) time at ``at_utc`` (naive UTC; default now)."""
    return (at_utc or utcnow()).replace(tzinfo=dt.UTC).astimezone(zone(site))


def is_open_now(site: Site | SiteRef, service: Service | ServiceRef,
                at_utc: dt.datetime | None = None) -> bool:
    """Whether ``service`` is open at the site's local time of ``at_utc`` (naive UTC;
    default now): a working day of the site's calendar, within the service's hours."""
    return site.calendar.is_open(local_time(site, at_utc), service.opens_at,
                                 service.closes_at)


def next_opening(site: Site | SiteRef, services: list[Service] | list[ServiceRef],
                 at_utc: dt.datetime | None = None) -> dt.datetime | None:
    """When one of ``services`` next opens after ``at_utc`` (the site's local, aware time);
    None when none opens in the coming year."""
    return site.calendar.next_opening(local_time(site, at_utc),
                                      [(s.opens_at, s.closes_at) for s in services])


def reopening_text(at: dt.datetime | None) -> str:
    """"Monday 07/12/2026 07:30" (or "not within a year")."""
    if at is None:
        return "not within a year"
    return f"{weekday_name(at.date(), 'en')} {at:%d/%m/%Y %H:%M}"


def closed_reason(site: Site | SiteRef, service: Service | ServiceRef,
                  at_utc: dt.datetime | None = None) -> str | None:
    """Why ``service`` gives no number at ``at_utc``, as one line (None when it is open):
    the holiday and its note, a day that is not a working day, or outside its hours;
    each with when it opens again."""
    at = local_time(site, at_utc)
    calendar: WorkCalendar = site.calendar
    if calendar.is_open(at, service.opens_at, service.closes_at):
        return None
    again = reopening_text(next_opening(site, [service], at_utc))
    closure = calendar.closure(at.date())
    if closure is not None and closure.kind == "holiday":
        note = f": {closure.note}" if closure.note else ""
        return (f"the centre is closed today ({at:%d/%m/%Y}){note}; it opens again "
                f"{again}")
    if closure is not None:
        return (f"the centre is closed today: {weekday_name(at.date(), 'en')} is not a "
                f"working day; it opens again {again}")
    hours = calendar.hours_on(at.date(), service.opens_at, service.closes_at)
    opens, closes = hours or (service.opens_at, service.closes_at)
    return f"service {service.code} is closed now (open {opens}-{closes}); it opens again {again}"

