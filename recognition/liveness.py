"""Liveness: is the face in front of the kiosk a person, or a photo, a screen or a video
held up to the camera (a presentation attack)?

One ``LivenessTracker`` per face track (the same face over consecutive frames). Feed it
each frame with the face's box and 68 landmarks; it returns a ``LivenessResult`` as soon
as the evidence decides, or after ``window_s`` seconds at the latest:

- passive: minivision's MiniFASNet networks (``recognition.antispoof``) give each frame a
  real score in [0, 1]; the window's mean is compared with ``live_score`` / ``spoof_score``.
- active (mode ``passive+active``): the face's landmarks must move in a way a flat
  picture cannot (non-rigid residual or a blink, ``recognition.face_motion``); a face that
  moves a lot while staying flat is refused as a picture.

Verdicts: ``live`` (greet the citizen), ``spoof`` (an attack), ``unsure`` (not enough
evidence in the window). The kiosk treats ``spoof`` and ``unsure`` alike: no greeting and
no ticket in the matched citizen's name; the person can still take a number as a guest.
Plain Python: no Qt, no database, no image kept; the networks load on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from config.liveness import LivenessSettings
from recognition import antispoof
from recognition.face_motion import ActiveCues, active_cues
from recognition.types import FaceBox


class Verdict(StrEnum):
    """The outcome of the liveness check for one face track."""

    LIVE = "live"
    SPOOF = "spoof"
    UNSURE = "unsure"


@dataclass(frozen=True)
class LivenessResult:
    """The verdict of one face track, with the evidence behind it.

    ``score`` is the mean passive real score (0-1; ``None`` when the networks did not run);
    ``reason`` is a short English phrase for logs and the CLI; ``elapsed_s`` runs from the
    track's first frame to the deciding one.
    """

    verdict: Verdict
    score: float | None
    cues: ActiveCues | None
    reason: str
    frames: int
    elapsed_s: float
    scores: tuple[float, ...] = field(default=(), repr=False)

    @property
    def live(self) -> bool:
        return self.verdict is Verdict.LIVE

    def figures(self) -> dict[str, object]:
        """A JSON-ready summary (no image, no embedding)."""
        return {
            "verdict": self.verdict.value,
            "score": None if self.score is None else round(self.score, 4),
            "reason": self.reason,
            "frames": self.frames,
            "elapsed_s": round(self.elapsed_s, 3),
            "cues": None if self.cues is None else self.cues.figures(),
        }


class LivenessTracker:
    """The liveness check of one face track.

    Call ``update`` once per frame the face is seen; it returns ``None`` while undecided
    and the (then fixed) ``LivenessResult`` once decided. ``finish`` gives a verdict from
    whatever was seen (for a track that ended early or a single photo).
    """

    def __init__(self, settings: LivenessSettings) -> None:
        self.settings = settings
        self._landmarks: list[np.ndarray] = []
        self._scores: list[float] = []
        self._first_t: float | None = None
        self._last_t = 0.0
        self._frames = 0
        self._result: LivenessResult | None = None

    @property
    def result(self) -> LivenessResult | None:
        """The verdict once decided, else ``None``."""
        return self._result

    def update(
        self,
        frame_bgr: np.ndarray,
        box: FaceBox,
        landmarks: np.ndarray,
        timestamp_s: float,
    ) -> LivenessResult | None:
        """Add one frame of the face and return the verdict once decided.

        ``frame_bgr`` is the whole camera frame (H, W, 3) uint8 BGR; ``box`` the face in
        full-frame pixels; ``landmarks`` its 68 points (68, 2) in pixels; ``timestamp_s``
        the frame's time in seconds (any origin, increasing).
        """
        if self._result is not None:
            return self._result
        s = self.settings
        if self._first_t is None:
            self._first_t = timestamp_s
        self._last_t = timestamp_s
        self._frames += 1
        if s.mode == "off":
            self._result = self._make(Verdict.LIVE, "liveness check is off")
            return self._result
        if (self._frames - 1) % s.passive_every == 0:
            self._scores.append(antispoof.real_score(frame_bgr, box))
        self._landmarks.append(np.asarray(landmarks, dtype=np.float32))
        self._result = self._decide(final=False)
        return self._result

    def finish(self) -> LivenessResult:
        """The verdict now: the decided one, else one from the frames seen so far (a track
        shorter than the window can still be refused or, in passive mode, accepted)."""
        if self._result is None:
            if self._frames == 0:
                return self._make(Verdict.UNSURE, "no frame of the face")
            if self.settings.mode == "off":
                return self._make(Verdict.LIVE, "liveness check is off")
            self._result = self._decide(final=True) or self._make(
                Verdict.UNSURE, "no decisive evidence"
            )
        return self._result

    def _make(
        self, verdict: Verdict, reason: str, cues: ActiveCues | None = None
    ) -> LivenessResult:
        score = float(np.mean(self._scores)) if self._scores else None
        elapsed = 0.0 if self._first_t is None else self._last_t - self._first_t
        return LivenessResult(
            verdict=verdict, score=score, cues=cues, reason=reason, frames=self._frames,
            elapsed_s=elapsed, scores=tuple(self._scores),
        )

    def _decide(self, *, final: bool) -> LivenessResult | None:
        s = self.settings
        assert self._first_t is not None
        window_over = self._last_t - self._first_t >= s.window_s
        if self._frames < s.min_frames and not final:
            return None
        score = float(np.mean(self._scores))
        cues = None
        if s.mode == "passive+active":
            cues = active_cues(self._landmarks, s.blink_ratio)
        if score <= s.spoof_score:
            return self._make(Verdict.SPOOF, "looks like a photo or a screen", cues)
        if cues is None:
            if score >= s.live_score:
                return self._make(Verdict.LIVE, "looks like a real face", cues)
        else:
            if cues.motion >= s.rigid_motion and cues.nonrigid < s.rigid_residual:
                return self._make(Verdict.SPOOF, "moved like a flat picture", cues)
            moving = cues.nonrigid >= s.nonrigid_live or cues.blink
            if score >= s.live_score and moving:
                why = "blinked" if cues.blink else "moved like a live face"
                return self._make(Verdict.LIVE, f"looks real and {why}", cues)
        if window_over or final:
            if cues is not None and score >= s.live_score:
                return self._make(Verdict.UNSURE, "looks real but did not move", cues)
            return self._make(Verdict.UNSURE, "score between the thresholds", cues)
        return None
