"""The kiosk's plain data types: what the flow, the adapters and the screens pass around.

No behaviour beyond formatting helpers; no Qt, no database, no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ticketing.workdays import WorkCalendar

if TYPE_CHECKING:
    from config.kiosk import KioskSettings


@dataclass(frozen=True)
class Service:
    """One service of the catalogue: ``code``, one-letter ``prefix``, names in both languages,
    and the counters that serve it (known from the server's catalogue; empty standalone)."""

    code: str
    prefix: str
    name_vi: str
    name_en: str
    counters: tuple[int, ...] = ()
    #: opening hours ("HH:MM", the site's local time; None: not known, e.g. standalone)
    opens_at: str | None = None
    closes_at: str | None = None
    #: the site's time zone the hours are in (None: the kiosk's own)
    timezone: str | None = None
    #: the site's working calendar (weekdays, closed days; None: not sent, every day works)
    calendar: WorkCalendar | None = None

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi

    def counters_text(self) -> str:
        """The counters as printed on a ticket: ``"1, 2"`` ("" when unknown)."""
        return ", ".join(str(c) for c in self.counters)


@dataclass(frozen=True)
class CitizenInfo:
    """What the flow needs to know about a recognised citizen (from the registry)."""

    citizen_id: int
    display_name: str
    date_of_birth: date | None = None
    priority_group: str | None = None
    #: "male", "female" or None when the registry does not say
    sex: str | None = None
    #: how staff chose to address the person at enrolment ("Anh Lin"), shown as is
    address_as: str | None = None


@dataclass(frozen=True)
class IssuedTicket:
    """A ticket as the flow and the screens see it (committed locally already).

    ``issued_at`` is local wall-clock time; ``people_ahead`` is None when unknown
    (standalone); ``waiting`` is False once the ticket was called or finished.
    """

    id: str
    service: str
    number: str
    priority: bool
    issued_at: datetime
    citizen_id: int | None = None
    guest_key: str | None = None
    people_ahead: int | None = None
    counters: str = ""
    waiting: bool = True
    # The link printed as the ticket's QR: the server's live ticket page (``ticket_url``),
    # else its survey page; None standalone (no server: no QR).
    survey_url: str | None = None
    #: minutes until the call, estimated when the ticket was issued; None when unknown
    #: (not kept for reprints: by then it is out of date)
    estimated_wait_min: int | None = None


@dataclass(frozen=True)
class QueueFigures:
    """What the service tiles show of the queue, per service code: people waiting and the
    estimated wait for a ticket taken now (minutes; a code is absent when unknown)."""

    waiting: dict[str, int]
    wait_min: dict[str, int]


def qr_link(server_ticket: dict[str, Any]) -> str | None:
    """The link a server ticket answer asks to print as QR: ``ticket_url`` (live ticket
    and rating), else ``survey_url`` from an older server."""
    link = server_ticket.get("ticket_url") or server_ticket.get("survey_url")
    return str(link) if link else None


@dataclass(frozen=True)
class IssueTicket:
    """A request to issue a new ticket (the flow's effect; what an issuer takes)."""

    service: str
    citizen_id: int | None
    guest_key: str | None
    priority: bool


@dataclass(frozen=True)
class RefusedUpload:
    """A ticket the queue server refused for good on upload (kept in the outbox, marked).

    ``number`` is the printed number, ``reason`` the server's one-line message.
    """

    ticket_id: str
    number: str
    reason: str


#: how an ID-card holder's person key starts (``ticketing.sealing.Sealer.card_ref``); a
#: face guest's key starts with "g-" (``recognition.guests``)
CARD_KEY_PREFIX = "k-"


def is_card_key(key: str | None) -> bool:
    """True for the person key of an ID-card holder (kept on their tickets, sent to the
    server); False for a face guest's key (meaningful in one kiosk's memory only) or None."""
    return key is not None and key.startswith(CARD_KEY_PREFIX)


def given_name(full_name: str) -> str:
    """The given name of a Vietnamese full name: its last word ("Nguyễn Thị Minh Khai" →
    "Khai"); "" for an empty name."""
    words = full_name.split()
    return words[-1] if words else ""


def sex_from_id_number(id_number: str) -> str | None:
    """Sex encoded by the 4th digit of a 12-digit chip ID number (even: male, odd: female);
    None when the number is not 12 digits."""
    digits = id_number.strip()
    if len(digits) != 12 or not digits.isdigit():
        return None
    return "male" if int(digits[3]) % 2 == 0 else "female"


def sex_from_text(value: str | None) -> str | None:
    """"male"/"female" from the card's or registry's word ("Nam", "Nữ", "male"...), else None."""
    word = (value or "").strip().lower()
    if word in {"nam", "male", "m"}:
        return "male"
    if word in {"nữ", "nu", "female", "f"}:
        return "female"
    return None


def services_from_settings(settings: KioskSettings) -> list[Service]:
    """The fallback catalogue from ``kiosk.services`` (used until a server catalogue is cached)."""
    from config.kiosk import parse_service_line

    return [Service(*parse_service_line(line)) for line in settings.services]


def arrange_services(catalogue: list[Service], order: list[str], hidden: list[str]
                     ) -> tuple[list[Service], frozenset[str]]:
    """The catalogue as citizens see it: the codes in ``order`` first (in that order; codes
    not in the catalogue are skipped), the rest after in the catalogue's order; and the codes
    of ``hidden`` services in the catalogue (``kiosk.services_order`` and
    ``kiosk.services_hidden``). When every service would be hidden none is: a number must
    always be obtainable."""
    by_code = {s.code: s for s in catalogue}
    first = [by_code[c] for c in order if c in by_code]
    listed = {s.code for s in first}
    ordered = first + [s for s in catalogue if s.code not in listed]
    gone = frozenset(c for c in hidden if c in by_code)
    if len(gone) >= len(by_code):
        gone = frozenset()
    return ordered, gone
