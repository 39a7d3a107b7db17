"""The recognition engine: frame in, identity (or the reason there is none) out.

Detect (downscaled) → choose the citizen's face → 68 landmarks → quality gate → encode →
nearest citizens in the index → open-set decision. Plain Python: no Qt, no database; dlib
loads on first use.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from config.recognition import QualityLimits, RecognitionSettings
from recognition.calibrate import ThresholdChoice, threshold_for_registry
from recognition.detect import choose_face, detect_faces
from recognition.encode import encode_face, landmarks68
from recognition.index import TemplateIndex
from recognition.match import decide
from recognition.quality import assess_quality
from recognition.types import Candidate, FaceAnalysis, FaceBox, IdentifyResult, Match, Reason


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class FaceEngine:
    """Detects, checks, encodes and matches faces against a ``TemplateIndex``."""

    def __init__(self, settings: RecognitionSettings, index: TemplateIndex | None = None) -> None:
        self.settings = settings
        self.index = (
            index
            if index is not None
            else TemplateIndex(settings.ann_min_templates, settings.ann_probe_lists)
        )
        #: the threshold matches use: ``match_threshold``, lowered by ``fit_threshold``
        #: for the registry's size
        self.threshold = settings.match_threshold

    def fit_threshold(self) -> ThresholdChoice:
        """Set ``threshold`` from the index's registry size and ``target_false_accept``
        (call after the index was loaded or changed)."""
        _tids, cids, vecs = self.index.snapshot()
        s = self.settings
        choice = threshold_for_registry(cids, vecs, s.target_false_accept, s.match_threshold)
        self.threshold = choice.threshold
        return choice

    def analyse(
        self,
        image_rgb: np.ndarray,
        limits: QualityLimits,
        jitters: int,
        *,
        face_crop: bool = False,
        encode: bool = True,
    ) -> FaceAnalysis:
        """Find and judge the citizen's face in an RGB image (H, W, 3) uint8; encode it when
        it passes ``limits``.

        ``face_crop=True`` takes the whole image as the face box (an aligned crop, like an
        ID-card photo) instead of detecting, and skips the cut-off check. ``encode=False``
        only judges (the technician's preview: no encoding, about 80 ms saved a face).
        """
        timings: dict[str, float] = {}
        height, width = image_rgb.shape[:2]
        t = time.perf_counter()
        if face_crop:
            boxes = [FaceBox(top=0, right=width, bottom=height, left=0)]
        else:
            boxes = detect_faces(image_rgb, self.settings)
        timings["detect"] = _ms(t)
        box = choose_face(boxes, (height, width))
        if box is None:
            return FaceAnalysis(faces=len(boxes), box=None, quality=None, timings_ms=timings)
        t = time.perf_counter()
        marks = landmarks68(image_rgb, box)
        gray = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2GRAY)
        if face_crop:
            limits = limits.model_copy(update={"edge_margin_px": 0})
            marks = np.clip(marks, 0, [width - 1, height - 1])
        quality = assess_quality(gray, box, marks, limits)
        timings["quality"] = _ms(t)
        encoding = None
        if quality.ok and encode:
            t = time.perf_counter()
            encoding = encode_face(image_rgb, box, jitters)
            timings["encode"] = _ms(t)
        return FaceAnalysis(
            faces=len(boxes), box=box, quality=quality, encoding=encoding, timings_ms=timings,
            landmarks=marks,
        )

    def analyse_for_enrolment(
        self, image_rgb: np.ndarray, *, face_crop: bool = False
    ) -> FaceAnalysis:
        """``analyse`` with the stricter enrolment limits and more jitter."""
        s = self.settings
        return self.analyse(image_rgb, s.enrol_quality, s.enrol_jitters, face_crop=face_crop)

    def match_encoding(
        self, encoding: np.ndarray
    ) -> tuple[Match | None, Reason | None, list[Candidate]]:
        """Decide who an encoding (128,) belongs to: (match, reason, nearest candidates)."""
        candidates = self.index.search(encoding, citizens=2)
        match, reason = decide(candidates, self.threshold, self.settings.match_margin)
        return match, reason, candidates

    def identify_image(self, image_rgb: np.ndarray, *, face_crop: bool = False) -> IdentifyResult:
        """Identify the citizen in an RGB image (H, W, 3) uint8."""
        s = self.settings
        analysis = self.analyse(image_rgb, s.match_quality, s.match_jitters, face_crop=face_crop)
        timings = dict(analysis.timings_ms)
        if analysis.encoding is None:
            return IdentifyResult(
                faces=analysis.faces,
                box=analysis.box,
                reason=analysis.reason,
                match=None,
                quality=analysis.quality,
                timings_ms=timings,
                landmarks=analysis.landmarks,
            )
        t = time.perf_counter()
        match, reason, candidates = self.match_encoding(analysis.encoding)
        timings["match"] = _ms(t)
        runner_up = candidates[1] if len(candidates) > 1 else None
        return IdentifyResult(
            faces=analysis.faces,
            box=analysis.box,
            reason=reason,
            match=match,
            quality=analysis.quality,
            runner_up=runner_up,
            timings_ms=timings,
            encoding=analysis.encoding,
            landmarks=analysis.landmarks,
        )

    def faces_with_landmarks(self, image_rgb: np.ndarray) -> list[tuple[FaceBox, np.ndarray]]:
        """Every face in an RGB image (H, W, 3) uint8 with its 68 landmarks (68, 2) float32
        pixels, largest first (no quality gate, no encoding): for liveness on all faces."""
        boxes = detect_faces(image_rgb, self.settings)
        return [(box, landmarks68(image_rgb, box)) for box in boxes]

    def identify_frame(self, frame_bgr: np.ndarray) -> IdentifyResult:
        """Identify the citizen in a camera frame (OpenCV BGR, (H, W, 3) uint8)."""
        return self.identify_image(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))
