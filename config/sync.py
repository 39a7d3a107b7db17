"""Settings of the kiosk's link to the central queue server."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SyncSettings(BaseModel):
    """How the kiosk talks to the queue server. No ``server_url``: the kiosk runs
    standalone and numbers tickets itself."""

    model_config = ConfigDict(extra="forbid")

    server_url: str | None = Field(
        None, description="Base URL of the queue server, e.g. http://10.0.0.5:8000; empty: "
        "standalone.",
        pattern=r"^https?://[^\s/]+(:\d+)?(/.*)?$",
    )
    token: str | None = Field(
        None, description="The kiosk's bearer token (from `queue-server kiosk add`). Prefer "
        "token_file or KIOSK_SYNC__TOKEN over writing it here.",
        min_length=8,
    )
    token_file: str | None = Field(
        None, description="File holding the token; relative paths are under the data dir.",
    )
    issue_timeout_s: float = Field(
        1.5, ge=0.1, le=30,
        description="How long a citizen waits for the server to number a ticket before the "
        "kiosk uses a leased number instead.",
    )
    request_timeout_s: float = Field(
        10.0, ge=0.5, le=120, description="Timeout of background requests (upload, leases)."
    )
    interval_s: float = Field(
        3.0, ge=0.1, le=600, description="How often the background sync looks for work."
    )
    catalogue_refresh_s: float = Field(
        300.0, ge=5, le=86400, description="How often the service catalogue is refreshed."
    )
    lease_size: int = Field(
        50, ge=1, le=2000, description="Numbers leased per service at a time for offline use."
    )
    lease_low_watermark: int = Field(
        10, ge=0, le=2000,
        description="Lease another block when fewer unused leased numbers than this remain.",
    )
    upload_batch: int = Field(
        200, ge=1, le=2000, description="Outbox entries uploaded per request."
    )
    backoff_max_s: float = Field(
        60.0, ge=1, le=3600, description="Longest wait between retries while the server is down."
    )
