"""A face-presence ``Identifier`` for tests: finds faces, never an identity.

dlib HOG on a small copy of the frame; gives the flow guidance ('no_face',
'several_faces', 'too_far') and reports a good single face as 'unknown'. Used to measure
the UI under a busy recognition thread without an enrolled registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PresenceResult:
    """The ``IdentifyResult`` shape without identity: faces, box, reason, no match."""

    faces: int
    box: tuple[int, int, int, int] | None
    reason: str | None
    match: None = None
    timings_ms: dict[str, float] | None = None


class PresenceDetector:
    """An ``Identifier`` that only finds faces (dlib HOG on a small copy), no identity.

    Gives the flow guidance ('no_face', 'several_faces', 'too_far') and reports a good
    single face as 'unknown'. Useful before the recognition engine is installed, for the
    demo and for measuring the UI under a busy recognition thread.
    """

    def __init__(self, width: int = 320, min_face_px: int = 80) -> None:
        self.width = width
        self.min_face_px = min_face_px
        self._detector: Any = None

    def __call__(self, frame_bgr: np.ndarray) -> PresenceResult:
        import cv2

        if self._detector is None:
            import dlib

            self._detector = dlib.get_frontal_face_detector()
        h, w = frame_bgr.shape[:2]
        scale = min(1.0, self.width / max(w, 1))
        small = cv2.resize(frame_bgr, (int(w * scale), int(h * scale))) if scale < 1 else \
            frame_bgr
        rects = self._detector(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), 1)
        boxes = [(int(r.top() / scale), int(r.right() / scale), int(r.bottom() / scale),
                  int(r.left() / scale)) for r in rects]
        if not boxes:
            return PresenceResult(0, None, "no_face")
        box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
        if len(boxes) > 1:
            return PresenceResult(len(boxes), box, "several_faces")
        if box[2] - box[0] < self.min_face_px:
            return PresenceResult(1, box, "too_far")
        return PresenceResult(1, box, "unknown")
