"""The passive liveness check: minivision's two MiniFASNet networks (Silent-Face
Anti-Spoofing, Apache-2.0) run with OpenCV's DNN module on crops around the face.

Each network sees the face box enlarged around its centre (2.7x and 4.0x), cut from the
frame and resized to 80x80, BGR 0-255 as float32. The softmax outputs of the two are summed;
class 1 is a real face (0 and 2 are two kinds of attack). The real score is that sum's
class-1 value / 2, in [0, 1]. The networks load on first use from the files shipped in
``recognition/weights/silent_face/``.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from recognition.types import FaceBox

WEIGHTS_DIR = Path(__file__).with_name("weights") / "silent_face"
INPUT_SIZE = 80


@dataclass(frozen=True)
class PatchModel:
    """One network: its file and how much the face box is enlarged for its crop."""

    file: str
    scale: float


MODELS: tuple[PatchModel, ...] = (
    PatchModel("2.7_80x80_MiniFASNetV2.onnx", 2.7),
    PatchModel("4_0_0_80x80_MiniFASNetV1SE.onnx", 4.0),
)

_lock = threading.Lock()


class ModelFileError(RuntimeError):
    """An anti-spoofing model file is missing or unreadable; the message says which."""


@functools.cache
def _nets() -> tuple[Any, ...]:
    with _lock:
        nets = []
        for model in MODELS:
            path = WEIGHTS_DIR / model.file
            if not path.is_file():
                raise ModelFileError(
                    f"liveness model {path} is missing; reinstall the product or set "
                    "liveness.mode = 'off'"
                )
            try:
                nets.append(cv2.dnn.readNetFromONNX(str(path)))
            except cv2.error as exc:
                raise ModelFileError(f"liveness model {path} cannot be read: {exc}") from None
        return tuple(nets)


def warm_up() -> None:
    """Load both networks now (start-up screens may pay the cost early)."""
    _nets()


def patch_box(
    frame_size: tuple[int, int], box: FaceBox, scale: float
) -> tuple[int, int, int, int]:
    """The crop for one network as (left, top, right, bottom) inclusive pixels.

    Upstream's ``generate_patches``: the scale is capped so the enlarged box fits in the
    frame ((height, width) = ``frame_size``), the box is enlarged around its centre and
    shifted back inside where it crosses an edge.
    """
    height, width = frame_size
    box_w = max(1, box.width)
    box_h = max(1, box.height)
    scale = min((height - 1) / box_h, (width - 1) / box_w, scale)
    new_w, new_h = box_w * scale, box_h * scale
    cx, cy = box.left + box_w / 2.0, box.top + box_h / 2.0
    left, top = cx - new_w / 2.0, cy - new_h / 2.0
    right, bottom = cx + new_w / 2.0, cy + new_h / 2.0
    if left < 0:
        right -= left
        left = 0
    if top < 0:
        bottom -= top
        top = 0
    if right > width - 1:
        left -= right - width + 1
        right = width - 1
    if bottom > height - 1:
        top -= bottom - height + 1
        bottom = height - 1
    return int(max(0, left)), int(max(0, top)), int(right), int(bottom)


def patches(frame_bgr: np.ndarray, box: FaceBox) -> list[np.ndarray]:
    """The two 80x80 BGR uint8 crops of the face in ``frame_bgr`` (H, W, 3)."""
    out = []
    for model in MODELS:
        left, top, right, bottom = patch_box(frame_bgr.shape[:2], box, model.scale)
        crop = frame_bgr[top : bottom + 1, left : right + 1]
        out.append(cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE)))
    return out


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    out: np.ndarray = e / e.sum()
    return out


def class_probabilities(frame_bgr: np.ndarray, box: FaceBox) -> np.ndarray:
    """Summed softmax of the two networks / 2, shape (3,): (attack, real, attack)."""
    total = np.zeros(3, dtype=np.float64)
    for net, patch in zip(_nets(), patches(frame_bgr, box), strict=True):
        blob = patch.astype(np.float32).transpose(2, 0, 1)[None]
        net.setInput(blob)
        total += _softmax(net.forward().reshape(-1).astype(np.float64))
    return total / len(MODELS)


def real_score(frame_bgr: np.ndarray, box: FaceBox) -> float:
    """How real the face in ``box`` looks, 0 (attack) to 1 (real face).

    ``frame_bgr`` is the whole camera frame, (H, W, 3) uint8 BGR (the crops need the
    surroundings of the face); ``box`` in full-frame pixels.
    """
    return float(class_probabilities(frame_bgr, box)[1])
