"""The recognition worker: a plain thread that always identifies the newest camera frame.

It waits for a frame newer than the last one it looked at, runs the ``Identifier`` on its
region of interest and hands the result to ``on_result`` (called in this thread; the Qt app
forwards it to the GUI thread through its inbox). Frames that arrive while the identifier
is busy are skipped, never queued. No Qt here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.camera import CameraWorker, Frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recognition:
    """One identifier result with the frame it came from.

    ``box`` is ``(top, right, bottom, left)`` in full-frame pixels (the ROI offset added),
    or None; ``elapsed_ms`` is the identifier's wall time.
    """

    result: Any
    frame_seq: int
    frame_time: float
    box: tuple[int, int, int, int] | None
    elapsed_ms: float

    @property
    def liveness(self) -> str | None:
        """The face session's liveness verdict: None (check off or no face), "pending",
        "live", "spoof" or "unsure" (never an image: only the word crosses processes)."""
        return getattr(self.result, "liveness", None)


class RecognitionWorker:
    """Runs ``identifier(roi_bgr)`` on the latest frame, as fast as it can go."""

    def __init__(self, camera: CameraWorker, identifier: Callable[[Any], Any],
                 on_result: Callable[[Recognition], None]) -> None:
        self.camera = camera
        self.identifier = identifier
        self.on_result = on_result
        self.active = threading.Event()
        self.active.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed = 0
        #: faces refused by the liveness check today, as the recognition process last
        #: said (None: the check is off or no answer yet), for the staff line
        self.refusals_today: int | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="recognition", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the thread; an identifier with ``close()`` is closed first to unblock it."""
        self._stop.set()
        self.active.set()
        close = getattr(self.identifier, "close", None)
        if callable(close):
            close()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("recognition thread did not stop within %.1f s", timeout)

    def _identify(self, frame: Frame) -> Recognition:
        top, _right, _bottom, left = frame.roi
        started = time.perf_counter()
        result = self.identifier(frame.roi_image())
        elapsed = (time.perf_counter() - started) * 1000
        box = getattr(result, "box", None)
        if box is not None:
            if hasattr(box, "as_tuple"):  # recognition.types.FaceBox
                box = box.as_tuple()
            t, r, b, l_ = box
            box = (t + top, r + left, b + top, l_ + left)
        return Recognition(result, frame.seq, frame.timestamp, box, elapsed)

    def _run(self) -> None:
        last = 0
        while not self._stop.is_set():
            if not self.active.wait(0.5):
                continue
            frame = self.camera.wait_newer(last, timeout=0.5)
            if frame is None or self._stop.is_set():
                continue
            last = frame.seq
            try:
                rec = self._identify(frame)
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("identifier failed on frame %d", frame.seq)
                time.sleep(0.2)
                continue
            self.processed += 1
            refusals = getattr(rec.result, "refusals_today", None)
            if refusals is not None:
                self.refusals_today = refusals
            try:
                self.on_result(rec)
            except Exception:
                log.exception("recognition result handler failed")
