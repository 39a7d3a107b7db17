"""Opening hours on the kiosk: the centre's state from the catalogue's hours (in the site's
time zone), and the flow's closed screen: no face looked at, no number given, back to idle
at opening time without a restart, and the server's refusal 'closed' shown the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from kiosk import flow as f
from kiosk.adapters.sync import services_from_catalogue
from kiosk.hours import ALWAYS_OPEN, HoursStatus, hours_status
from kiosk.model import Service
from tests.kiosk.test_flow import ALICE, S, screens, ticket, to_services
from ticketing.workdays import DayNote, WorkCalendar

HCM = "Asia/Ho_Chi_Minh"  # UTC+7
SERVICES = [Service("HT", "A", "Hộ tịch", "Civil status", (1,), "07:30", "17:00", HCM),
            Service("DD", "C", "Đất đai", "Land", (4,), "07:30", "11:30", HCM)]


def at(hh: int, mm: int = 0) -> datetime:
    """A moment given in the site's local time (UTC+7), as an aware UTC datetime."""
    return datetime(2026, 12, 2, (hh - 7) % 24, mm, tzinfo=UTC)


def test_open_closed_and_when_it_opens_next_in_the_sites_time_zone() -> None:
    before = hours_status(SERVICES, at(6, 59))
    local = before.reopens
    assert before == HoursStatus(True, "07:30", "17:00", local, day=local.date())
    assert local.isoformat() == "2026-12-03T07:30:00+07:00"  # at(6, 59): 06:59 of 03/12
    assert hours_status(SERVICES, at(7, 30)) == HoursStatus(False, "07:30", "17:00",
                                                            day=date(2026, 12, 2))
    # land closes at 11:30 while civil status stays open
    noon = hours_status(SERVICES, at(12))
    assert not noon.closed and noon.closed_services == {"DD"}
    assert hours_status(SERVICES, at(16, 59)).closed is False
    after = hours_status(SERVICES, at(17))
    # no calendar in the catalogue (an older server): every day is a working day
    assert after.closed and after.reopens.isoformat() == "2026-12-03T07:30:00+07:00"


def on(day: date, hh: int, mm: int = 0) -> datetime:
    """A local moment of the site on ``day``."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZoneInfo(HCM))


WARD = WorkCalendar(frozenset({1, 2, 3, 4, 5, 6}), "11:30",
                    (DayNote(date(2027, 2, 8), "Nghỉ Tết Nguyên đán"),),
                    (DayNote(date(2026, 12, 13), "Làm bù"),))


def test_weekdays_holidays_and_make_up_days_from_the_catalogue() -> None:
    services = [replace(s, calendar=WARD) for s in SERVICES]
    sunday = hours_status(services, on(date(2026, 12, 6), 10))
    assert sunday.closed and sunday.day_off and sunday.note == ""
    assert (sunday.opens_at, sunday.closes_at) == (None, None)
    assert sunday.reopens == on(date(2026, 12, 7), 7, 30)  # Monday 07:30
    tet = hours_status(services, on(date(2027, 2, 8), 9))
    assert tet.closed and tet.note == "Nghỉ Tết Nguyên đán"
    assert tet.reopens == on(date(2027, 2, 9), 7, 30)
    # a make-up Sunday works full hours; a plain Saturday only the morning
    assert not hours_status(services, on(date(2026, 12, 13), 16)).closed
    saturday = hours_status(services, on(date(2026, 12, 5), 11, 30))
    assert saturday.closed and not saturday.day_off and saturday.closes_at == "11:30"
    assert saturday.reopens == on(date(2026, 12, 7), 7, 30)
    assert hours_status(services, on(date(2026, 12, 5), 11, 29)).closed is False
    # in the morning of a working day: today at the opening
    assert hours_status(services, on(date(2026, 12, 7), 6)).reopens == on(date(2026, 12, 7),
                                                                          7, 30)


def test_the_catalogues_calendar_is_optional_and_a_bad_one_is_ignored() -> None:
    row = {"code": "HT", "prefix": "A", "name_vi": "Hộ tịch", "name_en": "Civil status",
           "opens_at": "07:30", "closes_at": "17:00", "timezone": HCM}
    [old] = services_from_catalogue([row])
    assert old.calendar is None
    [new] = services_from_catalogue([{**row, "calendar": WARD.to_json()}])
    assert new.calendar == WARD
    [bad] = services_from_catalogue([{**row, "calendar": {"working_days": ["xyz"]}}])
    assert bad.calendar is None


def test_a_kiosk_without_hours_is_always_open() -> None:
    standalone = [Service("HT", "A", "Hộ tịch", "Civil status")]
    assert hours_status(standalone, at(3)) == ALWAYS_OPEN
    assert hours_status([], at(3)) == ALWAYS_OPEN


def closed_flow() -> f.CitizenFlow:
    m = f.CitizenFlow(S, SERVICES)
    effects = m.handle(f.HoursChanged(0, hours_status(SERVICES, at(18))))
    assert screens(effects) == [f.CLOSED] and m.state == f.CLOSED
    return m


def test_closed_shows_its_screen_and_ignores_faces_and_the_no_face_button() -> None:
    m = closed_flow()
    view = m._show()
    assert view.screen == f.CLOSED and view.hours.opens_at == "07:30"
    for event in (f.FaceSeen(1, "too_far"), f.Identified(2, ALICE), f.Unknown(3),
                  f.TakeNumberWithoutFace(4), f.Done(5), f.Tick(100)):
        effects = m.handle(event)
        assert m.state == f.CLOSED, event
        assert not [e for e in effects if isinstance(e, f.IssueTicket)]


def test_at_opening_time_the_kiosk_goes_back_to_idle_without_a_restart() -> None:
    m = closed_flow()
    effects = m.handle(f.HoursChanged(10, hours_status(SERVICES, at(7, 30))))
    assert screens(effects) == [f.IDLE] and m.state == f.IDLE
    m.handle(f.FaceSeen(11, "too_far"))
    assert m.state == f.GUIDANCE  # faces count again


def test_closing_time_does_not_cut_a_visit_but_gives_no_new_number() -> None:
    m = f.CitizenFlow(S, SERVICES)
    to_services(m)
    effects = m.handle(f.HoursChanged(2, hours_status(SERVICES, at(17))))
    assert m.state == f.CHOOSE_SERVICE and screens(effects) == [f.CHOOSE_SERVICE]
    effects = m.handle(f.PickService(3, "HT"))
    assert m.state == f.CLOSED
    assert not [e for e in effects if isinstance(e, f.IssueTicket)]


def test_a_service_closed_now_gives_no_number_while_others_do() -> None:
    m = f.CitizenFlow(S, SERVICES)
    m.handle(f.HoursChanged(0, hours_status(SERVICES, at(12))))
    assert m.state == f.IDLE
    to_services(m, t=1)
    effects = m.handle(f.PickService(3, "DD"))
    assert m.state == f.CHOOSE_SERVICE and effects[-1].message == "service_closed"
    effects = m.handle(f.PickService(4, "HT"))
    assert m.state == f.ISSUING and any(isinstance(e, f.IssueTicket) for e in effects)


def test_an_open_ticket_of_a_closed_service_is_still_reprinted() -> None:
    m = f.CitizenFlow(S, SERVICES)
    m.handle(f.HoursChanged(0, hours_status(SERVICES, at(12))))
    to_services(m, t=1, open_tickets=(ticket(service="DD", number="C004"),),
                tickets_today=1)
    effects = m.handle(f.PickService(3, "DD"))
    assert m.state == f.TICKET_SHOWN and any(isinstance(e, f.PrintTicket) for e in effects)


def test_the_servers_refusal_closed_shows_the_closed_screen_then_idle() -> None:
    m = f.CitizenFlow(S, SERVICES)  # the kiosk's hours say open (a stale catalogue)
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    effects = m.handle(f.IssueFailed(3, f.CLOSED_REFUSAL))
    assert m.state == f.CLOSED and screens(effects) == [f.CLOSED]
    assert effects[-1].message == f.CLOSED_REFUSAL and effects[-1].name is None
    m.handle(f.Tick(3 + S.show_number_s - 1))
    assert m.state == f.CLOSED
    m.handle(f.Tick(3 + S.show_number_s + 0.1))
    assert m.state == f.IDLE
