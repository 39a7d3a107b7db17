"""Data that crosses the recognition boundary. Boxes are ``(top, right, bottom, left)``
in full-frame pixels, like face_recognition's ``face_locations``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

EMBEDDING_SIZE = 128


class Reason(StrEnum):
    """Why a frame gave no identity: a quality problem the kiosk turns into guidance,
    or an open-set decision."""

    NO_FACE = "no_face"
    TOO_FAR = "too_far"
    CUT_OFF = "cut_off"
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    NOT_FRONTAL = "not_frontal"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class FaceBox:
    """A face rectangle in full-frame pixels; may reach past the frame edge."""

    top: int
    right: int
    bottom: int
    left: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def center(self) -> tuple[float, float]:
        """(x, y) of the box centre, in pixels."""
        return ((self.left + self.right) / 2.0, (self.top + self.bottom) / 2.0)

    def as_tuple(self) -> tuple[int, int, int, int]:
        """``(top, right, bottom, left)``."""
        return (self.top, self.right, self.bottom, self.left)


@dataclass(frozen=True)
class Quality:
    """The quality figures of one face and the first limit it failed (``None``: good)."""

    reason: Reason | None
    face_px: float
    eye_distance_px: float
    sharpness: float
    brightness: float
    yaw_deg: float
    pitch_deg: float

    @property
    def ok(self) -> bool:
        return self.reason is None

    def figures(self) -> dict[str, float]:
        """The measured figures, rounded, for storage and display."""
        return {
            "face_px": round(self.face_px, 1),
            "eye_distance_px": round(self.eye_distance_px, 1),
            "sharpness": round(self.sharpness, 1),
            "brightness": round(self.brightness, 1),
            "yaw_deg": round(self.yaw_deg, 1),
            "pitch_deg": round(self.pitch_deg, 1),
        }


@dataclass(frozen=True)
class Match:
    """The accepted citizen: id in the registry, the template that matched, its distance."""

    citizen_id: int
    template_id: int
    distance: float


@dataclass(frozen=True)
class Candidate:
    """The closest template of one citizen."""

    citizen_id: int
    template_id: int
    distance: float


@dataclass
class FaceAnalysis:
    """One chosen face in a frame: where, how good, and (when good) its encoding."""

    faces: int
    box: FaceBox | None
    quality: Quality | None
    encoding: np.ndarray | None = None  # float32 (128,)
    timings_ms: dict[str, float] = field(default_factory=dict)
    landmarks: np.ndarray | None = None  # float32 (68, 2) pixels, for liveness

    @property
    def reason(self) -> Reason | None:
        if self.box is None:
            return Reason.NO_FACE
        return self.quality.reason if self.quality else None


@dataclass
class IdentifyResult:
    """What the engine says about one frame."""

    faces: int
    box: FaceBox | None
    reason: Reason | None
    match: Match | None
    quality: Quality | None = None
    runner_up: Candidate | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: the face's float32 (128,) encoding when it was good enough to match (for guest
    #: memory); never shown in a repr or a log
    encoding: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: float32 (68, 2) landmark pixels, for liveness
    landmarks: np.ndarray | None = field(default=None, repr=False, compare=False)
