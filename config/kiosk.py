"""Settings of the kiosk app and its citizen flow (filled in by the kiosk issue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KioskSettings(BaseModel):
    """The touchscreen app."""

    model_config = ConfigDict(extra="forbid")

    centre_name: str = Field(
        "Trung tâm Phục vụ hành chính công", description="Name of the centre printed on tickets."
    )
