"""Plain data of issuing: a kiosk's request, a ticket just stored, one upload's outcome."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from server.models import Ticket


@dataclass
class TicketRequest:
    """What a kiosk sends for one ticket."""

    id: uuid.UUID
    service: str
    priority: bool = False
    citizen_id: str | None = None
    issued_at: dt.datetime | None = None
    number: int | str | None = None


@dataclass
class NewTicket:
    """A ticket just stored, as plain data: what the API answers with, without the cost of
    an ORM object on the hot path. Same attribute names as :class:`Ticket`."""

    id: str
    site_id: int
    service_id: int
    number_service_id: int
    day: dt.date
    seq: int
    number: str
    priority: bool
    citizen_id: str | None
    kiosk_id: int | None
    offline: bool
    status: str
    issued_at: dt.datetime
    queue_at: dt.datetime
    received_at: dt.datetime
    recalls: int = 0
    ahead_at_issue: int | None = None
    called_at: dt.datetime | None = None
    serving_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    counter_id: int | None = None
    staff_id: int | None = None
    transferred_from_id: int | None = None



@dataclass
class UploadResult:
    """The outcome of one ticket of a batch upload.

    ``result`` is ``"created"``, ``"existing"`` or ``"rejected"`` (refused for good: keep
    it and show it to staff, sending it again gets the same answer). ``reason`` is a short
    stable code of the refusal, e.g. ``"bad_number"``, ``"not_leased"``, ``"number_taken"``.
    """

    result: str
    status: int
    ticket: Ticket | NewTicket | None = None
    error: str | None = None
    reason: str | None = None
