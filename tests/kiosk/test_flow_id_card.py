"""The citizen who holds their chip ID card up instead of their face, in the flow (no Qt,
time by hand): greeted by given name only, the masked number shown, the same
one-waiting-ticket rule and daily cap, no dependence on a face, and a QR code that is no card
gets a short message on the idle screen."""

from __future__ import annotations

from datetime import date

from kiosk import flow as f
from kiosk import model
from tests.kiosk.test_flow import ALICE, TODAY, S, one, ticket

KEY = "k-" + "ab" * 16


def card(t: float = 0, citizen=None, **kw) -> f.CardRead:
    values = {"card_key": KEY, "name": "An", "sex": "male", "masked": "079*******34",
              "date_of_birth": date(1985, 3, 15)} | kw
    return f.CardRead(t, citizen, **values)


def fresh() -> f.CitizenFlow:
    return f.CitizenFlow(S, model.services_from_settings(S), today=lambda: TODAY)


def test_a_card_holder_not_registered_is_greeted_by_given_name_and_gets_a_ticket() -> None:
    m = fresh()
    view = one(m.handle(card()), f.ShowScreen)
    assert (view.screen, view.name, view.form) == (f.IDENTIFIED, "An", "male")
    assert view.card == "079*******34" and not view.priority
    m.handle(f.Continue(1))
    issue = one(m.handle(f.PickService(2, "HT")), f.IssueTicket)
    # No registry citizen: the ticket carries the card holder's person key.
    assert (issue.citizen_id, issue.guest_key) == (None, KEY)
    printed = one(m.handle(f.TicketIssued(3, ticket(guest_key=KEY))), f.PrintTicket)
    assert printed.greeting_name == "An"


def test_the_same_card_again_gets_the_waiting_ticket_reprinted_not_a_second() -> None:
    m = fresh()
    waiting = ticket(guest_key=KEY)
    view = one(m.handle(card(open_tickets=(waiting,), tickets_today=1)), f.ShowScreen)
    assert view.open_count == 1 and view.open_tickets == ()  # shown only after a tap
    m.handle(f.Continue(1))
    effects = m.handle(f.PickService(2, "HT"))
    assert not [e for e in effects if isinstance(e, f.IssueTicket)]
    assert one(effects, f.PrintTicket).ticket == waiting
    assert m.state == f.TICKET_SHOWN and m.session.message == "reprinted"


def test_the_daily_cap_holds_for_a_card_holder() -> None:
    m = fresh()
    done = tuple(ticket(f"t{i}", waiting=False, guest_key=KEY) for i in range(3))
    view = one(m.handle(card(open_tickets=done, tickets_today=3)), f.ShowScreen)
    assert view.cap_reached
    m.handle(f.Continue(1))
    assert one(m.handle(f.PickService(2, "HT")), f.ShowScreen).message == "daily_cap"


def test_a_registered_citizen_by_card_is_the_citizen_with_their_rules() -> None:
    m = fresh()
    view = one(m.handle(card(citizen=ALICE)), f.ShowScreen)
    assert view.name == "Lan" and view.card == "079*******34"
    m.handle(f.Continue(1))
    issue = one(m.handle(f.PickService(2, "HT")), f.IssueTicket)
    assert (issue.citizen_id, issue.guest_key) == (ALICE.citizen_id, None)


def test_an_elderly_card_holder_gets_priority_from_the_card() -> None:
    m = fresh()
    assert one(m.handle(card(date_of_birth=date(1950, 1, 1))), f.ShowScreen).priority


def test_the_card_screens_do_not_depend_on_a_face() -> None:
    m = fresh()
    m.handle(f.FaceSeen(0, "too_far"))
    m.handle(card(1))
    # Faces come and go (or never come): the screen stays until its touch timeout.
    m.handle(f.FaceSeen(2, "too_far"))
    assert m.handle(f.Tick(2 + S.face_lost_s + 1)) == []
    assert m.state == f.IDENTIFIED
    m.handle(f.Tick(1 + S.greeting_timeout_s + 0.1))
    assert m.state == f.IDLE and m.session.card is None


def test_a_card_does_not_take_over_a_person_already_being_served() -> None:
    m = fresh()
    m.handle(f.Identified(0, ALICE))
    m.handle(f.Continue(1))
    assert m.handle(card(2)) == []
    assert m.state == f.CHOOSE_SERVICE and m.session.citizen == ALICE


def test_a_qr_code_that_is_no_card_says_so_on_the_idle_screen_for_a_while() -> None:
    m = fresh()
    view = one(m.handle(f.NotACard(0)), f.ShowScreen)
    assert (view.screen, view.message) == (f.IDLE, "not_id_card")
    assert m.handle(f.Tick(f.NOT_A_CARD_S - 1)) == []
    assert one(m.handle(f.Tick(f.NOT_A_CARD_S + 0.1)), f.ShowScreen).message is None
    # During someone's visit it is ignored.
    m.handle(card(20))
    assert m.handle(f.NotACard(21)) == []
