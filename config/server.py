"""Settings of the central queue server (filled in by the server issue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class QueueServerSettings(BaseModel):
    """The central queue server process."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the queue database; empty means SQLite 'queue.db' "
        "under the data dir.",
    )
