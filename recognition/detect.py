"""Face detection on a downscaled copy of the frame, boxes mapped back to full size."""

from __future__ import annotations

import cv2
import numpy as np

from config.recognition import RecognitionSettings
from recognition import models
from recognition.types import FaceBox


def detect_faces(
    image_rgb: np.ndarray, settings: RecognitionSettings
) -> list[FaceBox]:
    """Find faces in an RGB ``uint8`` image of shape (H, W, 3).

    Frames wider than ``settings.detection_width`` are downscaled (INTER_AREA) before the
    detector runs; the returned boxes are in full-resolution pixels, largest first. Boxes
    may reach past the frame edge (a face cut off by the border).
    """
    height, width = image_rgb.shape[:2]
    scale = 1.0
    small = image_rgb
    if width > settings.detection_width:
        scale = width / settings.detection_width
        small = cv2.resize(
            image_rgb,
            (settings.detection_width, max(1, round(height / scale))),
            interpolation=cv2.INTER_AREA,
        )
    if settings.detector == "cnn":
        rects = [d.rect for d in models.cnn_detector()(small, settings.detection_upsample)]
    else:
        rects = list(models.hog_detector()(small, settings.detection_upsample))
    boxes = [
        FaceBox(
            top=round(r.top() * scale),
            right=round(r.right() * scale),
            bottom=round(r.bottom() * scale),
            left=round(r.left() * scale),
        )
        for r in rects
    ]
    boxes.sort(key=lambda b: b.width * b.height, reverse=True)
    return boxes


def choose_face(boxes: list[FaceBox], frame_size: tuple[int, int]) -> FaceBox | None:
    """The citizen's face among several: the largest one near the centre.

    ``frame_size`` is (height, width) of the image the boxes are in (the kiosk passes the
    camera's region of interest, ``camera.roi_*``, already cropped). Each face is scored by
    its area, reduced by up to half as its centre moves from the frame centre to a corner,
    so a much larger face at the side still beats a small one in the middle.
    """
    height, width = frame_size
    best: FaceBox | None = None
    best_score = -1.0
    half_diag = float(np.hypot(width / 2.0, height / 2.0)) or 1.0
    for box in boxes:
        cx, cy = box.center
        off_centre = float(np.hypot(cx - width / 2.0, cy - height / 2.0)) / half_diag
        score = box.width * box.height * (1.0 - 0.5 * min(off_centre, 1.0))
        if score > best_score:
            best, best_score = box, score
    return best
