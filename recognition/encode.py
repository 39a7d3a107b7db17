"""Landmarks and 128-d encodings of one face (dlib, through `recognition.models`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from recognition import models
from recognition.types import FaceBox


def _rect(box: FaceBox) -> Any:
    """``box`` as a ``dlib.rectangle`` (dlib ships no type information)."""
    return models.dlib_module().rectangle(box.left, box.top, box.right, box.bottom)


def landmarks68(image_rgb: np.ndarray, box: FaceBox) -> np.ndarray:
    """The 68 facial landmarks of the face in ``box``, shape (68, 2) float32 pixels."""
    shape = models.landmarks68()(image_rgb, _rect(box))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)


def encode_face(image_rgb: np.ndarray, box: FaceBox, jitters: int = 1) -> np.ndarray:
    """The face's 128-d encoding as float32 (128,), aligned on the 5-point landmarks as
    face_recognition does. ``jitters`` > 1 averages randomly jittered crops (slower,
    steadier): worth it at enrolment."""
    shape = models.landmarks5()(image_rgb, _rect(box))
    vec = models.encoder().compute_face_descriptor(image_rgb, shape, jitters)
    return np.asarray(vec, dtype=np.float32)
