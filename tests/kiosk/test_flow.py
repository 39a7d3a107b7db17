"""The citizen flow, transition by transition, with time driven by hand (no Qt, no sleep)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from config.kiosk import KioskSettings
from kiosk import flow as f
from kiosk import model

TODAY = date(2026, 11, 27)
S = KioskSettings(face_lost_s=2, guidance_timeout_s=20, greeting_timeout_s=30,
                  choose_service_timeout_s=45, issue_timeout_s=10, show_number_s=10,
                  print_failed_s=60, daily_ticket_cap=3, elderly_age=60,
                  unknown_confirm_s=0)
ALICE = f.CitizenInfo(7, "Chị Lan", date(1990, 5, 1), None)
ELDER = f.CitizenInfo(8, "Bác Hùng", date(1966, 11, 27), None)  # 60 today
VETERAN = f.CitizenInfo(9, "Ông Minh", date(1985, 1, 1), "merit")


def ticket(id: str = "t1", service: str = "HT", number: str = "A001", **kw) -> f.IssuedTicket:
    return f.IssuedTicket(id, service, number, kw.pop("priority", False),
                          datetime(2026, 11, 27, 9, 0), **kw)


@pytest.fixture
def m() -> f.CitizenFlow:
    return f.CitizenFlow(S, model.services_from_settings(S), today=lambda: TODAY)


def screens(effects: list) -> list[str]:
    return [e.screen for e in effects if isinstance(e, f.ShowScreen)]


def one(effects: list, kind: type):
    found = [e for e in effects if isinstance(e, kind)]
    assert len(found) == 1, effects
    return found[0]


def to_services(m: f.CitizenFlow, citizen=ALICE, t: float = 0, **kw) -> None:
    m.handle(f.Identified(t, citizen, **kw))
    m.handle(f.Continue(t + 1))
    assert m.state == f.CHOOSE_SERVICE


def to_ticket(m: f.CitizenFlow, t: float = 0) -> f.IssuedTicket:
    to_services(m, t=t)
    m.handle(f.PickService(t + 2, "HT"))
    tk = ticket()
    m.handle(f.TicketIssued(t + 3, tk))
    assert m.state == f.TICKET_SHOWN
    return tk


# ---------------------------------------------------------------- idle and guidance


def test_starts_idle_in_the_configured_language(m: f.CitizenFlow) -> None:
    assert m.state == f.IDLE and m.language == "vi"


@pytest.mark.parametrize(("reason", "key"), [
    ("no_face", "look_at_camera"), ("too_far", "come_closer"), ("cut_off", "center_face"),
    ("blurry", "hold_still"), ("too_dark", "more_light"), ("too_bright", "less_light"),
    ("not_frontal", "look_straight"), ("several_faces", "one_person"),
    ("ambiguous", "hold_still"),
])
def test_each_quality_reason_gives_its_instruction(m: f.CitizenFlow, reason: str,
                                                   key: str) -> None:
    eff = m.handle(f.FaceSeen(0, reason))
    assert m.state == f.GUIDANCE
    assert one(eff, f.ShowScreen).guidance == key


def test_guidance_updates_only_when_the_instruction_changes(m: f.CitizenFlow) -> None:
    m.handle(f.FaceSeen(0, "too_far"))
    assert m.handle(f.FaceSeen(0.1, "too_far")) == []
    eff = m.handle(f.FaceSeen(0.2, "too_dark"))
    assert one(eff, f.ShowScreen).guidance == "more_light"


def test_guidance_returns_to_idle_when_the_face_is_gone(m: f.CitizenFlow) -> None:
    m.handle(f.FaceSeen(0, "too_far"))
    m.handle(f.FaceLost(0.5))
    assert m.handle(f.Tick(1.9)) == []
    assert screens(m.handle(f.Tick(2.0))) == [f.IDLE]


def test_guidance_timeout_offers_to_continue_as_guest(m: f.CitizenFlow) -> None:
    m.handle(f.FaceSeen(0, "not_frontal"))
    for t in range(1, 20):
        m.handle(f.FaceSeen(t, "not_frontal"))
        assert m.handle(f.Tick(t)) == []
    eff = m.handle(f.Tick(20))
    assert m.state == f.UNKNOWN
    assert one(eff, f.ShowScreen).message == "not_recognised"


def test_ticks_in_idle_do_nothing(m: f.CitizenFlow) -> None:
    assert m.handle(f.Tick(1000)) == [] and m.state == f.IDLE


def test_face_lost_in_idle_does_nothing(m: f.CitizenFlow) -> None:
    assert m.handle(f.FaceLost(1)) == []


# ---------------------------------------------------------------- identified / unknown


def test_identified_from_idle_or_guidance_greets_by_given_name_only(m: f.CitizenFlow) -> None:
    # Issue 12: no full name in the title, the given name (last word) with a form of address.
    m.handle(f.FaceSeen(0, "too_far"))
    eff = m.handle(f.Identified(1, ALICE))
    assert m.state == f.IDENTIFIED
    shown = one(eff, f.ShowScreen)
    assert shown.name == "Lan" and shown.priority is False and shown.form is None


def test_greeting_offers_open_tickets_of_today_for_reprint(m: f.CitizenFlow) -> None:
    open_t, done_t = ticket("t1"), ticket("t2", "DD", "B004", waiting=False)
    eff = m.handle(f.Identified(0, ALICE, (open_t, done_t), 2))
    assert one(eff, f.ShowScreen).open_tickets == ()  # issue 12: only after a tap
    assert one(eff, f.ShowScreen).open_count == 1
    eff = m.handle(f.ShowMyTickets(0.5))
    assert one(eff, f.ShowScreen).open_tickets == (open_t,)
    eff = m.handle(f.Reprint(1, "t1"))
    assert m.state == f.TICKET_SHOWN
    assert one(eff, f.PrintTicket).ticket == open_t
    assert one(eff, f.ShowScreen).message == "reprinted"
    assert m.handle(f.Reprint(2, "t2")) == []  # not waiting any more: not reprintable


def test_identification_without_citizen_details_is_ignored(m: f.CitizenFlow) -> None:
    assert m.handle(f.Identified(0, None)) == [] and m.state == f.IDLE


def test_unknown_face_offers_guest(m: f.CitizenFlow) -> None:
    eff = m.handle(f.Unknown(0, None))
    assert screens(eff) == [f.UNKNOWN]
    m.handle(f.ContinueAsGuest(1))
    assert m.state == f.CHOOSE_SERVICE


def test_guest_screen_waits_until_the_face_stays_unknown() -> None:
    m = f.CitizenFlow(S.model_copy(update={"unknown_confirm_s": 1.0}), [], lambda: TODAY)
    eff = m.handle(f.Unknown(0))
    assert m.state == f.GUIDANCE and one(eff, f.ShowScreen).guidance == "checking"
    assert m.handle(f.Unknown(0.5)) == []
    m.handle(f.FaceSeen(0.7, "blurry"))  # the streak is broken
    m.handle(f.Unknown(0.8))
    assert m.state == f.GUIDANCE
    m.handle(f.Unknown(1.5))
    assert m.state == f.GUIDANCE
    assert screens(m.handle(f.Unknown(1.8))) == [f.UNKNOWN]


def test_a_match_during_the_wait_greets_at_once() -> None:
    m = f.CitizenFlow(S.model_copy(update={"unknown_confirm_s": 1.0}), [], lambda: TODAY)
    m.handle(f.Unknown(0))
    m.handle(f.Identified(0.2, ALICE))
    assert m.state == f.IDENTIFIED


def test_unknown_upgrades_to_identified_before_any_touch(m: f.CitizenFlow) -> None:
    m.handle(f.Unknown(0))
    m.handle(f.Identified(0.5, ALICE))
    assert m.state == f.IDENTIFIED


def test_unknown_does_not_upgrade_after_a_touch(m: f.CitizenFlow) -> None:
    m.handle(f.Unknown(0))
    m.handle(f.AskPriority(0.2))
    m.handle(f.Identified(0.5, ALICE))
    assert m.state == f.UNKNOWN


def test_another_face_does_not_replace_the_greeted_person(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, ALICE))
    assert m.handle(f.Identified(1, ELDER)) == []
    assert m.session.citizen == ALICE
    assert m.handle(f.Unknown(1)) == [] and m.handle(f.FaceSeen(1, "too_far")) == []


@pytest.mark.parametrize("start", ["identified", "unknown"])
def test_greeting_and_guest_screens_time_out_without_touch(m: f.CitizenFlow,
                                                           start: str) -> None:
    m.handle(f.Identified(0, ALICE) if start == "identified" else f.Unknown(0))
    m.handle(f.AskPriority(10))  # a touch restarts the wait
    m.handle(f.Identified(39.5, ALICE) if start == "identified" else f.Unknown(39.5))
    # issue 12: a countdown shows before the timeout, the screen stays
    assert screens(m.handle(f.Tick(39.9))) in ([], [start])
    assert m.state == start
    assert screens(m.handle(f.Tick(40))) == [f.IDLE]


def test_fresher_ticket_list_from_the_server_replaces_the_local_one(m: f.CitizenFlow) -> None:
    old = ticket("t9", "HT", "A009")
    m.handle(f.Identified(0, ALICE, (old,), 1))
    eff = m.handle(f.OpenTickets(0.5, ALICE.citizen_id, (), 1))  # A009 was served meanwhile
    assert one(eff, f.ShowScreen).open_tickets == ()
    m.handle(f.Continue(1))
    assert one(m.handle(f.PickService(2, "HT")), f.IssueTicket).service == "HT"  # a new one


def test_ticket_list_for_someone_else_is_ignored(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, ALICE, (ticket(),), 1))
    assert m.handle(f.OpenTickets(0.5, 99, (), 0)) == []
    assert m.session.open_tickets == (ticket(),)


def test_continue_goes_to_services(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, ALICE))
    assert screens(m.handle(f.Continue(1))) == [f.CHOOSE_SERVICE]


# ---------------------------------------------------------------- without face


@pytest.mark.parametrize("start", ["idle", "guidance", "unknown"])
def test_take_a_number_without_face(m: f.CitizenFlow, start: str) -> None:
    if start == "guidance":
        m.handle(f.FaceSeen(0, "too_far"))
    elif start == "unknown":
        m.handle(f.Unknown(0, "guest-1"))
    m.handle(f.TakeNumberWithoutFace(1))
    assert m.state == f.CHOOSE_SERVICE
    eff = m.handle(f.PickService(2, "DD"))
    assert one(eff, f.IssueTicket) == f.IssueTicket("DD", None, None, False)
    assert m.state == f.ISSUING


def test_take_a_number_without_face_is_not_offered_mid_visit(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, ALICE))
    assert m.handle(f.TakeNumberWithoutFace(1)) == []


# ---------------------------------------------------------------- services and issuing


def test_pick_service_issues_for_the_citizen(m: f.CitizenFlow) -> None:
    to_services(m)
    eff = m.handle(f.PickService(2, "HT"))
    assert one(eff, f.IssueTicket) == f.IssueTicket("HT", 7, None, False)
    assert screens(eff) == [f.ISSUING]


def test_unknown_service_code_is_ignored(m: f.CitizenFlow) -> None:
    to_services(m)
    assert m.handle(f.PickService(2, "NOPE")) == [] and m.state == f.CHOOSE_SERVICE


def test_guest_seen_earlier_today_is_issued_with_their_guest_key(m: f.CitizenFlow) -> None:
    m.handle(f.Unknown(0, "guest-abc"))
    m.handle(f.ContinueAsGuest(1))
    eff = m.handle(f.PickService(2, "KD"))
    assert one(eff, f.IssueTicket) == f.IssueTicket("KD", None, "guest-abc", False)


def test_same_service_again_reprints_the_same_number(m: f.CitizenFlow) -> None:
    waiting = ticket("t9", "HT", "A009")
    to_services(m, open_tickets=(waiting,), tickets_today=1)
    eff = m.handle(f.PickService(2, "HT"))
    assert not [e for e in eff if isinstance(e, f.IssueTicket)]
    assert one(eff, f.PrintTicket).ticket.number == "A009"
    assert one(eff, f.ShowScreen).message == "reprinted"
    assert m.state == f.TICKET_SHOWN


def test_guest_asking_same_service_again_gets_same_number(m: f.CitizenFlow) -> None:
    waiting = ticket("g1", "CT", "F002", guest_key="guest-abc")
    m.handle(f.Unknown(0, "guest-abc", (waiting,), 1))
    m.handle(f.ContinueAsGuest(1))
    eff = m.handle(f.PickService(2, "CT"))
    assert one(eff, f.PrintTicket).ticket.number == "F002"


def test_other_service_is_a_new_ticket(m: f.CitizenFlow) -> None:
    to_services(m, open_tickets=(ticket("t9", "HT", "A009"),), tickets_today=1)
    eff = m.handle(f.PickService(2, "DD"))
    assert one(eff, f.IssueTicket).service == "DD"


def test_daily_cap_refuses_a_new_ticket(m: f.CitizenFlow) -> None:
    to_services(m, tickets_today=3)
    eff = m.handle(f.PickService(2, "DD"))
    assert m.state == f.CHOOSE_SERVICE
    assert one(eff, f.ShowScreen).message == "daily_cap"
    assert not [e for e in eff if isinstance(e, f.IssueTicket)]


def test_daily_cap_does_not_apply_to_anonymous_tickets(m: f.CitizenFlow) -> None:
    m.handle(f.TakeNumberWithoutFace(0))
    assert one(m.handle(f.PickService(1, "DD")), f.IssueTicket)


def test_tickets_issued_in_the_session_count_towards_hoarding(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    m.handle(f.PrintFinished(4, tk.id, True))
    # Same person, same visit, back on the services (e.g. a second flow after Done):
    m.state = f.CHOOSE_SERVICE
    eff = m.handle(f.PickService(5, "HT"))
    assert one(eff, f.PrintTicket).ticket == tk


def test_services_screen_times_out(m: f.CitizenFlow) -> None:
    to_services(m)  # last touch at 1
    m.handle(f.FaceSeen(45.5, "no_face"))  # still there (looking down at the screen)
    assert screens(m.handle(f.Tick(45.9))) in ([], [f.CHOOSE_SERVICE])  # countdown only
    assert m.state == f.CHOOSE_SERVICE
    assert screens(m.handle(f.Tick(46))) == [f.IDLE]


def test_issue_failure_returns_to_services_with_a_message(m: f.CitizenFlow) -> None:
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    eff = m.handle(f.IssueFailed(3, "issue_failed"))
    assert m.state == f.CHOOSE_SERVICE and one(eff, f.ShowScreen).message == "issue_failed"


def test_issuing_times_out(m: f.CitizenFlow) -> None:
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    assert m.handle(f.Tick(11.9)) == []
    eff = m.handle(f.Tick(12))
    assert m.state == f.CHOOSE_SERVICE and one(eff, f.ShowScreen).message == "issue_failed"


def test_done_while_issuing_is_ignored(m: f.CitizenFlow) -> None:
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    assert m.handle(f.Done(3)) == [] and m.state == f.ISSUING


def test_late_ticket_after_leaving_issuing_is_ignored(m: f.CitizenFlow) -> None:
    assert m.handle(f.TicketIssued(0, ticket())) == []


def test_ticket_arriving_after_the_issue_timeout_is_still_shown(m: f.CitizenFlow) -> None:
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    m.handle(f.Tick(12))  # timed out: "no number could be issued"
    eff = m.handle(f.TicketIssued(13, ticket()))
    assert m.state == f.TICKET_SHOWN and one(eff, f.PrintTicket).ticket.number == "A001"


# ---------------------------------------------------------------- priority


def test_priority_from_registry_group(m: f.CitizenFlow) -> None:
    to_services(m, VETERAN)
    assert one(m.handle(f.PickService(2, "HT")), f.IssueTicket).priority is True


def test_priority_from_age_counts_the_birthday(m: f.CitizenFlow) -> None:
    to_services(m, ELDER)
    assert one(m.handle(f.PickService(2, "HT")), f.IssueTicket).priority is True
    day_before = f.CitizenInfo(10, "X", date(1966, 11, 28))
    assert f.is_priority(day_before, TODAY, S) is False
    assert f.is_priority(f.CitizenInfo(11, "Y"), TODAY, S) is False


def test_priority_button_asks_for_priority(m: f.CitizenFlow) -> None:
    m.handle(f.TakeNumberWithoutFace(0))
    eff = m.handle(f.AskPriority(1))  # issue 12: asks for a confirmation first
    assert one(eff, f.ShowScreen).confirm_priority is True
    assert one(eff, f.ShowScreen).priority is False
    eff = m.handle(f.ConfirmPriority(1.5, True))
    assert one(eff, f.ShowScreen).priority is True
    assert one(m.handle(f.PickService(2, "HT")), f.IssueTicket).priority is True


def test_priority_button_does_nothing_when_idle(m: f.CitizenFlow) -> None:
    assert m.handle(f.AskPriority(0)) == []


# ---------------------------------------------------------------- ticket and printing


def test_issued_ticket_is_printed_and_shown(m: f.CitizenFlow) -> None:
    to_services(m)
    m.handle(f.PickService(2, "HT"))
    tk = ticket(people_ahead=4, counters="1, 2")
    eff = m.handle(f.TicketIssued(3, tk))
    shown = one(eff, f.ShowScreen)
    assert shown.screen == f.TICKET_SHOWN and shown.ticket == tk and shown.printing
    pr = one(eff, f.PrintTicket)
    assert pr.ticket == tk and pr.greeting_name == "Lan" and pr.language == "vi"


def test_ticket_screen_returns_to_idle_after_show_number_s(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    m.handle(f.PrintFinished(4, tk.id, True))
    for t in range(4, 14):
        m.handle(f.FaceSeen(t, "too_far"))  # still standing there
        assert m.handle(f.Tick(t + 0.9)) == []
    assert screens(m.handle(f.Tick(14))) == [f.IDLE]


def test_ticket_screen_returns_at_once_when_the_person_leaves(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)  # face last seen at 0
    m.handle(f.PrintFinished(4, tk.id, True))
    assert m.handle(f.Tick(5.9)) == []  # shown at least face_lost_s after printing
    assert screens(m.handle(f.Tick(6))) == [f.IDLE]


def test_done_on_ticket_screen_returns_to_idle(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    assert m.handle(f.Done(4)) == []  # the printer has not answered yet
    m.handle(f.PrintFinished(4, tk.id, True))
    assert screens(m.handle(f.Done(5))) == [f.IDLE]


def test_printer_failure_keeps_the_number_and_alerts_staff(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    eff = m.handle(f.PrintFinished(4, tk.id, False, "paper_out"))
    assert m.state == f.PRINT_FAILED
    shown = one(eff, f.ShowScreen)
    assert shown.ticket == tk and shown.message == "paper_out"
    assert one(eff, f.AlertStaff) == f.AlertStaff("paper_out", "A001")


def test_print_answer_for_another_ticket_is_ignored(m: f.CitizenFlow) -> None:
    to_ticket(m)
    assert m.handle(f.PrintFinished(4, "other", False, "paper_out")) == []


def test_printer_that_never_answers_counts_as_failed(m: f.CitizenFlow) -> None:
    to_ticket(m)  # print asked at 3
    assert m.handle(f.Tick(3 + f.PRINT_ANSWER_S - 0.1)) == []
    eff = m.handle(f.Tick(3 + f.PRINT_ANSWER_S))
    assert m.state == f.PRINT_FAILED and one(eff, f.AlertStaff).reason == "printer_timeout"


def test_slow_printer_that_succeeds_after_the_timeout_clears_the_failure(m: f.CitizenFlow
                                                                        ) -> None:
    tk = to_ticket(m)
    m.handle(f.Tick(3 + f.PRINT_ANSWER_S))
    assert m.state == f.PRINT_FAILED
    eff = m.handle(f.PrintFinished(30, tk.id, True))
    assert m.state == f.TICKET_SHOWN and not one(eff, f.ShowScreen).printing


def test_reprint_after_failure_prints_again(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    m.handle(f.PrintFinished(4, tk.id, False, "offline"))
    eff = m.handle(f.Reprint(5))
    assert m.state == f.TICKET_SHOWN and one(eff, f.PrintTicket).ticket == tk
    assert m.handle(f.Reprint(5.5)) == []  # already printing
    m.handle(f.PrintFinished(6, tk.id, True))
    assert m.state == f.TICKET_SHOWN and not m.session.printing


def test_print_failed_screen_times_out_and_done_leaves(m: f.CitizenFlow) -> None:
    tk = to_ticket(m)
    m.handle(f.PrintFinished(4, tk.id, False, "offline"))
    assert screens(m.handle(f.Tick(63.9))) in ([], [f.PRINT_FAILED])  # countdown only
    assert m.state == f.PRINT_FAILED
    assert screens(m.handle(f.Tick(64))) == [f.IDLE]
    tk = to_ticket(m, t=100)
    m.handle(f.PrintFinished(104, tk.id, False, "offline"))
    assert screens(m.handle(f.Done(105))) == [f.IDLE]


# ---------------------------------------------------------------- language and reset


def test_language_switch_and_return_to_default_when_idle(m: f.CitizenFlow) -> None:
    eff = m.handle(f.SwitchLanguage(0, "en"))
    assert one(eff, f.SetLanguage).language == "en" and one(eff, f.ShowScreen).language == "en"
    assert m.handle(f.SwitchLanguage(0.1, "en")) == []
    assert m.handle(f.SwitchLanguage(0.1, "fr")) == []
    m.handle(f.TakeNumberWithoutFace(1))
    eff = m.handle(f.Done(2))
    assert one(eff, f.SetLanguage).language == "vi" and m.language == "vi"


def test_idle_forgets_the_person(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, VETERAN))
    m.handle(f.Done(1))
    assert m.session.citizen is None and m.session.priority is False
    m.handle(f.TakeNumberWithoutFace(2))
    assert one(m.handle(f.PickService(3, "HT")), f.IssueTicket).priority is False


@dataclass
class FakeResult:  # the shape of recognition.engine.IdentifyResult
    faces: int
    reason: str | None
    match: object | None = None


@pytest.mark.parametrize(("result", "kind"), [
    (FakeResult(0, "no_face"), f.FaceLost),
    (FakeResult(1, "too_far"), f.FaceSeen),
    (FakeResult(1, "unknown"), f.Unknown),
    (FakeResult(1, None, object()), f.Identified),
    (FakeResult(2, "several_faces"), f.FaceSeen),
])
def test_recognition_results_become_events(result: FakeResult, kind: type) -> None:
    assert type(f.event_from_result(result, 1.0)) is kind


# ---------------------------------------------------------------- issue 12: privacy


@pytest.mark.parametrize("screen", [f.IDENTIFIED, f.UNKNOWN, f.CHOOSE_SERVICE])
def test_person_screens_go_idle_once_the_face_is_gone(m: f.CitizenFlow, screen: str) -> None:
    m.handle(f.Identified(0, ALICE) if screen != f.UNKNOWN else f.Unknown(0))
    if screen == f.CHOOSE_SERVICE:
        m.handle(f.Continue(0.5))
    m.handle(f.FaceSeen(1, "blurry"))  # still there
    m.handle(f.Tick(2.9))
    assert m.state == screen
    eff = m.handle(f.Tick(3.0))  # face_lost_s = 2 after the last face at 1
    assert screens(eff) == [f.IDLE] and m.session.citizen is None


def test_a_screen_taken_without_face_is_not_ended_by_the_camera(m: f.CitizenFlow) -> None:
    m.handle(f.TakeNumberWithoutFace(0))
    m.handle(f.Tick(10))
    assert m.state == f.CHOOSE_SERVICE


def test_the_next_citizen_does_not_keep_the_previous_greeting(m: f.CitizenFlow) -> None:
    m.handle(f.Identified(0, ALICE))
    m.handle(f.Identified(1, ELDER))  # Alice left, the next person stepped in
    m.handle(f.Identified(2.5, ELDER))
    eff = m.handle(f.Tick(2.5))
    assert screens(eff) == [f.IDLE]
    eff = m.handle(f.Identified(2.7, ELDER))
    assert m.state == f.IDENTIFIED and one(eff, f.ShowScreen).name == "Hùng"


def test_form_of_address_comes_from_sex_and_name_is_the_given_name(m: f.CitizenFlow) -> None:
    lady = f.CitizenInfo(12, "Nguyễn Thị Minh Khai", None, None, "female")
    shown = one(m.handle(f.Identified(0, lady)), f.ShowScreen)
    assert (shown.name, shown.form) == ("Khai", "female")
    assert "Nguyễn" not in repr(shown)


def test_given_name_and_sex_helpers() -> None:
    assert model.given_name("  Trần   Văn  Bình ") == "Bình" and model.given_name("") == ""
    assert model.sex_from_id_number("079203001234") == "male"     # 2: male, 2000s
    assert model.sex_from_id_number("001186001234") == "female"   # 1: female, 1900s
    assert model.sex_from_id_number("12345") is None
    assert model.sex_from_text("Nữ") == "female" and model.sex_from_text("Nam") == "male"
    assert model.sex_from_text("?") is None


def test_language_chosen_on_idle_goes_back_to_the_default(m: f.CitizenFlow) -> None:
    m.handle(f.SwitchLanguage(0, "en"))
    assert m.language == "en"
    assert m.handle(f.Tick(29)) == []
    eff = m.handle(f.Tick(30))  # greeting_timeout_s without a touch or a face
    assert one(eff, f.SetLanguage).language == "vi" and m.language == "vi"


def test_countdown_before_a_timeout_and_a_touch_clears_it(m: f.CitizenFlow) -> None:
    m.handle(f.TakeNumberWithoutFace(0))
    assert m.handle(f.Tick(30)) == []
    eff = m.handle(f.Tick(35.2))  # 9.8 s left of 45
    assert one(eff, f.ShowScreen).seconds_left == 10
    assert m.handle(f.Tick(35.5)) == []  # same whole second: nothing new
    assert one(m.handle(f.Tick(40.1)), f.ShowScreen).seconds_left == 5
    eff = m.handle(f.AskPriority(41))
    assert one(eff, f.ShowScreen).seconds_left is None


def test_priority_confirmation_can_be_cancelled(m: f.CitizenFlow) -> None:
    m.handle(f.TakeNumberWithoutFace(0))
    m.handle(f.AskPriority(1))
    eff = m.handle(f.ConfirmPriority(2, False))
    shown = one(eff, f.ShowScreen)
    assert shown.priority is False and shown.confirm_priority is False
    assert one(m.handle(f.PickService(3, "HT")), f.IssueTicket).priority is False


def test_daily_cap_is_said_on_the_greeting(m: f.CitizenFlow) -> None:
    tickets = tuple(ticket(f"t{i}", waiting=False) for i in range(3))
    shown = one(m.handle(f.Identified(0, ALICE, tickets, 3)), f.ShowScreen)
    assert shown.cap_reached is True
    m2 = f.CitizenFlow(S, model.services_from_settings(S), today=lambda: TODAY)
    assert one(m2.handle(f.Identified(0, ALICE, (), 2)), f.ShowScreen).cap_reached is False


def test_the_name_staff_chose_is_used_as_is(m: f.CitizenFlow) -> None:
    lin = f.CitizenInfo(13, "Anh Lin", None, None, address_as="Anh Lin")
    shown = one(m.handle(f.Identified(0, lin)), f.ShowScreen)
    assert (shown.name, shown.form) == ("Anh Lin", "as_is")


def test_same_service_again_says_so_and_reprints_with_its_priority(m: f.CitizenFlow) -> None:
    old = ticket("t5", "HT", "A005", priority=True)
    m.handle(f.Identified(0, ALICE, (old,), 1))
    m.handle(f.Continue(1))
    eff = m.handle(f.PickService(2, "HT"))
    assert one(eff, f.PrintTicket).ticket.priority is True
    shown = one(eff, f.ShowScreen)
    assert shown.message == "reprinted" and shown.ticket.number == "A005"
