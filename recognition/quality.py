"""The quality gate: is this face good enough to identify (or to enrol)?

Each check gives a machine-readable ``Reason`` the kiosk turns into guidance ("come
closer", "look straight", "more light"). Checks run in the order a person can fix them:
cut off, too far, not frontal, lighting, sharpness.
"""

from __future__ import annotations

import cv2
import numpy as np

from config.recognition import QualityLimits
from recognition.types import FaceBox, Quality, Reason

# Head pose from 68 landmarks, by geometry rather than a 3-D model fit (solvePnP with a
# generic face overestimated yaw by 30+ degrees on small faces in our test photos).
# Yaw: where the nose tip (30) sits between the jaw contour at ear level (0 and 16);
# a frontal face has it in the middle. Pitch: where it sits between the eye line and the
# mouth; about half-way (0.49) on a level face, and the nose tip protrudes about 0.6 of the
# eye-mouth distance, which turns the shift into an angle.
_LEVEL_NOSE_RATIO = 0.49
_NOSE_DEPTH = 0.6


def signed_yaw(landmarks: np.ndarray) -> float:
    """Head turn in degrees from 68 landmarks (68, 2) pixels, with its side: positive when
    the nose tip is nearer the jaw point on the image's right (landmark 16), i.e. the
    person turned to *their* left in an unmirrored camera picture; 0 is straight."""
    nose = landmarks[30]
    left = float(nose[0] - landmarks[0][0])
    right = float(landmarks[16][0] - nose[0])
    span = left + right
    yaw_ratio = (left - right) / span if span > 0 else 1.0
    return float(np.degrees(np.arcsin(np.clip(yaw_ratio, -1.0, 1.0))))


def head_pose(landmarks: np.ndarray) -> tuple[float, float]:
    """Estimate (|yaw|, |pitch|) in degrees from 68 landmarks, shape (68, 2), in pixels.

    0 is looking straight at the camera. A rough estimate (good to about 5-10 degrees),
    enough for a gate that asks the citizen to look straight.
    """
    nose = landmarks[30]
    eye_y = float(landmarks[36:48, 1].mean())
    mouth_y = float(landmarks[48:68, 1].mean())
    height = mouth_y - eye_y
    nose_ratio = (float(nose[1]) - eye_y) / height if height > 0 else 0.0
    pitch_sin = (_LEVEL_NOSE_RATIO - nose_ratio) / _NOSE_DEPTH
    pitch = float(np.degrees(np.arcsin(np.clip(pitch_sin, -1.0, 1.0))))
    return abs(signed_yaw(landmarks)), abs(pitch)


def eye_distance(landmarks: np.ndarray) -> float:
    """Distance between the eye centres (68-point landmarks 36-41 and 42-47), in pixels."""
    left = landmarks[36:42].mean(axis=0)
    right = landmarks[42:48].mean(axis=0)
    return float(np.linalg.norm(right - left))


def face_crop_stats(gray: np.ndarray, box: FaceBox) -> tuple[float, float]:
    """(sharpness, brightness) of the face: variance of the Laplacian on the face resized to
    64x64 (so it does not grow with resolution;
    a small sharp crop and a large sharp photo score alike), and its mean grey level (0-255)."""
    height, width = gray.shape[:2]
    top, bottom = max(0, box.top), min(height, box.bottom)
    left, right = max(0, box.left), min(width, box.right)
    crop = gray[top:bottom, left:right]
    if crop.size == 0:
        return 0.0, 0.0
    norm = cv2.resize(crop, (64, 64), interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(norm, cv2.CV_64F).var())
    return sharpness, float(norm.mean())


def assess_quality(
    gray: np.ndarray, box: FaceBox, landmarks: np.ndarray, limits: QualityLimits
) -> Quality:
    """Measure one face and return the first limit it fails (``reason`` ``None``: good).

    ``gray`` is the full frame in grey levels (H, W) uint8; ``landmarks`` (68, 2) pixels.
    """
    height, width = gray.shape[:2]
    face_px = float(min(box.width, box.height))
    eyes = eye_distance(landmarks)
    yaw, pitch = head_pose(landmarks)
    sharpness, brightness = face_crop_stats(gray, box)
    m = limits.edge_margin_px
    lm_min = landmarks.min(axis=0)
    lm_max = landmarks.max(axis=0)
    cut_off = (
        box.left < m or box.top < m or box.right > width - m or box.bottom > height - m
        or lm_min[0] < 0 or lm_min[1] < 0 or lm_max[0] >= width or lm_max[1] >= height
    )
    reason: Reason | None = None
    if cut_off:
        reason = Reason.CUT_OFF
    elif face_px < limits.min_face_px or eyes < limits.min_eye_distance_px:
        reason = Reason.TOO_FAR
    elif yaw > limits.max_yaw_deg or pitch > limits.max_pitch_deg:
        reason = Reason.NOT_FRONTAL
    elif brightness < limits.min_brightness:
        reason = Reason.TOO_DARK
    elif brightness > limits.max_brightness:
        reason = Reason.TOO_BRIGHT
    elif sharpness < limits.min_sharpness:
        reason = Reason.BLURRY
    return Quality(
        reason=reason, face_px=face_px, eye_distance_px=eyes, sharpness=sharpness,
        brightness=brightness, yaw_deg=yaw, pitch_deg=pitch,
    )
