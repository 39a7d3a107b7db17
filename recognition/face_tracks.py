"""Following faces over consecutive frames, each with its own ``LivenessTracker``.

A face in the new frame continues the track whose last box overlaps it most (IoU at least
``min_iou``); a track not seen for ``max_missed`` frames ends. Used by ``kiosk liveness``
and the benchmark; the kiosk's flow follows only the citizen's face.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from config.liveness import LivenessSettings
from recognition.liveness import LivenessResult, LivenessTracker
from recognition.types import FaceBox


def box_iou(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes, 0-1."""
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return 0.0
    inter = float(w * h)
    return inter / (a.width * a.height + b.width * b.height - inter)


@dataclass
class FaceTrack:
    """One face followed over frames: where it was, its liveness, when it was seen."""

    track_id: int
    tracker: LivenessTracker
    last_box: FaceBox
    first_frame: int
    last_frame: int
    first_box: FaceBox
    missed: int = 0
    decided_at: float | None = None  # seconds from the track's first frame
    boxes: list[FaceBox] = field(default_factory=list, repr=False)

    def result(self) -> LivenessResult:
        """The decided verdict, or one from what was seen."""
        return self.tracker.finish()


class FaceTracks:
    """All face tracks of one video, camera session or photo."""

    def __init__(
        self, settings: LivenessSettings, min_iou: float = 0.3, max_missed: int = 5
    ) -> None:
        self.settings = settings
        self.min_iou = min_iou
        self.max_missed = max_missed
        self.tracks: list[FaceTrack] = []
        self._active: list[FaceTrack] = []
        # time spent in the liveness check per frame, on frames with an undecided face
        self.liveness_ms: list[float] = []

    def update(
        self,
        frame_bgr: np.ndarray,
        faces: list[tuple[FaceBox, np.ndarray]],
        frame_index: int,
        timestamp_s: float,
    ) -> None:
        """Feed one frame (H, W, 3) BGR uint8 with its faces as (box, landmarks (68, 2))."""
        spent = 0.0
        unmatched = list(self._active)
        for box, landmarks in faces:
            best, best_iou = None, self.min_iou
            for track in unmatched:
                iou = box_iou(track.last_box, box)
                if iou >= best_iou:
                    best, best_iou = track, iou
            if best is None:
                best = FaceTrack(
                    track_id=len(self.tracks) + 1, tracker=LivenessTracker(self.settings),
                    last_box=box, first_frame=frame_index, last_frame=frame_index,
                    first_box=box,
                )
                self.tracks.append(best)
                self._active.append(best)
            else:
                unmatched.remove(best)
            best.last_box, best.last_frame, best.missed = box, frame_index, 0
            best.boxes.append(box)
            was_decided = best.tracker.result is not None
            t0 = time.perf_counter()
            result = best.tracker.update(frame_bgr, box, landmarks, timestamp_s)
            if not was_decided:  # a decided track costs nothing (the flow stops asking)
                spent += time.perf_counter() - t0
            if result is not None and not was_decided:
                best.decided_at = result.elapsed_s
        for track in unmatched:
            track.missed += 1
            if track.missed > self.max_missed:
                self._active.remove(track)
        self.liveness_ms.append(spent * 1000.0)


class FaceFinder(Protocol):
    """What finds faces: ``FaceEngine.faces_with_landmarks``."""

    def faces_with_landmarks(self, image_rgb: np.ndarray) -> list[tuple[FaceBox, np.ndarray]]:
        ...


def follow_faces(
    finder: FaceFinder,
    frames: Iterable[np.ndarray],
    settings: LivenessSettings,
    fps: float,
    max_frames: int | None = None,
) -> FaceTracks:
    """Run the liveness check on every face of a frame sequence (BGR (H, W, 3) uint8, at
    ``fps`` frames a second) and return its tracks (each track's ``result()`` is the
    verdict)."""
    tracks = FaceTracks(settings)
    for index, frame in enumerate(frames):
        if max_frames is not None and index >= max_frames:
            break
        faces = finder.faces_with_landmarks(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        tracks.update(frame, faces, index, index / fps)
    return tracks
