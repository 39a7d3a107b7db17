"""Settings of the central queue server: where it listens, numbering, the queue, security."""

from __future__ import annotations

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
    default_service_minutes: float = Field(
        5.0, gt=0, le=240,
        description="Service time assumed for the waiting estimate until tickets were served.",
    )
    service_time_sample: int = Field(
        30, ge=1, le=1000,
        description="Recent completed tickets of a service averaged for the waiting estimate.",
    )
    board_recent_calls: int = Field(
        8, ge=1, le=50, description="Previous calls listed on the display board."
    )
    secret_key_file: str | None = Field(
        None,
        description="File with the secret that signs survey links and staff sessions "
        "(relative: under the data dir; created 0600 if missing); empty keeps a generated "
        "secret in the database, shared by every server process.",
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
    session_hours: float = Field(
        12.0, gt=0, le=720, description="Staff stay logged in this long."
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
