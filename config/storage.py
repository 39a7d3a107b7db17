"""Where a kiosk keeps its state."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StorageSettings(BaseModel):
    """The kiosk's database and the protection of face data at rest."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the registry database; empty means SQLite file "
        "'kiosk.db' under the data dir. PostgreSQL: postgresql+psycopg://user@host/db",
    )
    key_file: str | None = Field(
        None,
        description="File holding the 32-byte key that encrypts face templates at rest; empty "
        "means 'face.key' under the data dir (created with mode 0600 on first use).",
    )
    max_photo_pixels: int = Field(
        40_000_000, ge=100_000, le=400_000_000,
        description="Photos with more pixels than this are refused before decoding.",
    )
