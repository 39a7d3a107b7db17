"""Lazy access to dlib and the face_recognition model files.

Nothing here runs at import time: the first call loads dlib and the models (about 0.5 s)
and keeps them for the life of the process. Every other module goes through this one, so
`import recognition` never imports dlib.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any

_lock = threading.Lock()


@functools.cache
def _models() -> dict[str, Any]:
    with _lock, warnings.catch_warnings():
        # face_recognition_models imports pkg_resources, which warns since setuptools 67.
        warnings.simplefilter("ignore")
        import dlib
        import face_recognition_models as frm

        return {
            "dlib": dlib,
            "hog": dlib.get_frontal_face_detector(),
            "pose68": dlib.shape_predictor(frm.pose_predictor_model_location()),
            "pose5": dlib.shape_predictor(frm.pose_predictor_five_point_model_location()),
            "encoder": dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
            "cnn_path": frm.cnn_face_detector_model_location(),
        }


@functools.cache
def _cnn() -> Any:
    m = _models()
    return m["dlib"].cnn_face_detection_model_v1(m["cnn_path"])


def dlib_module() -> Any:
    """The imported ``dlib`` module."""
    return _models()["dlib"]


def hog_detector() -> Any:
    """dlib's HOG frontal face detector."""
    return _models()["hog"]


def cnn_detector() -> Any:
    """dlib's CNN (MMOD) face detector; slow on a CPU."""
    return _cnn()


def landmarks68() -> Any:
    """The 68-point shape predictor (eyes, nose, jaw: used for quality and pose)."""
    return _models()["pose68"]


def landmarks5() -> Any:
    """The 5-point shape predictor (what face_recognition aligns with by default)."""
    return _models()["pose5"]


def encoder() -> Any:
    """dlib's ResNet face encoder giving 128-d descriptors."""
    return _models()["encoder"]


def warm_up() -> None:
    """Load every model now (for start-up screens that want to pay the cost early)."""
    _models()
