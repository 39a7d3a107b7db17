"""Settings of the kiosk camera (filled in by the kiosk issue)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CameraSettings(BaseModel):
    """The camera the kiosk looks through."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        "auto",
        description="Device index (0), RTSP/HTTP URL, video file, folder of images, or 'auto' "
        "(first working device, else none).",
    )
