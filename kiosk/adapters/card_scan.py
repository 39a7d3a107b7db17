"""The card scanner: a plain thread, sibling of the recognition worker, that looks for a
chip ID card's QR code in the newest camera frame while the kiosk is idle.

It reads at most ``per_s`` frames a second (scripts/bench_id_card.py: a 1280x720 frame takes
about 11 ms with no code in it and 45 ms with one, so 4 a second costs a few percent of one
core), only while ``active`` is set (the app sets it on the idle and guidance screens), and
hands what it found to ``on_scan`` (called in this thread; the Qt app forwards it to the GUI
thread through its inbox). A card is reported once: the same card (or the same QR code that
is no card) still in view is not reported again until a frame without any code was seen, so
a citizen who keeps holding the card after their visit does not start a second one. The
card's data stays in memory: nothing here is logged but counts. No Qt here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kiosk.adapters.id_card_reader import CardScan, IdCardReader
from kiosk.camera import CameraWorker

log = logging.getLogger(__name__)


class CardScanWorker:
    """Runs ``IdCardReader.read`` on the newest frame, at most ``per_s`` times a second."""

    def __init__(self, camera: CameraWorker, on_scan: Callable[[CardScan], None],
                 per_s: float = 4.0) -> None:
        self.camera = camera
        self.on_scan = on_scan
        self.interval = 1.0 / per_s if per_s > 0 else 0.0
        self.active = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown: str | None = None  # the card (or "not_id_card") last reported
        self.scanned = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="card-scan", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self.active.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _new(self, scan: CardScan) -> bool:
        """True for something to report: not what was reported last while still in view."""
        key = scan.card.id_number if scan.card is not None else scan.problem
        if key is None:  # nothing in view: the next card counts, even the same one again
            self._shown = None
            return False
        if key == self._shown:
            return False
        self._shown = key
        return True

    def _run(self) -> None:
        reader = IdCardReader()  # one per thread (the detector keeps state)
        last = 0
        while not self._stop.is_set():
            if not self.active.wait(0.5):
                continue
            started = time.monotonic()
            frame = self.camera.wait_newer(last, timeout=0.5)
            if frame is None or self._stop.is_set():
                continue
            last = frame.seq
            try:
                scan = reader.read(frame.image)
            except Exception:  # the reader promises not to raise; a bug must not end us
                log.exception("card scan failed on frame %d", frame.seq)
                scan = CardScan()
            self.scanned += 1
            if self.active.is_set() and self._new(scan):
                try:
                    self.on_scan(scan)
                except Exception:
                    log.exception("card scan handler failed")
            rest = self.interval - (time.monotonic() - started)
            if rest > 0:
                self._stop.wait(rest)
