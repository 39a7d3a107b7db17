"""Settings of the kiosk camera: which source, how it is mounted, how it is reopened."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CameraSettings(BaseModel):
    """The camera the kiosk looks through."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        "auto",
        description="Device index (0), RTSP/HTTP URL, video file, folder of images, or 'auto' "
        "(first working device, else none).",
    )
    rotation: Literal[0, 90, 180, 270] = Field(
        0, description="Clockwise rotation in degrees applied to every frame (0, 90, 180, 270)."
    )
    mirror: bool = Field(
        False, description="Flip frames left-right (after rotation), like a mirror."
    )
    width: int = Field(
        0, ge=0, le=7680,
        description="Capture width in pixels asked of a device; 0 keeps the device's default.",
    )
    height: int = Field(
        0, ge=0, le=4320,
        description="Capture height in pixels asked of a device; 0 keeps the device's default.",
    )
    roi_left: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="Region of interest (the only one: recognition sees just this crop), "
        "left edge as a fraction of the (rotated) frame width.",
    )
    roi_top: float = Field(
        0.0, ge=0.0, lt=1.0,
        description="Region of interest, top edge as a fraction of the (rotated) frame height.",
    )
    roi_right: float = Field(
        1.0, gt=0.0, le=1.0,
        description="Region of interest, right edge as a fraction of the (rotated) frame width.",
    )
    roi_bottom: float = Field(
        1.0, gt=0.0, le=1.0,
        description="Region of interest, bottom edge as a fraction of the (rotated) frame height.",
    )
    reconnect_min_s: float = Field(
        0.5, ge=0.05, le=60.0,
        description="First wait in seconds before reopening a camera that failed.",
    )
    reconnect_max_s: float = Field(
        10.0, ge=0.1, le=600.0,
        description="Longest wait in seconds between reopen attempts (the wait doubles up to "
        "this).",
    )
    file_fps: float = Field(
        0.0, ge=0.0, le=120.0,
        description="Frames per second when playing a video file or a folder of images; 0 uses "
        "the file's own rate (folders: 5 fps).",
    )

    @model_validator(mode="after")
    def _check_ranges(self) -> CameraSettings:
        if self.roi_right <= self.roi_left or self.roi_bottom <= self.roi_top:
            raise ValueError("region of interest is empty: need roi_left < roi_right and "
                             "roi_top < roi_bottom")
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must be at least reconnect_min_s")
        return self
