"""What the technician's camera preview shows besides the picture: the face the engine finds
in the region of interest, and its quality figures judged against the limits the kiosk
identifies with (``recognition.match_quality``), as a meter of four lines.

``PreviewJudge`` runs in a child process (``kiosk.adapters.identification.ProcessIdentifier``)
so dlib never holds the GUI's GIL; it answers a picklable ``PreviewAnalysis`` (never an
encoding: it does not encode). ``quality_meter`` turns the figures into the meter's lines.
No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from config.recognition import QualityLimits, RecognitionSettings

#: The meter's lines, in the order a person fixes them.
METER = ("size", "frontal", "brightness", "sharpness")


@dataclass(frozen=True)
class PreviewAnalysis:
    """One frame as the engine sees it: how many faces, the chosen one's box
    ``(top, right, bottom, left)`` in the analysed image's pixels, the first quality limit
    it fails (``recognition.types.Reason`` value, None: good) and its figures
    (``Quality.figures()``: face_px, eye_distance_px, sharpness, brightness, yaw_deg,
    pitch_deg)."""

    faces: int
    box: tuple[int, int, int, int] | None
    reason: str | None
    figures: dict[str, float] | None


class PreviewJudge:
    """``frame_bgr -> PreviewAnalysis`` with the engine's detection and quality gate."""

    def __init__(self, settings: RecognitionSettings) -> None:
        from recognition.engine import FaceEngine

        self.engine = FaceEngine(settings)

    def __call__(self, frame_bgr: np.ndarray) -> PreviewAnalysis:
        import cv2

        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        s = self.engine.settings
        a = self.engine.analyse(rgb, s.match_quality, 1, encode=False)
        box = a.box.as_tuple() if a.box is not None else None
        reason = None if a.reason is None else str(a.reason)
        figures = a.quality.figures() if a.quality is not None else None
        return PreviewAnalysis(a.faces, box, reason, figures)


@dataclass(frozen=True)
class MeterLine:
    """One line of the quality meter.

    ``name`` is one of ``METER``; ``level`` 0..1 fills the bar, with the limit at 0.5 (a
    bar more than half full passes); ``verdict`` is 'ok' or what is wrong ('small',
    'turned', 'dark', 'bright', 'blurry'); ``value`` is the figure for people ('96 px').
    """

    name: str
    level: float
    ok: bool
    verdict: str
    value: str


def _level(ratio: float) -> float:
    """Bar fill for ``ratio`` = figure / limit (1: at the limit, half the bar)."""
    return max(0.0, min(1.0, ratio / 2.0))


def quality_meter(figures: dict[str, float], limits: QualityLimits) -> list[MeterLine]:
    """The meter's four lines for a face's ``figures`` under ``limits``."""
    face, sharp = figures["face_px"], figures["sharpness"]
    bright = figures["brightness"]
    turn = max(figures["yaw_deg"] / limits.max_yaw_deg, figures["pitch_deg"] / limits.max_pitch_deg)
    mid = (limits.min_brightness + limits.max_brightness) / 2.0
    half = max((limits.max_brightness - limits.min_brightness) / 2.0, 1.0)
    off = abs(bright - mid) / half
    lines = {
        "size": MeterLine("size", _level(face / limits.min_face_px), face >= limits.min_face_px,
                          "ok" if face >= limits.min_face_px else "small", f"{face:.0f} px"),
        "frontal": MeterLine("frontal", _level(2.0 - turn), turn <= 1.0,
                             "ok" if turn <= 1.0 else "turned",
                             f"{max(figures['yaw_deg'], figures['pitch_deg']):.0f}°"),
        "brightness": MeterLine(
            "brightness", _level(2.0 - off), off <= 1.0,
            "ok" if off <= 1.0 else ("dark" if bright < mid else "bright"), f"{bright:.0f}/255"),
        "sharpness": MeterLine("sharpness", _level(sharp / limits.min_sharpness),
                               sharp >= limits.min_sharpness,
                               "ok" if sharp >= limits.min_sharpness else "blurry",
                               f"{sharp:.0f}"),
    }
    return [lines[name] for name in METER]
