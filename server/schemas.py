"""The request and response bodies of the JSON API (``/api/v1``), as pydantic models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ticketing.status import TicketStatus

CitizenId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
                                 description="Opaque id the kiosk uses for a citizen (never "
                                 "an id-card number); printable ASCII, no spaces.")]


def _plausible_time(value: dt.datetime) -> dt.datetime:
    """A time a kiosk's clock can give: between 2000 and 2100 once taken to UTC (an offset
    at the edge of the calendar, like 0001-01-01T00:00:00+14:00, cannot be converted)."""
    try:
        utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    except (OverflowError, ValueError):
        raise ValueError("time out of range: between 2000 and 2100 only") from None
    if not 2000 <= utc.year <= 2100:
        raise ValueError("time out of range: between 2000 and 2100 only")
    return value


IssueTime = Annotated[dt.datetime, AfterValidator(_plausible_time)]
ServiceCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class Problem(BaseModel):
    detail: str
    reason: str | None = Field(None, description="Short stable code of a refusal, e.g. "
                               "'closed' (outside the service's opening hours).")


class ValidationProblem(BaseModel):
    detail: str = Field(description="Every problem on one line: 'body.service: ...'.")
    errors: list[dict[str, Any]] = Field(default_factory=list)



ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or unknown kiosk token"},
    404: {"model": Problem, "description": "Not found"},
    409: {"model": Problem, "description": "Refused by the queue's rules"},
    413: {"model": Problem, "description": "Request too large"},
}
#: Answers every route of ``/api/v1`` may give.
COMMON: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Malformed request body"},
    422: {"model": ValidationProblem, "description": "Invalid request"},
}



class TicketIn(BaseModel):
    """A ticket from a kiosk. ``id`` is the idempotency key."""

    id: uuid.UUID = Field(description="UUID chosen by the kiosk; sending it again is safe.")
    service: ServiceCode = Field(description="Service code, e.g. 'HT'.")
    priority: bool = Field(False, description="Elderly, disabled, pregnant, people of merit.")
    citizen_id: CitizenId | None = None
    issued_at: IssueTime | None = Field(
        None, description="When the kiosk issued it (ISO 8601; without offset: UTC). Used "
        "for offline tickets, which join the queue at this time.")
    number: Annotated[int, Field(ge=1, le=999_999)] | Annotated[
        str, Field(min_length=1, max_length=16)] | None = Field(
        None, description="For tickets issued offline from a lease: the leased sequence "
        "(int) or the printed number ('A012'). Omit to have the server number it.")


class TicketOut(BaseModel):
    id: str
    number: str
    seq: int
    service: str
    prefix: str
    service_name_vi: str
    service_name_en: str
    site: str
    day: dt.date
    priority: bool
    citizen_id: str | None
    status: TicketStatus
    offline: bool
    issued_at: dt.datetime
    called_at: dt.datetime | None
    serving_at: dt.datetime | None
    done_at: dt.datetime | None
    no_show_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    counter: int | None = Field(description="Number of the counter it is called to.")
    counter_name: str | None
    recalls: int
    transferred_from: str | None
    people_ahead: int
    estimated_wait_min: int | None = Field(
        description="Minutes until the call, estimated; null when unknown (no service "
        "times yet).")
    survey_url: str = Field(description="The single-question rating page (older clients).")
    ticket_url: str = Field(description="The live ticket page for the citizen's phone "
                            "(signed, no login, no personal data); it asks the five-criteria "
                            "rating after the service. Print this one in the QR.")


class DayOut(BaseModel):
    date: dt.date
    note: str = Field(description="Why, e.g. \"Nghỉ Tết Nguyên đán\" (may be empty).")


class CalendarOut(BaseModel):
    """The site's working calendar, for a kiosk to decide offline (docs/hours.md)."""

    working_days: list[int] = Field(description="ISO weekdays the centre works (1 Monday).")
    saturday_closes_at: str | None = Field(
        description="On a working Saturday services close at this time (null: full hours).")
    closed_days: list[DayOut] = Field(description="Closed days from today on (holidays).")
    open_days: list[DayOut] = Field(
        description="Make-up working days from today on (open whatever their weekday).")


class ServiceOut(BaseModel):
    code: str
    prefix: str
    name_vi: str
    name_en: str
    counters: list[int]
    opens_at: str
    closes_at: str
    open_now: bool
    daily_cap: int | None
    issued_today: int
    waiting: int
    open_counters: int
    average_service_min: float | None = Field(
        description="Mean recent service time in minutes; null when none was measured.")
    estimated_wait_min: int | None = Field(
        description="Minutes a ticket taken now waits, estimated; null when unknown.")
    timezone: str = Field(description="The site's time zone: the hours are its local time.")
    calendar: CalendarOut | None = Field(
        None, description="The site's working days and closed days (the same for every "
        "service of the site); absent from older servers: every day is a working day.")


class LeaseIn(BaseModel):
    service: ServiceCode
    size: int | None = Field(None, ge=1, le=100_000, description="Default: lease_block_size.")


class LeaseOut(BaseModel):
    id: int
    service: str
    prefix: str
    site: str
    day: dt.date
    first_seq: int
    last_seq: int
    first_number: str
    last_number: str
    number_pattern: str = Field(description="Python format string; fields prefix, seq, "
                                "service (see ticketing.numbers).")
    valid_until: dt.datetime = Field(description="The site's next local midnight (UTC).")


class BatchIn(BaseModel):
    tickets: list[TicketIn] = Field(max_length=100_000)


class BatchItem(BaseModel):
    id: str
    result: Literal["created", "existing", "rejected", "retry"] = Field(
        description="created/existing: stored, mark it sent. rejected: refused for good "
        "(sending it again gets the same answer): keep it and show it to staff. retry: a "
        "temporary failure, send it again later.")
    status_code: int
    error: str | None = None
    reason: str | None = Field(
        None, description="Why it was rejected or must be retried, as a stable code: "
        "bad_number, not_leased, number_taken, id_elsewhere, duplicate_id, future_time, "
        "invalid, not_found, refused, busy (retry).")
    ticket: TicketOut | None = None


class BatchOut(BaseModel):
    created: int
    existing: int
    rejected: int
    retry: int = 0
    results: list[BatchItem]


class WithdrawIn(BaseModel):
    reason: str = Field("kiosk_timeout", min_length=1, max_length=32,
                        pattern=r"^[a-z][a-z0-9_]*$",
                        description="Why the kiosk withdraws the id, as a code.")


class WithdrawOut(BaseModel):
    id: str
    outcome: str = Field(description="unknown (not stored: the id is reserved and a late "
                         "request with it is refused), cancelled, already_cancelled, or "
                         "the status of a ticket already past waiting: called, serving, "
                         "done, no_show (left as it is; nobody holds its number).")
    number: str | None = Field(None, description="The stored ticket's number, if any.")


class CitizenTicketsOut(BaseModel):
    citizen_id: str
    day: dt.date
    open_count: int
    tickets: list[TicketOut]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    site: str | None


class CallNumberIn(BaseModel):
    number: str = Field(min_length=1, max_length=16)


class TransferIn(BaseModel):
    service: ServiceCode


class CounterOut(BaseModel):
    id: int
    number: int
    name: str
    is_open: bool
    services: list[str]
    current: TicketOut | None
    waiting: list[TicketOut]


class HealthOut(BaseModel):
    status: str
    version: str
    database: str

