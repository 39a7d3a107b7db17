"""The working calendar both server and kiosk decide with: weekday spellings, the day's
hours (Saturday mornings, make-up days, holidays), the next opening across a lunch break,
a weekend and a long holiday, and the wire form."""

from __future__ import annotations

import datetime as dt

import pytest

from ticketing.workdays import (
    STATE_WEEK,
    Closure,
    DayNote,
    WorkCalendar,
    parse_day,
    parse_weekdays,
    weekday_name,
)


def test_weekdays_in_every_spelling_and_a_clear_error() -> None:
    assert parse_weekdays("1-5") == STATE_WEEK
    assert parse_weekdays("mon-fri") == STATE_WEEK
    assert parse_weekdays("T2-T6") == STATE_WEEK
    assert parse_weekdays([1, "tue", "Thứ Tư", "thursday", "Fri", "T7"]) == {1, 2, 3, 4, 5, 6}
    assert parse_weekdays("cn") == {7}
    for bad, says in (("1-8", "unknown weekday '8'"), ("T8", "unknown weekday 'T8'"),
                      ("fri-mon", "runs backwards"), ("", "no working weekday"),
                      ([True], "unknown weekday True")):
        with pytest.raises(ValueError, match=says):
            parse_weekdays(bad)  # type: ignore[arg-type]
    assert parse_day("2027-02-05") == dt.date(2027, 2, 5)
    for bad in ("05/02/2027", "2027-2-5", "2027-02-30", "tomorrow"):
        with pytest.raises(ValueError, match="not a date"):
            parse_day(bad)
    assert weekday_name(dt.date(2026, 12, 7)) == "Thứ Hai"
    assert weekday_name(dt.date(2026, 12, 6), "en") == "Sunday"


WARD = WorkCalendar(frozenset({1, 2, 3, 4, 5, 6}), "11:30",
                    tuple(DayNote(dt.date(2027, 2, d), "Tết") for d in range(4, 11)),
                    (DayNote(dt.date(2027, 1, 10), "Làm bù"),))


def test_the_hours_of_a_day() -> None:
    assert WARD.hours_on(dt.date(2027, 1, 4), "07:30", "17:00") == ("07:30", "17:00")
    assert WARD.hours_on(dt.date(2027, 1, 9), "07:30", "17:00") == ("07:30", "11:30")
    assert WARD.hours_on(dt.date(2027, 1, 9), "13:00", "17:00") is None  # afternoon only
    assert WARD.hours_on(dt.date(2027, 1, 10), "07:30", "17:00") == ("07:30", "17:00")
    assert WARD.closure(dt.date(2027, 1, 3)) == Closure("weekday")
    assert WARD.closure(dt.date(2027, 2, 8)) == Closure("holiday", "Tết")
    # a day both closed and make-up is closed
    both = WorkCalendar(closed_days=(DayNote(dt.date(2027, 1, 4)),),
                        open_days=(DayNote(dt.date(2027, 1, 4)),))
    assert both.hours_on(dt.date(2027, 1, 4), "07:30", "17:00") is None


def test_the_next_opening() -> None:
    split = [("07:30", "11:00"), ("13:00", "17:00")]
    monday = dt.datetime(2027, 1, 4, 12, 0)
    assert WARD.next_opening(monday, split) == dt.datetime(2027, 1, 4, 13, 0)
    # Saturday afternoon: the afternoon service does not open on Saturday; Sunday is a
    # make-up day here
    assert WARD.next_opening(dt.datetime(2027, 1, 9, 12, 0), split) == \
        dt.datetime(2027, 1, 10, 7, 30)
    # the Tết break: the first working day after it
    assert WARD.next_opening(dt.datetime(2027, 2, 3, 18, 0), split) == \
        dt.datetime(2027, 2, 11, 7, 30)
    # an aware time keeps its zone; hours that never open give None
    zone = dt.timezone(dt.timedelta(hours=7))
    assert WARD.next_opening(monday.replace(tzinfo=zone), split).tzinfo is zone  # type: ignore[union-attr]
    assert WARD.next_opening(monday, [("00:00", "00:00")]) is None
    assert WorkCalendar(frozenset()).next_opening(monday, split) is None


def test_the_wire_form_round_trips_and_drops_past_days() -> None:
    assert WorkCalendar.from_json(WARD.to_json()) == WARD
    assert WorkCalendar.from_json({}) == WorkCalendar()
    upcoming = WARD.upcoming(dt.date(2027, 2, 8))
    assert [d.day.day for d in upcoming.closed_days] == [8, 9, 10] and not upcoming.open_days
    with pytest.raises(ValueError, match="not HH:MM"):
        WorkCalendar.from_json({"saturday_closes_at": "noon"})
