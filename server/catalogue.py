"""The catalogue of services and counters: the built-in default and loading from a file.

A catalogue file is TOML (or JSON with the same shape)::

    [[services]]
    code = "HT"              # unique per site, A-Z 0-9 _ -
    prefix = "A"             # printed before the number: A012
    name_vi = "Hộ tịch"
    name_en = "Civil status"
    counters = [1, 2]        # counter numbers that serve it (created when missing)
    opens_at = "07:30"       # local time
    closes_at = "17:00"
    daily_cap = 300          # optional: no more tickets after this many in a day

    [[counters]]             # optional: names of counters
    number = 1
    name = "Quầy 1"

    [hours]                  # optional: the site's working calendar (docs/hours.md)
    working_days = "1-5"     # ISO weekdays: "1-6", [1, 2, 3], "mon-fri", "T2-T7"
    saturday_closes_at = "11:30"   # optional: a working Saturday ends then
    closed_days = [{ date = "2027-02-05", note = "Nghỉ Tết Nguyên đán" }]
    open_days = [{ date = "2027-04-24", note = "Làm bù" }]   # make-up working days

Without ``[hours]`` the site's calendar is left as it is (Monday to Friday when never
set); with it, the site's calendar becomes exactly the file's.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from config.catalogue import DEFAULT_SERVICES
from config.errors import describe_validation_error
from server.models import Counter, Service, Site, SiteDay
from ticketing.workdays import WorkCalendar

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ServiceSpec(BaseModel):
    """One service of a catalogue file."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    counters: list[int] = Field(default_factory=list)
    opens_at: str = Field("07:30", pattern=HHMM)
    closes_at: str = Field("17:00", pattern=HHMM)
    daily_cap: int | None = Field(None, ge=1, le=100000)

    @field_validator("counters")
    @classmethod
    def _counter_numbers(cls, value: list[int]) -> list[int]:
        if any(n < 1 or n > 999 for n in value):
            raise ValueError("counter numbers are 1 to 999")
        return sorted(set(value))


class CounterSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=999)
    name: str = Field(min_length=1, max_length=100)


class DaySpec(BaseModel):
    """A closed day or a make-up working day of ``[hours]``."""

    model_config = ConfigDict(extra="forbid")

    date: str | dt.date
    note: str = ""


class HoursSpec(BaseModel):
    """The ``[hours]`` table: the site's working calendar."""

    model_config = ConfigDict(extra="forbid")

    working_days: str | list[int | str] = "1-5"
    saturday_closes_at: str | None = Field(None, pattern=HHMM)
    closed_days: list[DaySpec] = Field(default_factory=list, max_length=1000)
    open_days: list[DaySpec] = Field(default_factory=list, max_length=1000)

    def calendar(self) -> WorkCalendar:
        """The calendar it describes; ValueError (one line) on a bad weekday or date."""
        cal = WorkCalendar.from_json(self.model_dump())
        both = {d.day for d in cal.closed_days} & {d.day for d in cal.open_days}
        if both:
            raise ValueError(f"a day is both closed and a make-up working day: "
                             f"{min(both).isoformat()}")
        for kind, days in (("closed", cal.closed_days), ("make-up", cal.open_days)):
            seen = [d.day for d in days]
            if len(seen) != len(set(seen)):
                raise ValueError(f"a {kind} day is listed twice")
        return cal


class Catalogue(BaseModel):
    """A whole catalogue file."""

    model_config = ConfigDict(extra="forbid")

    services: list[ServiceSpec] = Field(min_length=1)
    counters: list[CounterSpec] = Field(default_factory=list)
    hours: HoursSpec | None = None

    @field_validator("services")
    @classmethod
    def _unique(cls, value: list[ServiceSpec]) -> list[ServiceSpec]:
        codes = [s.code for s in value]
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            raise ValueError(f"service codes appear twice: {', '.join(sorted(dup))}")
        prefixes = [s.prefix for s in value]
        dup = {p for p in prefixes if prefixes.count(p) > 1}
        if dup:
            raise ValueError(f"prefixes used by two services: {', '.join(sorted(dup))}")
        return value


DEFAULT_CATALOGUE: dict[str, Any] = {"services": DEFAULT_SERVICES}


class CatalogueError(ValueError):
    """A catalogue file that cannot be read or is invalid (the message says why)."""


def read_catalogue(path: str | Path) -> Catalogue:
    """Parse and validate a TOML or JSON catalogue file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{p}: cannot be read: {exc.strerror}") from None
    try:
        data = json.loads(raw) if p.suffix.lower() == ".json" else tomllib.loads(raw.decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{p}: not valid {p.suffix.lstrip('.') or 'TOML'}: {exc}") from None
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(f"{p}: {describe_validation_error(exc)}") from None
    if catalogue.hours is not None:
        try:
            catalogue.hours.calendar()
        except ValueError as exc:
            raise CatalogueError(f"{p}: hours: {exc}") from None
    return catalogue


def set_calendar(session: Session, site: Site, calendar: WorkCalendar) -> None:
    """Make ``calendar`` the site's: its working week, Saturday closing and listed days."""
    site.set_working_week(calendar.working_days, calendar.saturday_closes_at)
    site.days.clear()
    session.flush()  # the old rows go before the new ones (one row per site and day)
    site.days.extend([SiteDay(day=d.day, open=False, note=d.note) for d in calendar.closed_days]
                     + [SiteDay(day=d.day, open=True, note=d.note) for d in calendar.open_days])
    session.flush()


def ensure_site(session: Session, code: str, name: str, timezone: str) -> Site:
    site = session.scalar(sa.select(Site).where(Site.code == code))
    if site is None:
        site = Site(code=code, name=name, timezone=timezone)
        session.add(site)
        session.flush()
    return site


def apply_catalogue(session: Session, site: Site, catalogue: Catalogue) -> dict[str, int]:
    """Make the site's services those of ``catalogue``.

    Services in the file are created or updated; services missing from it are made
    inactive (kept, since tickets refer to them). Counters are created as needed and each
    counter serves exactly the services that list it.
    """
    services = {s.code: s for s in session.scalars(sa.select(Service).where(
        Service.site_id == site.id))}
    counters = {c.number: c for c in session.scalars(sa.select(Counter).where(
        Counter.site_id == site.id))}
    names = {c.number: c.name for c in catalogue.counters}
    wanted = sorted({n for s in catalogue.services for n in s.counters} | set(names))
    for number in wanted:
        if number not in counters:
            counters[number] = Counter(site_id=site.id, number=number,
                                       name=names.get(number, f"Quầy {number}"))
            session.add(counters[number])
        elif number in names:
            counters[number].name = names[number]
    created = updated = 0
    for order, spec in enumerate(catalogue.services):
        svc = services.get(spec.code)
        if svc is None:
            svc = Service(site_id=site.id, code=spec.code)
            session.add(svc)
            services[spec.code] = svc
            created += 1
        else:
            updated += 1
        svc.prefix = spec.prefix
        svc.name_vi = spec.name_vi
        svc.name_en = spec.name_en
        svc.opens_at = spec.opens_at
        svc.closes_at = spec.closes_at
        svc.daily_cap = spec.daily_cap
        svc.active = True
        svc.sort_order = order
        svc.counters = [counters[n] for n in spec.counters]
    listed = {s.code for s in catalogue.services}
    deactivated = 0
    for code, svc in services.items():
        if code not in listed and svc.active:
            svc.active = False
            svc.counters = []
            deactivated += 1
    session.flush()
    if catalogue.hours is not None:
        set_calendar(session, site, catalogue.hours.calendar())
    return {"created": created, "updated": updated, "deactivated": deactivated}


def default_catalogue() -> Catalogue:
    return Catalogue.model_validate(DEFAULT_CATALOGUE)
