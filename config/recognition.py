"""Settings of the face pipeline: detection, quality gates, encoding and matching."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class QualityLimits(BaseModel):
    """Limits a face must meet; one set for matching, a stricter one for enrolment."""

    model_config = ConfigDict(extra="forbid")

    min_face_px: int = Field(
        80, ge=20, le=2000, description="Smallest face box side, in full-frame pixels."
    )
    min_eye_distance_px: float = Field(
        28.0, ge=5, le=1000, description="Smallest distance between the eye centres, in pixels."
    )
    edge_margin_px: int = Field(
        4, ge=0, le=200,
        description="A face box closer than this to the frame border counts as cut off.",
    )
    min_sharpness: float = Field(
        120.0, ge=0, le=100000,
        description="Smallest variance of the Laplacian on the face resized to 64x64.",
    )
    min_brightness: float = Field(
        50.0, ge=0, le=255, description="Darkest acceptable mean grey level of the face (0-255)."
    )
    max_brightness: float = Field(
        215.0, ge=0, le=255,
        description="Brightest acceptable mean grey level of the face (0-255).",
    )
    max_yaw_deg: float = Field(
        35.0, ge=1, le=90, description="Largest head turn left/right, in degrees (estimated)."
    )
    max_pitch_deg: float = Field(
        25.0, ge=1, le=90, description="Largest head tilt up/down, in degrees (estimated)."
    )


class RecognitionSettings(BaseModel):
    """The face pipeline. Distances are Euclidean between dlib 128-d encodings."""

    model_config = ConfigDict(extra="forbid")

    detector: Literal["hog", "cnn"] = Field(
        "hog", description="Face detector: 'hog' (fast, CPU) or 'cnn' (dlib's CNN, slow on CPU)."
    )
    detection_width: int = Field(
        480, ge=160, le=3840,
        description="Frames wider than this are downscaled to this width for detection; "
        "boxes are mapped back to full resolution.",
    )
    detection_upsample: int = Field(
        0, ge=0, le=3, description="Upsampling passes of the detector (smaller faces, slower)."
    )
    match_jitters: int = Field(
        1, ge=1, le=100, description="Re-sampling passes when encoding a face to identify it."
    )
    enrol_jitters: int = Field(
        5, ge=1, le=100, description="Re-sampling passes when encoding a face to enrol it."
    )
    match_threshold: float = Field(
        0.55, gt=0, le=1.5,
        description="Accept a citizen only when the best distance is at most this (the "
        "ceiling: target_false_accept lowers it for large registries). See "
        "docs/recognition.md.",
    )
    target_false_accept: float = Field(
        0.001, ge=0, le=0.5,
        description="Acceptable rate of a false accept per 1:N search over the whole "
        "registry. The threshold is lowered below match_threshold as the registry grows "
        "(impostor quantile at this rate / (citizens - 1), docs/registry.md); 0: always "
        "match_threshold.",
    )
    match_margin: float = Field(
        0.06, ge=0, le=1.0,
        description="The best citizen must beat the best other citizen by at least this "
        "distance, otherwise the result is 'ambiguous'.",
    )
    duplicate_threshold: float = Field(
        0.45, gt=0, le=1.5,
        description="At enrolment, a face this close to another citizen's template is refused "
        "as already enrolled.",
    )
    match_quality: QualityLimits = Field(
        default_factory=QualityLimits, description="Quality limits when identifying."
    )
    enrol_quality: QualityLimits = Field(
        default_factory=lambda: QualityLimits(
            min_face_px=100, min_eye_distance_px=35.0, edge_margin_px=8, min_sharpness=180.0,
            min_brightness=60.0, max_brightness=205.0, max_yaw_deg=20.0, max_pitch_deg=20.0,
        ),
        description="Stricter quality limits when enrolling.",
    )
    ann_min_templates: int = Field(
        200_000, ge=1000, le=100_000_000,
        description="Registries with at least this many templates use the approximate index "
        "(IVF, exact re-ranking); smaller ones are scanned exactly.",
    )
    ann_probe_lists: int = Field(
        48, ge=1, le=4096, description="Inverted lists visited per query in the approximate index."
    )
