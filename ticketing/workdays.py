"""A centre's working calendar: which weekdays it works, the days it is closed (public
holidays, Tết, a move) and the make-up working days (a Saturday worked for a bridge
holiday), and from those the hours of a given local date and the next opening.

Shared by the queue server (issuing, the board) and the kiosk (its closed screen, offline
too): both decide with this one module. Plain Python; dates and times are the site's local
ones, hours are "HH:MM" strings as the catalogue gives them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

#: the state's working week: Monday to Friday (ISO weekdays)
STATE_WEEK: frozenset[int] = frozenset({1, 2, 3, 4, 5})
SATURDAY = 6
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOTE_MAX = 200
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

_NAMES: dict[str, int] = {}
for _i, (_en, _vi) in enumerate(zip(WEEKDAYS_EN, WEEKDAYS_VI, strict=True), start=1):
    _NAMES[_en.lower()] = _NAMES[_en[:3].lower()] = _NAMES[str(_i)] = _i
    _NAMES[_vi.lower()] = _i
    _NAMES[f"t{_i + 1}"] = _i  # T2 (Monday) .. T7 (Saturday); T8 does not exist
_NAMES.pop("t8")
_NAMES["cn"] = 7


def weekday_number(value: object) -> int:
    """An ISO weekday (1 Monday .. 7 Sunday) from 1-7, "mon"/"Monday", "T2".."T7"/"CN" or
    "Thứ Hai"; ValueError naming the value otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"unknown weekday {value!r}")
    key = str(value).strip().lower()
    if key not in _NAMES:
        raise ValueError(f"unknown weekday {str(value)[:20]!r} (use 1-7, Mon-Sun or T2-T7/CN)")
    return _NAMES[key]


def parse_weekdays(value: str | Iterable[object]) -> frozenset[int]:
    """Working weekdays from a list (``[1, 2, "sat"]``) or a text (``"1-5"``, ``"T2-T7"``,
    ``"mon,tue,wed"``); ValueError on an unknown weekday or an empty set."""
    parts: list[object]
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    else:
        parts = list(value)
    days: set[int] = set()
    for part in parts:
        if isinstance(part, str) and "-" in part.strip("-"):
            first, last = (weekday_number(x) for x in part.split("-", 1))
            if first > last:
                raise ValueError(f"weekday range {part!r} runs backwards")
            days.update(range(first, last + 1))
        else:
            days.add(weekday_number(part))
    if not days:
        raise ValueError("no working weekday given")
    return frozenset(days)


def parse_day(value: object) -> dt.date:
    """A date from ``YYYY-MM-DD`` (or a date); ValueError naming the value otherwise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text[:20]!r} (use YYYY-MM-DD)") from None


def clean_note(value: object) -> str:
    """A day's note on one line, at most ``NOTE_MAX`` characters."""
    note = " ".join(str(value or "").split())
    if len(note) > NOTE_MAX:
        raise ValueError(f"a day's note has {NOTE_MAX} characters at most")
    return note


@dataclass(frozen=True)
class DayNote:
    """A dated exception to the working week and why (``note``, may be empty)."""

    day: dt.date
    note: str = ""


@dataclass(frozen=True)
class Closure:
    """Why a date is closed: ``"holiday"`` (a listed closed day, its ``note``) or
    ``"weekday"`` (not a working day of the week)."""

    kind: str
    note: str = ""


@dataclass(frozen=True)
class WorkCalendar:
    """The working week (``working_days``, ISO weekdays), the Saturday closing time for a
    centre that works Saturday mornings (``saturday_closes_at``; None: full hours), the
    listed ``closed_days`` and the make-up ``open_days`` (worked whatever their weekday).
    A date both closed and make-up is closed."""

    working_days: frozenset[int] = STATE_WEEK
    saturday_closes_at: str | None = None
    closed_days: tuple[DayNote, ...] = ()
    open_days: tuple[DayNote, ...] = ()

    @cached_property
    def _closed(self) -> dict[dt.date, str]:
        return {d.day: d.note for d in self.closed_days}

    @cached_property
    def _open(self) -> dict[dt.date, str]:
        return {d.day: d.note for d in self.open_days}

    def closure(self, day: dt.date) -> Closure | None:
        """Why ``day`` is closed, or None when it is a working day."""
        if day in self._closed:
            return Closure("holiday", self._closed[day])
        if day in self._open or day.isoweekday() in self.working_days:
            return None
        return Closure("weekday")

    def hours_on(self, day: dt.date, opens_at: str, closes_at: str) -> tuple[str, str] | None:
        """A service's hours (its usual ``opens_at``-``closes_at``) on ``day``: None when the
        day is closed, cut at ``saturday_closes_at`` on a regular working Saturday."""
        if self.closure(day) is not None:
            return None
        closes = closes_at
        if (day.isoweekday() == SATURDAY and day not in self._open
                and self.saturday_closes_at is not None):
            closes = min(closes, self.saturday_closes_at)
        return (opens_at, closes) if opens_at < closes else None

    def span_on(self, day: dt.date, hours: Iterable[tuple[str, str]]
                ) -> tuple[str, str] | None:
        """The centre's hours on ``day`` from its services' usual ``hours``: the earliest
        opening and the latest closing (what the board and the closed screen show); None
        when no service opens that day."""
        today = [h for o, c in hours if (h := self.hours_on(day, o, c)) is not None]
        if not today:
            return None
        return min(h[0] for h in today), max(h[1] for h in today)

    def is_open(self, at_local: dt.datetime, opens_at: str, closes_at: str) -> bool:
        """Whether a service with these usual hours is open at the local time ``at_local``."""
        hours = self.hours_on(at_local.date(), opens_at, closes_at)
        return hours is not None and hours[0] <= at_local.strftime("%H:%M") < hours[1]

    def next_opening(self, at_local: dt.datetime, hours: Iterable[tuple[str, str]],
                     horizon_days: int = 400) -> dt.datetime | None:
        """The first moment after ``at_local`` (local, naive or aware: the result has the
        same tzinfo) at which one of the services with these usual ``hours`` opens; None
        when none opens within ``horizon_days``."""
        usual = [(o, c) for o, c in hours if o and c]
        hhmm = at_local.strftime("%H:%M")
        for offset in range(horizon_days + 1):
            day = at_local.date() + dt.timedelta(days=offset)
            starts = [h[0] for o, c in usual if (h := self.hours_on(day, o, c)) is not None
                      and (offset > 0 or h[0] > hhmm)]
            if starts:
                hh, mm = (int(x) for x in min(starts).split(":"))
                return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=at_local.tzinfo)
        return None

    def upcoming(self, today: dt.date) -> WorkCalendar:
        """The same calendar without the listed days before ``today`` (what a kiosk needs)."""
        return WorkCalendar(self.working_days, self.saturday_closes_at,
                            tuple(d for d in self.closed_days if d.day >= today),
                            tuple(d for d in self.open_days if d.day >= today))

    def to_json(self) -> dict[str, Any]:
        """The wire form (the server's catalogue, the kiosk's cache)."""
        return {"working_days": sorted(self.working_days),
                "saturday_closes_at": self.saturday_closes_at,
                "closed_days": [{"date": d.day.isoformat(), "note": d.note}
                                for d in self.closed_days],
                "open_days": [{"date": d.day.isoformat(), "note": d.note}
                              for d in self.open_days]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WorkCalendar:
        """The calendar of ``to_json``'s form; missing fields take the defaults, a bad
        value raises ValueError."""
        sat = data.get("saturday_closes_at")
        if sat is not None and not HHMM.match(str(sat)):
            raise ValueError(f"saturday_closes_at is not HH:MM: {str(sat)[:20]!r}")

        def days(key: str) -> tuple[DayNote, ...]:
            rows = data.get(key) or []
            if not isinstance(rows, list):
                raise ValueError(f"{key} is not a list")
            return tuple(sorted((DayNote(parse_day(r["date"]), clean_note(r.get("note")))
                                 for r in rows), key=lambda d: d.day))
        working = data.get("working_days")
        return cls(STATE_WEEK if working is None else parse_weekdays(working),
                   None if sat is None else str(sat), days("closed_days"), days("open_days"))


def weekday_name(day: dt.date, language: str = "vi") -> str:
    """"Thứ Hai" / "Monday" for ``day``."""
    names = WEEKDAYS_EN if language == "en" else WEEKDAYS_VI
    return names[day.isoweekday() - 1]
