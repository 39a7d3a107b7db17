"""Liveness refusals for staff: how many faces were refused per day, and (only when
``liveness.keep_refused_images`` asks) a JPEG of each refused face.

A refusal is a face session that matched an enrolled citizen but that the liveness check
judged ``spoof`` or ``unsure``: the kiosk did not greet that citizen. The counts live in
``<data dir>/liveness/refusals.json`` (``{"YYYY-MM-DD": {"spoof": n, "unsure": n}}``, the
kiosk's local day, the last ``KEEP_DAYS`` days), written atomically by the recognition
process and read by ``kiosk liveness --stats``. Images, when kept, are face crops (never the
whole frame) in the same folder, owner-only (0600), deleted after
``liveness.refused_images_days`` days. No embedding, name or id number is written.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from config.liveness import LivenessSettings

log = logging.getLogger(__name__)

FOLDER = "liveness"
COUNTS_FILE = "refusals.json"
#: Days of counts kept in the counter file.
KEEP_DAYS = 90
VERDICTS = ("spoof", "unsure")


def read_counts(data_dir: Path) -> dict[str, dict[str, int]]:
    """The refusal counts per day (``{"YYYY-MM-DD": {"spoof": n, "unsure": n}}``); empty
    when there is no file yet or it cannot be read (logged)."""
    path = data_dir / FOLDER / COUNTS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("liveness refusal counts unreadable (%s): starting again", exc)
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, dict[str, int]] = {}
    for day, counts in raw.items():
        if isinstance(counts, dict):
            out[str(day)] = {v: counts[v] for v in VERDICTS if isinstance(counts.get(v), int)}
    return out


class RefusalLog:
    """Counts refusals per day (and keeps face crops when the setting asks).

    ``today`` gives the kiosk's local day (tests pass their own); ``now`` wall-clock epoch
    seconds (for the age of kept images).
    """

    def __init__(self, data_dir: Path, settings: LivenessSettings,
                 today: Callable[[], date] = date.today,
                 now: Callable[[], float] = time.time) -> None:
        self.folder = data_dir / FOLDER
        self.data_dir = data_dir
        self.settings = settings
        self.today = today
        self.now = now

    def today_count(self) -> int:
        """Refusals of today (all verdicts)."""
        return sum(read_counts(self.data_dir).get(self.today().isoformat(), {}).values())

    def record(self, verdict: str, reason: str, score: float | None,
               face_bgr: np.ndarray | None = None) -> int:
        """Count one refusal of today; keep ``face_bgr`` (a face crop, (h, w, 3) uint8 BGR)
        only when ``keep_refused_images`` is set. Returns today's count. Never raises: a
        disk error is logged and the kiosk goes on."""
        day = self.today().isoformat()
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            counts = read_counts(self.data_dir)
            day_counts = counts.setdefault(day, {})
            day_counts[verdict] = day_counts.get(verdict, 0) + 1
            for old in sorted(counts)[:-KEEP_DAYS]:
                del counts[old]
            tmp = self.folder / (COUNTS_FILE + ".tmp")
            tmp.write_text(json.dumps(counts, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.folder / COUNTS_FILE)
            total = sum(day_counts.values())
        except OSError as exc:
            log.error("liveness refusal not counted: %s", exc)
            total = 0
        shown = "-" if score is None else f"{score:.2f}"
        log.warning("liveness: refused a face that matched a citizen (%s: %s, score %s); "
                    "%d refusal(s) today", verdict, reason, shown, total)
        if self.settings.keep_refused_images and face_bgr is not None:
            self._keep(face_bgr, verdict)
        self.purge()
        return total

    def _keep(self, face_bgr: np.ndarray, verdict: str) -> None:
        import cv2

        stamp = datetime.fromtimestamp(self.now()).strftime("%Y%m%d-%H%M%S-%f")
        path = self.folder / f"refused-{stamp}-{verdict}.jpg"
        ok, jpg = cv2.imencode(".jpg", face_bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if not ok:
            log.error("refused face image not kept: cannot encode it")
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(jpg.tobytes())
            os.chmod(path, 0o600)  # whatever the umask
        except OSError as exc:
            log.error("refused face image not kept: %s", exc)

    def purge(self) -> int:
        """Delete kept images older than ``refused_images_days``; returns how many."""
        limit = self.now() - self.settings.refused_images_days * 86400
        removed = 0
        try:
            images = list(self.folder.glob("refused-*.jpg"))
        except OSError:
            return 0
        for path in images:
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError as exc:
                log.warning("cannot delete old refused image %s: %s", path.name, exc)
        return removed


def face_crop(frame_bgr: np.ndarray, box: tuple[int, int, int, int],
              margin: float = 0.3) -> np.ndarray:
    """The face box ``(top, right, bottom, left)`` pixels enlarged by ``margin`` of its
    size on each side, clipped to the frame; (h, w, 3) uint8 BGR copy."""
    top, right, bottom, left = box
    h, w = frame_bgr.shape[:2]
    mx, my = int((right - left) * margin), int((bottom - top) * margin)
    y0, y1 = max(0, top - my), min(h, bottom + my)
    x0, x1 = max(0, left - mx), min(w, right + mx)
    return frame_bgr[y0:y1, x0:x1].copy()
