"""Settings of the central queue server: where it listens, numbering, the queue, security."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ticketing.numbers import DEFAULT_PATTERN, NumberError, check_pattern


class QueueServerSettings(BaseModel):
    """The central queue server process."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the queue database; empty means SQLite 'queue.db' "
        "under the data dir. PostgreSQL: postgresql+psycopg://user@host/db",
    )
    host: str = Field("127.0.0.1", description="Address to listen on (0.0.0.0 for every one).")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on.")
    workers: int = Field(
        1, ge=1, le=64,
        description="Server processes (uvicorn workers). More than one needs PostgreSQL.",
    )
    public_url: str | None = Field(
        None,
        description="Base URL citizens' phones reach the server at, used in survey links "
        "(e.g. https://hcc.example.gov.vn); empty means the URL of the incoming request.",
    )
    site_code: str = Field(
        "HCC", min_length=1, max_length=32,
        description="Code of the site (one-stop centre) created on first start.",
    )
    site_name: str = Field(
        "Trung tâm Phục vụ hành chính công", min_length=1, max_length=200,
        description="Name of the site created on first start.",
    )
    timezone: str = Field(
        "Asia/Ho_Chi_Minh",
        description="IANA time zone of new sites; numbers restart at local midnight.",
    )
    number_pattern: str = Field(
        DEFAULT_PATTERN,
        description="Format of the printed ticket number; fields: prefix, seq, service.",
    )
    priority_ratio: int = Field(
        3, ge=1, le=100,
        description="Call next takes at most this many priority tickets in a row before a "
        "waiting normal ticket, so normal tickets are never starved.",
    )
    max_recalls: int = Field(
        3, ge=0, le=20,
        description="A called ticket recalled more than this many times becomes a no-show.",
    )
    lease_block_size: int = Field(
        50, ge=1, le=10000, description="Numbers in a lease block when the kiosk names none."
    )
    max_lease_size: int = Field(
        2000, ge=1, le=100000, description="Largest lease block a kiosk may ask for."
    )
    max_batch_size: int = Field(
        2000, ge=1, le=100000, description="Most tickets in one batch upload."
    )
    issue_batch_max: int = Field(
        200, ge=1, le=5000,
        description="Most online tickets stored in one transaction: requests that arrive "
        "while the database is busy are stored together (1 stores each on its own).",
    )
    max_request_bytes: int = Field(
        2_000_000, ge=1024, le=100_000_000,
        description="Requests with a larger body are refused with 413.",
    )
    enforce_open_hours: bool = Field(
        False,
        description="Refuse online tickets outside a service's opening hours (the hours are "
        "always published to kiosks).",
    )
    default_service_minutes: float | None = Field(
        None, gt=0, le=240,
        description="Service time (minutes) the waiting estimate uses until tickets of the "
        "service were served; unset: no estimate is shown until then (no guess).",
    )
    service_time_sample: int = Field(
        30, ge=1, le=1000,
        description="Recent completed tickets of a service averaged for the waiting estimate.",
    )
    board_recent_calls: int = Field(
        8, ge=1, le=50, description="Previous calls listed on the display board."
    )
    board_streams_per_site: int = Field(
        50, ge=1, le=10_000, description="Display boards (live event streams) one server "
        "process serves per site at once; more are answered 503 with Retry-After and fall "
        "back to polling.",
    )
    board_streams_total: int = Field(
        300, ge=1, le=100_000, description="Display board event streams one server process "
        "serves at once, over every site.",
    )
    secret_key_file: str | None = Field(
        None,
        description="File with the secret that signs survey links and staff sessions "
        "(relative: under the data dir; created 0600 if missing; empty: secret.key in the "
        "data dir). The environment variable QUEUE_SERVER_SECRET overrides it; servers on "
        "several machines need the same secret (one variable or one copied file).",
    )
    registry_key_file: str = Field(
        "registry.key",
        description="File with the 32-byte key that seals the citizen registry (face "
        "templates, id numbers); relative: under the data dir; created 0600 if missing. "
        "The environment variable QUEUE_SERVER_REGISTRY_KEY (64 hex digits) overrides it.",
    )
    registry_duplicate_distance: float = Field(
        0.45, gt=0, le=1.5,
        description="At enrolment, a face this close to another citizen's template anywhere "
        "in the site's registry is refused as already enrolled.",
    )
    registry_same_person_distance: float = Field(
        0.55, gt=0, le=1.5,
        description="Re-enrolling an enrolled id number: each new face must be at most this "
        "far from one of that citizen's templates, else it is refused.",
    )
    registry_pull_page: int = Field(
        2000, ge=10, le=20000, description="Most citizens per page of a kiosk's registry pull."
    )
    registry_retention_days: int = Field(
        0, ge=0, le=36500,
        description="Erase citizens not seen by any kiosk for this many days (a daily job); "
        "0: off.",
    )
    withdrawn_retention_days: int = Field(
        7, ge=1, le=3650,
        description="Keep a kiosk's withdrawal of a timed-out ticket id this many days (it "
        "refuses the late request, which comes within seconds or minutes, never days); a "
        "daily job deletes older ones.",
    )
    session_hours: float = Field(
        12.0, gt=0, le=720, description="Staff stay logged in this long."
    )
    webhook_url: str = Field(
        "", max_length=500, pattern=r"^(https?://\S+)?$",
        description="URL that receives a signed POST when a ticket is near the front and "
        "when it is called (to connect SMS or Zalo); empty: no webhook.",
    )
    webhook_secret_file: str = Field(
        "webhook.key", min_length=1,
        description="File with the webhook's HMAC-SHA256 secret (relative: under the data "
        "dir; created 0600 if missing). The environment variable QUEUE_SERVER_WEBHOOK_SECRET "
        "overrides it. Never stored in the database.",
    )
    webhook_near_places: int = Field(
        3, ge=0, le=50,
        description="Send the 'near' notification when this many people or fewer are "
        "ahead of a ticket (checked at each call).",
    )
    webhook_attempts: int = Field(
        6, ge=1, le=20, description="Tries per notification before it is marked failed.")
    webhook_backoff_s: float = Field(
        2.0, gt=0, le=3600,
        description="Wait before the 2nd try, doubled for each further try (seconds).")
    webhook_timeout_s: float = Field(
        5.0, gt=0, le=60, description="Time allowed for the receiver to answer (seconds).")
    day_change: Literal["keep", "no_show"] = Field(
        "keep",
        description="At the day change, tickets still waiting or called from an earlier day: "
        "'keep' leaves them as they are (reported as left open), 'no_show' marks them "
        "no-show (reported as closed out).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("number_pattern")
    @classmethod
    def _pattern_formats(cls, value: str) -> str:
        try:
            return check_pattern(value)
        except NumberError as exc:
            raise ValueError(str(exc)) from None
