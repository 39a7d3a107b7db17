"""The citizen flow: a state machine in plain Python (no Qt, no camera, no network).

The app feeds it events (``CitizenFlow.handle(event)``) from the camera and recognition,
the touchscreen, a timer, the ticket issuer and the printer; it answers with effects
(``ShowScreen``, ``IssueTicket``, ``PrintTicket``, ``AlertStaff``, ``SetLanguage``) that the
app carries out. Every event carries ``now``: seconds on a monotonic clock, so tests drive
time by hand and nothing sleeps. Decisions live here: which guidance to show, when to go
back to idle, whether a person gets their existing number reprinted instead of a new one,
the daily cap, and priority.

States: idle → guidance → identified | unknown → choose_service → issuing → ticket_shown
(→ print_failed). "Take a number without face recognition" leads from idle (or guidance)
straight to choose_service. A chip ID card's QR code held up to the camera (``CardRead``)
leads from idle (or guidance) to the greeting, with no face involved: the registry citizen
when enrolled, else the card holder under their person key; the same rules follow.
Outside opening hours (``HoursChanged``) the kiosk rests in ``closed`` instead of idle: no
face or card is looked at and no number is given; a server refusal ``closed`` at issue
time shows the same screen for a while.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk.hours import ALWAYS_OPEN, HoursStatus
from kiosk.model import CitizenInfo, IssuedTicket, IssueTicket, Service, given_name

if TYPE_CHECKING:
    from config.kiosk import KioskSettings

# States
IDLE = "idle"
GUIDANCE = "guidance"
IDENTIFIED = "identified"
UNKNOWN = "unknown"
CHOOSE_SERVICE = "choose_service"
ISSUING = "issuing"
TICKET_SHOWN = "ticket_shown"
PRINT_FAILED = "print_failed"
#: outside opening hours (or the server refused a number as "closed")
CLOSED = "closed"
STATES = (IDLE, GUIDANCE, IDENTIFIED, UNKNOWN, CHOOSE_SERVICE, ISSUING, TICKET_SHOWN,
          PRINT_FAILED, CLOSED)
#: ``IssueFailed.reason`` of a number the server refused because the service is closed
CLOSED_REFUSAL = "closed"

#: Quality reason from the recognition engine → key of the instruction shown to the citizen.
GUIDANCE_KEYS = {
    "no_face": "look_at_camera",
    "too_far": "come_closer",
    "cut_off": "center_face",
    "blurry": "hold_still",
    "too_dark": "more_light",
    "too_bright": "less_light",
    "not_frontal": "look_straight",
    "several_faces": "one_person",
    "ambiguous": "hold_still",
    "checking": "checking",
}

#: Seconds the ticket screen waits for the printer's answer before treating it as failed.
PRINT_ANSWER_S = 15.0
#: Seconds before a screen times out from which it shows a countdown.
COUNTDOWN_S = 10.0
#: Screens tied to one person: they go back to idle once that person's face is gone.
PERSON_SCREENS = ("identified", "unknown", "choose_service")
#: Seconds the idle screen says a QR code held up is no ID card.
NOT_A_CARD_S = 6.0


# --------------------------------------------------------------------------- rules


def is_priority(citizen: CitizenInfo | None, today: date, settings: KioskSettings) -> bool:
    """Priority from the registry group, or from the age on ``today`` (elderly)."""
    if citizen is None:
        return False
    if citizen.priority_group and citizen.priority_group in settings.priority_groups:
        return True
    return is_elderly(citizen.date_of_birth, today, settings)


def is_elderly(dob: date | None, today: date, settings: KioskSettings) -> bool:
    """True when someone born on ``dob`` is at least ``elderly_age`` on ``today``."""
    if dob is None:
        return False
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return age >= settings.elderly_age


def greeting_of(citizen: CitizenInfo | None) -> tuple[str | None, str | None]:
    """(name, form) to greet a citizen with, never the full name.

    The name staff chose at enrolment ("Anh Lin") is used as is (form "as_is"); else the
    given name (last word of the full name) with the form "male", "female" or None (neutral).
    """
    if citizen is None:
        return None, None
    if citizen.address_as:
        return citizen.address_as, "as_is"
    return given_name(citizen.display_name) or None, citizen.sex


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Event:
    """Base of every event; ``now`` is monotonic seconds."""

    now: float


@dataclass(frozen=True)
class FaceSeen(Event):
    """A face is in view but not yet good enough; ``reason`` is a quality reason."""

    reason: str = "no_face"


@dataclass(frozen=True)
class FaceLost(Event):
    """No face in view."""


@dataclass(frozen=True)
class Identified(Event):
    """The face matched an enrolled citizen; their open tickets and count of today."""

    citizen: CitizenInfo | None = None
    open_tickets: tuple[IssuedTicket, ...] = ()
    tickets_today: int = 0


@dataclass(frozen=True)
class Unknown(Event):
    """A good face that matches no citizen; ``guest_key`` if it matched a guest of today."""

    guest_key: str | None = None
    open_tickets: tuple[IssuedTicket, ...] = ()
    tickets_today: int = 0


@dataclass(frozen=True)
class CardRead(Event):
    """A chip ID card's QR code was read (no face involved).

    ``citizen``: the registry citizen (None: not enrolled, erased, consent withdrawn);
    ``card_key``: the card holder's person key (``k-``..., a keyed hash of the number) that
    their tickets carry when they are not enrolled; ``name`` the given name on the card,
    ``sex`` "male"/"female"/None, ``date_of_birth`` from the card (elderly priority);
    ``masked`` the number as shown (``079*******34``, never the full number); their tickets
    of today.
    """

    citizen: CitizenInfo | None = None
    card_key: str | None = None
    name: str = ""
    sex: str | None = None
    date_of_birth: date | None = None
    masked: str = ""
    open_tickets: tuple[IssuedTicket, ...] = ()
    tickets_today: int = 0


@dataclass(frozen=True)
class NotACard(Event):
    """A QR code held up to the camera that is no chip ID card."""


@dataclass(frozen=True)
class OpenTickets(Event):
    """A fresher list of the identified citizen's tickets of today (from the server)."""

    citizen_id: int | None = None
    open_tickets: tuple[IssuedTicket, ...] = ()
    tickets_today: int = 0


@dataclass(frozen=True)
class Tick(Event):
    """Time passes (the app sends one every few hundred ms)."""


@dataclass(frozen=True)
class TakeNumberWithoutFace(Event):
    """Touch: the always-visible 'take a number without face recognition' button."""


@dataclass(frozen=True)
class ContinueAsGuest(Event):
    """Touch: continue without being recognised."""


@dataclass(frozen=True)
class Continue(Event):
    """Touch: go on from the greeting to the services."""


@dataclass(frozen=True)
class PickService(Event):
    """Touch: a service tile."""

    code: str = ""


@dataclass(frozen=True)
class AskPriority(Event):
    """Touch: 'I need priority' (asks for a confirmation first; the counter verifies)."""


@dataclass(frozen=True)
class ConfirmPriority(Event):
    """Touch: the answer to 'do you need priority?' (``yes`` False: cancel)."""

    yes: bool = True


@dataclass(frozen=True)
class ShowMyTickets(Event):
    """Touch: 'show my numbers of today' on the greeting (they are hidden until then)."""


@dataclass(frozen=True)
class Reprint(Event):
    """Touch: reprint a ticket (an open ticket on the greeting, or after a print failure)."""

    ticket_id: str | None = None


@dataclass(frozen=True)
class SwitchLanguage(Event):
    """Touch: VI / EN."""

    language: str = "vi"


@dataclass(frozen=True)
class Done(Event):
    """Touch: 'done' / 'cancel': back to idle."""


@dataclass(frozen=True)
class TicketIssued(Event):
    """The issuer committed a ticket (locally, and online when it could)."""

    ticket: IssuedTicket | None = None


@dataclass(frozen=True)
class IssueFailed(Event):
    """The issuer could not give a number; ``reason`` is a message key."""

    reason: str = "issue_failed"


@dataclass(frozen=True)
class HoursChanged(Event):
    """The centre opened or closed, or a service did (the app checks the hours' clock)."""

    hours: HoursStatus = ALWAYS_OPEN


@dataclass(frozen=True)
class PrintFinished(Event):
    """The printer's answer for a ticket: ``ok`` and a reason such as 'paper_out'."""

    ticket_id: str = ""
    ok: bool = True
    reason: str | None = None


# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class ShowScreen:
    """Show ``screen`` (a state name) with what it needs.

    ``guidance`` is an instruction key, ``message`` a notice key (e.g. 'daily_cap',
    'reprinted', 'issue_failed'), ``printing`` True while the printer has not answered.
    ``name`` is the given name only (never the full name), ``form`` how to address the
    person ("male", "female" or None: neutral). ``open_tickets`` is empty until the person
    tapped to see them; ``open_count`` says how many there are. ``seconds_left`` is the
    countdown (whole seconds) before the screen times out, None while not close.
    ``cap_reached``: the person has taken the most numbers allowed today.
    ``confirm_priority``: the screen asks "do you need priority?" (yes / no).
    ``card``: the masked id number when the person came with their ID card (no face).
    ``hours``: the opening hours now (the closed screen's hours, closed service tiles).
    """

    screen: str
    language: str
    guidance: str | None = None
    name: str | None = None
    open_tickets: tuple[IssuedTicket, ...] = ()
    ticket: IssuedTicket | None = None
    priority: bool = False
    message: str | None = None
    printing: bool = False
    form: str | None = None
    open_count: int = 0
    seconds_left: int | None = None
    cap_reached: bool = False
    confirm_priority: bool = False
    card: str | None = None
    hours: HoursStatus = ALWAYS_OPEN


@dataclass(frozen=True)
class PrintTicket:
    """Print (or reprint) a ticket; the app answers with ``PrintFinished``."""

    ticket: IssuedTicket
    language: str
    greeting_name: str | None = None


@dataclass(frozen=True)
class AlertStaff:
    """Tell the staff something needs them (printer out of paper...)."""

    reason: str
    ticket_number: str | None = None


@dataclass(frozen=True)
class SetLanguage:
    """Switch the UI language."""

    language: str


Effect = ShowScreen | IssueTicket | PrintTicket | AlertStaff | SetLanguage


# --------------------------------------------------------------------------- machine


@dataclass
class _Session:
    """One person's visit, from the first face (or touch) back to idle."""

    citizen: CitizenInfo | None = None
    guest_key: str | None = None
    open_tickets: tuple[IssuedTicket, ...] = ()
    tickets_today: int = 0
    priority: bool = False
    asked_priority: bool = False
    guidance: str | None = None
    message: str | None = None
    ticket: IssuedTicket | None = None
    printing: bool = False
    face_seen: bool = False
    touched: bool = False
    issued: list[IssuedTicket] = field(default_factory=list)
    show_tickets: bool = False
    confirm_priority: bool = False
    seconds_left: int | None = None
    #: came with their ID card: the masked number, and the given name and sex on the card
    card: str | None = None
    card_name: str | None = None
    card_sex: str | None = None


class CitizenFlow:
    """The state machine. ``handle(event)`` returns the effects to carry out, in order."""

    def __init__(
        self,
        settings: KioskSettings,
        services: list[Service],
        today: Callable[[], date] = date.today,
    ) -> None:
        self.settings = settings
        self.services = {s.code: s for s in services}
        self.today = today
        self.language = settings.language
        self.state = IDLE
        self.session = _Session()
        self.entered_at = 0.0
        self.last_touch_at = 0.0
        self.last_face_at: float | None = None
        self.print_asked_at = 0.0
        self.unknown_since: float | None = None
        #: the opening hours as last reported (``HoursChanged``); open until told
        self.hours = ALWAYS_OPEN

    # -- helpers

    def _cap_reached(self) -> bool:
        s = self.session
        identified = s.citizen is not None or s.guest_key is not None
        return identified and s.tickets_today >= self.settings.daily_ticket_cap

    def _greeting(self) -> tuple[str | None, str | None]:
        """(name, form) for the person: the registry's, else the given name on their card."""
        s = self.session
        if s.citizen is None and s.card_name:
            return s.card_name, s.card_sex
        return greeting_of(s.citizen)

    def _show(self, message: str | None = None) -> ShowScreen:
        s = self.session
        if message is not None:
            s.message = message
        name, form = self._greeting()
        waiting = tuple(t for t in s.open_tickets if t.waiting)
        return ShowScreen(
            screen=self.state, language=self.language, guidance=s.guidance, name=name,
            open_tickets=waiting if s.show_tickets else (), ticket=s.ticket,
            priority=s.priority, message=s.message, printing=s.printing,
            form=form, open_count=len(waiting),
            seconds_left=s.seconds_left, cap_reached=self._cap_reached(),
            confirm_priority=s.confirm_priority, card=s.card, hours=self.hours,
        )

    def _go(self, state: str, now: float, message: str | None = None) -> list[Effect]:
        if state == IDLE and self.hours.closed:
            state = CLOSED  # outside opening hours the kiosk rests on its closed screen
        self.state = state
        self.entered_at = now
        self.session.message = message
        self.session.seconds_left = None
        self.session.confirm_priority = False
        effects: list[Effect] = []
        if state in (IDLE, CLOSED):
            self.session = _Session(message=message)
            self.last_face_at = None
            if self.language != self.settings.language:
                self.language = self.settings.language
                effects.append(SetLanguage(self.language))
        effects.append(self._show())
        return effects

    def _print(self, ticket: IssuedTicket, now: float) -> PrintTicket:
        self.session.ticket = ticket
        self.session.printing = True
        self.print_asked_at = now
        return PrintTicket(ticket, self.language, self._greeting()[0])

    def _open_for(self, code: str) -> IssuedTicket | None:
        for t in (*self.session.open_tickets, *self.session.issued):
            if t.service == code and t.waiting:
                return t
        return None

    def _start_person(self, event: Identified | Unknown) -> None:
        s = self.session
        if isinstance(event, Identified):
            s.citizen = event.citizen
            s.priority = is_priority(event.citizen, self.today(), self.settings) or \
                s.asked_priority
            s.guest_key = None
        else:
            s.guest_key = event.guest_key
        s.open_tickets = event.open_tickets
        s.tickets_today = event.tickets_today
        s.guidance = None

    def reset(self, now: float) -> list[Effect]:
        """Back to idle, forgetting the person (at start, or after an error)."""
        return self._go(IDLE, now)

    # -- entry point

    def handle(self, event: Event) -> list[Effect]:
        """Feed one event; return the effects to carry out (possibly none)."""
        if isinstance(event, FaceSeen | Identified | Unknown):
            if not self._someone_else(event) and self.session.card is None:
                self.last_face_at = event.now
            self.session.face_seen = True
        elif not isinstance(event, FaceLost | Tick | TicketIssued | IssueFailed | PrintFinished
                                   | OpenTickets | CardRead | NotACard):
            self.last_touch_at = event.now
            self.session.touched = True
            self.session.seconds_left = None
        if not isinstance(event, Unknown | Tick):
            self.unknown_since = None
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is None:
            return []
        return handler(event)

    def _someone_else(self, event: Event) -> bool:
        """True for a match of another citizen than the one whose screen is shown: it does
        not keep that person's screen alive (their screen goes idle when they leave)."""
        current = self.session.citizen
        return isinstance(event, Identified) and current is not None and \
            event.citizen is not None and event.citizen.citizen_id != current.citizen_id

    # -- camera and recognition

    def _on_FaceSeen(self, e: FaceSeen) -> list[Effect]:
        if self.state not in (IDLE, GUIDANCE):
            return []
        key = GUIDANCE_KEYS.get(e.reason, "look_at_camera")
        if self.state == IDLE:
            self.session.guidance = key
            return self._go(GUIDANCE, e.now)
        if key != self.session.guidance:
            self.session.guidance = key
            return [self._show()]
        return []

    def _on_FaceLost(self, e: FaceLost) -> list[Effect]:
        return []  # absence is judged on ticks, from last_face_at

    def _on_Identified(self, e: Identified) -> list[Effect]:
        if e.citizen is None:
            return []
        if self.state in (IDLE, GUIDANCE) or (self.state == UNKNOWN and not self.session.touched):
            self._start_person(e)
            return self._go(IDENTIFIED, e.now)
        return []

    def _on_Unknown(self, e: Unknown) -> list[Effect]:
        if self.state not in (IDLE, GUIDANCE):
            return []
        if self.unknown_since is None:
            self.unknown_since = e.now
        if e.now - self.unknown_since >= self.settings.unknown_confirm_s:
            self.unknown_since = None
            self._start_person(e)
            return self._go(UNKNOWN, e.now)
        # A good face, not recognised yet: a better frame may still recognise it.
        return self._on_FaceSeen(FaceSeen(e.now, "checking"))

    # -- the ID card instead of the face

    def _on_CardRead(self, e: CardRead) -> list[Effect]:
        if not (self.state in (IDLE, GUIDANCE) or
                (self.state == UNKNOWN and not self.session.touched)):
            return []
        # A new visit, by card: whatever the camera made of the face so far is dropped, and
        # the screens that follow do not depend on a face being in view.
        self.session = s = _Session()
        self.last_face_at = None
        s.citizen = e.citizen
        s.guest_key = None if e.citizen is not None else e.card_key
        s.card, s.card_name, s.card_sex = e.masked or None, e.name or None, e.sex
        s.priority = is_priority(e.citizen, self.today(), self.settings) or \
            is_elderly(e.date_of_birth, self.today(), self.settings)
        s.open_tickets = e.open_tickets
        s.tickets_today = e.tickets_today
        return self._go(IDENTIFIED, e.now)

    def _on_NotACard(self, e: NotACard) -> list[Effect]:
        if self.state not in (IDLE, GUIDANCE):
            return []
        effects = self._go(IDLE, e.now)
        self.session.message = "not_id_card"
        effects[-1] = self._show()
        return effects

    def _on_OpenTickets(self, e: OpenTickets) -> list[Effect]:
        s = self.session
        if self.state not in (IDENTIFIED, CHOOSE_SERVICE) or s.citizen is None or \
                s.citizen.citizen_id != e.citizen_id:
            return []
        s.open_tickets = e.open_tickets
        s.tickets_today = e.tickets_today
        return [self._show()] if self.state == IDENTIFIED else []

    # -- touch

    def _on_TakeNumberWithoutFace(self, e: TakeNumberWithoutFace) -> list[Effect]:
        if self.state not in (IDLE, GUIDANCE, UNKNOWN):
            return []
        # Nobody is identified: no guest key, so nothing to check against.
        self.session.guest_key = None
        self.session.open_tickets = ()
        self.session.tickets_today = 0
        self.session.guidance = None
        return self._go(CHOOSE_SERVICE, e.now)

    def _on_ContinueAsGuest(self, e: ContinueAsGuest) -> list[Effect]:
        if self.state not in (UNKNOWN, GUIDANCE):
            return []
        self.session.guidance = None
        return self._go(CHOOSE_SERVICE, e.now)

    def _on_Continue(self, e: Continue) -> list[Effect]:
        if self.state not in (IDENTIFIED, UNKNOWN):
            return []
        return self._go(CHOOSE_SERVICE, e.now)

    def _on_AskPriority(self, e: AskPriority) -> list[Effect]:
        if self.state not in (IDENTIFIED, UNKNOWN, CHOOSE_SERVICE) or self.session.priority:
            return []
        self.session.confirm_priority = True
        return [self._show()]

    def _on_ConfirmPriority(self, e: ConfirmPriority) -> list[Effect]:
        s = self.session
        if self.state not in (IDENTIFIED, UNKNOWN, CHOOSE_SERVICE) or not s.confirm_priority:
            return []
        s.confirm_priority = False
        if not e.yes:
            return [self._show()]
        s.priority = True
        s.asked_priority = True
        return [self._show("priority_asked")]

    def _on_ShowMyTickets(self, e: ShowMyTickets) -> list[Effect]:
        if self.state not in (IDENTIFIED, UNKNOWN):
            return []
        self.session.show_tickets = True
        return [self._show()]

    def _on_PickService(self, e: PickService) -> list[Effect]:
        if self.state != CHOOSE_SERVICE or e.code not in self.services:
            return []
        s = self.session
        if self.hours.closed:  # closed while the person was choosing: no new number
            return self._go(CLOSED, e.now)
        if e.code in self.hours.closed_services and self._open_for(e.code) is None:
            return [self._show("service_closed")]
        existing = self._open_for(e.code)
        if existing is not None:
            # Anti-hoarding: the same person asking again gets the same number reprinted.
            effect = self._print(existing, e.now)
            return [*self._go(TICKET_SHOWN, e.now, "reprinted"), effect]
        identified = s.citizen is not None or s.guest_key is not None
        if identified and s.tickets_today >= self.settings.daily_ticket_cap:
            return [self._show("daily_cap")]
        citizen_id = s.citizen.citizen_id if s.citizen else None
        issue = IssueTicket(e.code, citizen_id, s.guest_key, s.priority)
        return [*self._go(ISSUING, e.now), issue]

    def _on_Reprint(self, e: Reprint) -> list[Effect]:
        s = self.session
        if self.state in (PRINT_FAILED, TICKET_SHOWN) and s.ticket is not None and \
                e.ticket_id in (None, s.ticket.id):
            if s.printing:
                return []
            effect = self._print(s.ticket, e.now)
            return [*self._go(TICKET_SHOWN, e.now, "reprinted"), effect]
        if self.state in (IDENTIFIED, UNKNOWN):
            for t in s.open_tickets:
                if t.id == e.ticket_id and t.waiting:
                    effect = self._print(t, e.now)
                    return [*self._go(TICKET_SHOWN, e.now, "reprinted"), effect]
        return []

    def _on_SwitchLanguage(self, e: SwitchLanguage) -> list[Effect]:
        if e.language not in ("vi", "en") or e.language == self.language:
            return []
        self.language = e.language
        return [SetLanguage(e.language), self._show()]

    def _on_Done(self, e: Done) -> list[Effect]:
        if self.state == IDLE or (self.state == CLOSED and self.hours.closed):
            return []
        if self.state == ISSUING:
            return []  # a number is on its way; it will be shown
        if self.state == TICKET_SHOWN and self.session.printing:
            return []  # let the printer answer first, so a failure is not missed
        return self._go(IDLE, e.now)

    # -- issuer and printer

    def _on_TicketIssued(self, e: TicketIssued) -> list[Effect]:
        if e.ticket is None:
            return []
        late = self.state == CHOOSE_SERVICE and self.session.message == "issue_failed"
        if self.state != ISSUING and not late:
            return []  # the person has gone: the ticket stays committed, reprintable later
        s = self.session
        s.issued.append(e.ticket)
        s.tickets_today += 1
        effect = self._print(e.ticket, e.now)
        return [*self._go(TICKET_SHOWN, e.now), effect]

    def _on_IssueFailed(self, e: IssueFailed) -> list[Effect]:
        if self.state != ISSUING:
            return []
        if e.reason == CLOSED_REFUSAL:  # the server says closed: the closed screen
            return self._go(CLOSED, e.now, CLOSED_REFUSAL)
        return self._go(CHOOSE_SERVICE, e.now, e.reason or "issue_failed")

    # -- opening hours

    def _on_HoursChanged(self, e: HoursChanged) -> list[Effect]:
        was_closed = self.hours.closed
        self.hours = e.hours
        if e.hours.closed and self.state in (IDLE, GUIDANCE):
            return self._go(CLOSED, e.now)
        if not e.hours.closed and was_closed and self.state == CLOSED:
            return self._go(IDLE, e.now)  # opening time: back to idle, no restart
        if self.state in (CLOSED, CHOOSE_SERVICE):
            return [self._show()]  # other hours, or tiles of services closing
        return []

    def _on_PrintFinished(self, e: PrintFinished) -> list[Effect]:
        s = self.session
        if s.ticket is None or e.ticket_id != s.ticket.id:
            return []
        if self.state == PRINT_FAILED and s.message == "printer_timeout" and e.ok:
            # A slow printer got there after all: no need to note the number.
            return self._go(TICKET_SHOWN, e.now)
        if self.state != TICKET_SHOWN:
            return []
        s.printing = False
        if e.ok:
            self.entered_at = e.now  # the number stays show_number_s from now
            return [self._show()]
        return self._print_failed(e.now, e.reason or "printer_error")

    def _print_failed(self, now: float, reason: str) -> list[Effect]:
        s = self.session
        s.printing = False
        number = s.ticket.number if s.ticket else None
        return [*self._go(PRINT_FAILED, now, reason), AlertStaff(reason, number)]

    # -- time

    def _face_gone(self, now: float) -> bool:
        last = self.last_face_at
        return last is not None and now - last >= self.settings.face_lost_s

    def _on_Tick(self, e: Tick) -> list[Effect]:
        st, now, cfg = self.state, e.now, self.settings
        in_state = now - self.entered_at
        idle_for = now - max(self.entered_at, self.last_touch_at)
        if st in PERSON_SCREENS and self._face_gone(now):
            return self._go(IDLE, now)  # the person left: their screen must not stay
        if st == CLOSED and self.session.message == CLOSED_REFUSAL:
            if idle_for >= cfg.show_number_s:
                return self._go(IDLE, now)  # the closed screen again if the hours say so
        elif st in (IDLE, CLOSED):
            if st == IDLE and self.session.message == "not_id_card" and \
                    in_state >= NOT_A_CARD_S:
                self.session.message = None
                return [self._show()]
            if self.language != cfg.language and idle_for >= cfg.greeting_timeout_s:
                # Chosen on the idle screen by someone who then left: back to the default.
                self.language = cfg.language
                return [SetLanguage(self.language), self._show()]
        elif st == GUIDANCE:
            if self._face_gone(now) or self.last_face_at is None:
                return self._go(IDLE, now)
            if in_state >= cfg.guidance_timeout_s:
                # The face never got good enough: offer to continue as a guest.
                self.session.guidance = None
                return self._go(UNKNOWN, now, "not_recognised")
        elif st in (IDENTIFIED, UNKNOWN):
            if idle_for >= cfg.greeting_timeout_s:
                return self._go(IDLE, now)
            return self._countdown(cfg.greeting_timeout_s - idle_for)
        elif st == CHOOSE_SERVICE:
            if idle_for >= cfg.choose_service_timeout_s:
                return self._go(IDLE, now)
            return self._countdown(cfg.choose_service_timeout_s - idle_for)
        elif st == ISSUING:
            if in_state >= cfg.issue_timeout_s:
                return self._go(CHOOSE_SERVICE, now, "issue_failed")
        elif st == TICKET_SHOWN:
            if self.session.printing:
                if now - self.print_asked_at >= PRINT_ANSWER_S:
                    return self._print_failed(now, "printer_timeout")
            elif in_state >= cfg.show_number_s:
                return self._go(IDLE, now)
            elif self.session.face_seen and in_state >= cfg.face_lost_s and \
                    self._face_gone(now):
                return self._go(IDLE, now)  # the person left with the ticket
        elif st == PRINT_FAILED:
            if idle_for >= cfg.print_failed_s:
                return self._go(IDLE, now)
            return self._countdown(cfg.print_failed_s - idle_for)
        return []

    def _countdown(self, left: float) -> list[Effect]:
        """Show the seconds left once fewer than ``COUNTDOWN_S`` remain (on each change)."""
        shown = math.ceil(left) if left <= COUNTDOWN_S else None
        if shown == self.session.seconds_left:
            return []
        self.session.seconds_left = shown
        return [self._show()]


def with_waiting(ticket: IssuedTicket, waiting: bool) -> IssuedTicket:
    """A copy of ``ticket`` with its waiting flag changed."""
    return replace(ticket, waiting=waiting)


def event_from_result(result: Any, now: float) -> Event:
    """Turn a recognition ``IdentifyResult`` into a camera event (no registry lookup).

    A match becomes ``Identified`` without citizen details; the app fills them in from the
    registry (``dataclasses.replace``) before handing the event to the flow. Liveness
    (``result.liveness``, docs/liveness.md): a match is greeted only when it is ``live``
    (or None: the check is off); while ``pending`` the citizen keeps being asked to look
    at the camera; ``spoof`` or ``unsure`` is an unknown face (a guest), never the match.
    """
    reason = getattr(result, "reason", None)
    if getattr(result, "faces", 0) == 0 or reason == "no_face":
        return FaceLost(now)
    if getattr(result, "match", None) is not None:
        liveness = getattr(result, "liveness", None)
        if liveness in (None, "live"):
            return Identified(now)
        if liveness == "pending":
            return FaceSeen(now, "liveness_pending")  # guidance "look_at_camera"
        return Unknown(now)
    if reason == "unknown":
        return Unknown(now)
    return FaceSeen(now, reason or "no_face")
