"""Active liveness cues from the 68 dlib landmarks of one face over several frames.

A printed photo or a phone screen moved in front of the camera is a flat, rigid picture:
between two frames, its landmarks move by one homography (a plane seen from another
place), however it is shifted, zoomed, tilted or turned. A live head is not flat (the
nose stands out of the plane of the eyes and the jaw) and not rigid (eyes blink, the mouth
moves), so its landmarks leave a residual no homography explains. The cues:

- ``nonrigid``: RMS residual of the best homography from the track's first frame to each
  later frame, as a fraction of the eye distance; the track's value is a high percentile
  over frames (robust to one bad landmark fit).
- ``motion``: mean landmark displacement between those frames (fraction of the eye
  distance): how much the face moved at all.
- ``blink``: the eye aspect ratio (EAR) fell below a fraction of its open-eye value and
  came back.
- ``scale_change``: largest / smallest eye distance over the frames (1.0: same size).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

# dlib 68-point indices of the two eyes, six points each (corner, top, top, corner,
# bottom, bottom).
_LEFT_EYE = slice(36, 42)
_RIGHT_EYE = slice(42, 48)


@dataclass(frozen=True)
class ActiveCues:
    """What the face's own movement says; distances in fractions of the eye distance."""

    frames: int
    nonrigid: float
    motion: float
    blink: bool
    ear_drop: float  # smallest EAR / open-eye EAR (1.0: no drop)
    scale_change: float

    def figures(self) -> dict[str, float | int | bool]:
        """Rounded figures for printing and JSON."""
        return {
            k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()
        }


def eye_aspect_ratio(landmarks: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes from 68 landmarks (68, 2) pixels: eye height over
    eye width, about 0.25-0.35 open and under 0.15 closed."""

    def one(eye: np.ndarray) -> float:
        width = float(np.linalg.norm(eye[0] - eye[3]))
        if width <= 0:
            return 0.0
        height = float(np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4]))
        return height / (2.0 * width)

    return (one(landmarks[_LEFT_EYE]) + one(landmarks[_RIGHT_EYE])) / 2.0


def eye_distance(landmarks: np.ndarray) -> float:
    """Distance between the eye centres, in pixels, from 68 landmarks (68, 2)."""
    left = landmarks[_LEFT_EYE].mean(axis=0)
    right = landmarks[_RIGHT_EYE].mean(axis=0)
    return float(np.linalg.norm(right - left))


def homography_residual(reference: np.ndarray, current: np.ndarray) -> float:
    """RMS distance, in pixels, between ``current`` landmarks (68, 2) and the ``reference``
    landmarks mapped by the least-squares homography between the two sets."""
    src = reference.astype(np.float64)
    dst = current.astype(np.float64)
    matrix: np.ndarray | None = cv2.findHomography(src, dst, 0)[0]
    if matrix is None:  # degenerate landmark sets
        return float("inf")
    mapped = cv2.perspectiveTransform(src.reshape(-1, 1, 2), matrix).reshape(-1, 2)
    return float(np.sqrt(np.mean(np.sum((mapped - dst) ** 2, axis=1))))


def frame_pair_figures(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """(nonrigid, motion) between two landmark sets (68, 2), as fractions of the mean eye
    distance of the two frames."""
    scale = (eye_distance(reference) + eye_distance(current)) / 2.0
    if scale <= 0:
        return 0.0, 0.0
    residual = homography_residual(reference, current)
    motion = float(np.mean(np.linalg.norm(current - reference, axis=1)))
    return residual / scale, motion / scale


def active_cues(
    landmarks: list[np.ndarray], blink_ratio: float, percentile: float = 80.0
) -> ActiveCues:
    """The cues of one face track from its landmarks per frame, each (68, 2) pixels, in
    frame order. One frame gives no movement (all zeros, no blink)."""
    n = len(landmarks)
    if n == 0:
        return ActiveCues(0, 0.0, 0.0, False, 1.0, 1.0)
    reference = landmarks[0]
    pairs = [frame_pair_figures(reference, lm) for lm in landmarks[1:]]
    nonrigid = float(np.percentile([p[0] for p in pairs], percentile)) if pairs else 0.0
    motion = max((p[1] for p in pairs), default=0.0)
    ears = np.array([eye_aspect_ratio(lm) for lm in landmarks])
    open_ear = float(np.percentile(ears, 90))
    blink = False
    ear_drop = 1.0
    if open_ear > 0 and n >= 3:
        lowest = int(np.argmin(ears))
        ear_drop = float(ears[lowest] / open_ear)
        reopened = lowest < n - 1 and float(ears[lowest + 1 :].max()) >= 0.9 * open_ear
        closed_before = lowest > 0 and float(ears[:lowest].max()) >= 0.9 * open_ear
        blink = ear_drop < blink_ratio and reopened and closed_before
    distances = [eye_distance(lm) for lm in landmarks]
    smallest = min(distances)
    scale_change = max(distances) / smallest if smallest > 0 else 1.0
    return ActiveCues(n, nonrigid, motion, blink, ear_drop, scale_change)
