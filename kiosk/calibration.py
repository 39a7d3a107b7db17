"""The calibration of this kiosk's registry: what `kiosk calibrate` prints and the
technician's recognition page shows (``recognition.calibrate`` on the registry's
templates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recognition.calibrate import Calibration, calibrate

if TYPE_CHECKING:
    from kiosk.enrolment import Registry


def calibrate_registry(registry: Registry, target_fmr: float = 0.001) -> Calibration | None:
    """Distance statistics of ``registry``'s templates and the threshold they suggest for
    ``target_fmr`` (rate of any false match per 1:N search); None with fewer than two
    templates."""
    _tids, cids, vecs = registry.index.snapshot()
    if len(cids) < 2:
        return None
    return calibrate(cids, vecs, target_fmr=target_fmr)
