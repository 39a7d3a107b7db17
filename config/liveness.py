"""Settings of the liveness check: is the face in front of the camera a person, or a
photo, a screen or a video held up to it? See docs/liveness.md."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class LivenessSettings(BaseModel):
    """Liveness check before a recognised citizen is greeted (presentation-attack
    detection). Scores are 0 (attack) to 1 (real); distances are fractions of the distance
    between the eye centres, so they do not depend on how far the citizen stands."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["off", "passive", "passive+active"] = Field(
        "passive+active",
        description="'off': no check; 'passive': the anti-spoofing networks on each frame; "
        "'passive+active': the networks plus the face's own movement over the frames "
        "(blink, non-rigid motion).",
    )
    live_score: float = Field(
        0.80, ge=0.0, le=1.0,
        description="Mean real score of the networks over the window at or above which the "
        "passive check says live.",
    )
    spoof_score: float = Field(
        0.30, ge=0.0, le=1.0,
        description="Mean real score at or below which the face is refused as an attack "
        "(between the two: unsure).",
    )
    min_frames: int = Field(
        3, ge=1, le=100, description="Fewest frames of a face before any verdict."
    )
    window_s: float = Field(
        1.0, ge=0.1, le=10.0,
        description="Longest time, in seconds from the face's first frame, to wait for the "
        "evidence; after it the verdict is 'unsure' when nothing decided it.",
    )
    blink_ratio: float = Field(
        0.70, ge=0.1, le=0.95,
        description="A blink: the eye aspect ratio falls below this fraction of the face's "
        "open-eye value, then comes back.",
    )
    nonrigid_live: float = Field(
        0.035, ge=0.0, le=1.0,
        description="Landmark movement a flat picture cannot make (residual of a homography "
        "fit between frames, RMS, fraction of the eye distance) at or above which the face "
        "counts as moving like a live head.",
    )
    rigid_motion: float = Field(
        0.25, ge=0.0, le=10.0,
        description="Movement of the whole face (mean landmark displacement, fraction of the "
        "eye distance) at or above which a face that stays flat is refused as a picture.",
    )
    rigid_residual: float = Field(
        0.020, ge=0.0, le=1.0,
        description="A face that moved at least rigid_motion with a homography residual below "
        "this stays flat: a picture moved in front of the camera.",
    )
    passive_every: int = Field(
        1, ge=1, le=30,
        description="Run the networks on every n-th frame of a face (1: every frame); "
        "saves time on slow machines.",
    )

    keep_refused_images: bool = Field(
        False,
        description="Keep a JPEG of the face crop of each refused face (spoof or unsure on a "
        "face that matched a citizen) in <data dir>/liveness/ (owner-only, 0600), for staff "
        "to review attacks; off by default: no image is kept.",
    )
    refused_images_days: int = Field(
        7, ge=1, le=90,
        description="Days a kept refused-face image is kept before it is deleted.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> LivenessSettings:
        if self.spoof_score >= self.live_score:
            raise ValueError(
                f"spoof_score ({self.spoof_score}) must be below live_score ({self.live_score})"
            )
        if self.rigid_residual > self.nonrigid_live:
            raise ValueError(
                f"rigid_residual ({self.rigid_residual}) must not exceed nonrigid_live "
                f"({self.nonrigid_live})"
            )
        return self
