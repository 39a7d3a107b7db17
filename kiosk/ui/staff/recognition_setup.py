"""Technician set-up: the recognition threshold, with the calibration report.

When the page opens, the calibration `kiosk calibrate` prints runs on this kiosk's
registry on a worker thread (``kiosk.calibration.calibrate_registry``): registry size,
suggested threshold, rank-1, and the expected false matches per search at the threshold
being chosen (updated as it moves). The threshold moves on a slider or with -/+ in steps
of 0.01 within ``recognition.match_threshold``'s bounds; "Lưu" writes it validated. The
app restarts its recognition process with the new value (no app restart).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSlider, QVBoxLayout

from kiosk.ui.staff.pages import Action, label
from kiosk.ui.staff.setup import SettingsPage
from kiosk.ui.staff.texts import staff_text

if TYPE_CHECKING:
    from kiosk.context import KioskContext
    from recognition.calibrate import Calibration

STEP = 0.01
TARGET_FMR = 0.001


def threshold_bounds() -> tuple[float, float]:
    """The lowest and highest threshold the config accepts, on the page's 0.01 steps."""
    from config.recognition import RecognitionSettings

    lo, hi = STEP, 1.5
    for rule in RecognitionSettings.model_fields["match_threshold"].metadata:
        if getattr(rule, "ge", None) is not None:
            lo = max(lo, float(rule.ge))
        if getattr(rule, "gt", None) is not None:
            lo = max(lo, float(rule.gt) + STEP)
        if getattr(rule, "le", None) is not None:
            hi = min(hi, float(rule.le))
        if getattr(rule, "lt", None) is not None:
            hi = min(hi, float(rule.lt) - STEP)
    low = round(math.ceil(lo / STEP - 1e-9) * STEP, 2)
    return low, round(math.floor(hi / STEP + 1e-9) * STEP, 2)


def run_calibration(ctx: KioskContext) -> Calibration | None:
    """The calibration of ``ctx``'s registry (worker thread); None: under two templates."""
    from kiosk.calibration import calibrate_registry
    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    try:
        return calibrate_registry(registry, TARGET_FMR)
    finally:
        registry.close()


class RecognitionSetupPage(SettingsPage):
    """The threshold (slider, -/+), the calibration report, save."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.keyboard.setVisible(False)  # nothing to type here
        self.low, self.high = threshold_bounds()
        self.calibration: Calibration | None = None
        self.value_label = label("title", wrap=False)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("threshold")
        self.slider.setRange(round(self.low / STEP), round(self.high / STEP))
        self.slider.valueChanged.connect(self._moved)
        self.lower = self._button("secondary", lambda: self.set_threshold(self.threshold - STEP))
        self.higher = self._button("secondary", lambda: self.set_threshold(self.threshold + STEP))
        self.explain = label("meter", fit=True)
        self.estimate = label("info", fit=True)
        self.use_suggested = self._button("secondary", self._use_suggested)
        self.recompute = self._button("secondary", self.run_calibration)
        self.save = self._button("primary", self.run_save)

        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.title)
        left.addStretch(1)
        left.addWidget(self.value_label)
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self.lower, 1)
        row.addWidget(self.slider, 3)
        row.addWidget(self.higher, 1)
        left.addLayout(row)
        left.addWidget(self.estimate)
        left.addWidget(self.explain)
        left.addStretch(1)
        right = self.answers_column((self.use_suggested, self.recompute, self.back, self.save))
        self.box.addLayout(left, 1)
        self.box.addLayout(right, 1)
        self.threshold = self.low

    def load(self) -> None:
        """The running threshold; the calibration starts on the worker thread."""
        self.say(None)
        self.calibration = None
        self.show_results("")
        if self.kiosk_ctx is None:
            self.say(staff_text("unavailable", self.language))
            return
        self.set_threshold(self.kiosk_ctx.settings.recognition.match_threshold)
        self.run_calibration()

    def run_calibration(self) -> None:
        ctx = self.kiosk_ctx
        if ctx is None:
            return
        self.show_results(staff_text("calibrating", self.language))
        self._submit(lambda: run_calibration(ctx), self._calibrated)

    def _calibrated(self, cal: Calibration | None) -> None:
        self.calibration = cal
        self._report()
        self._estimate()

    # -- the threshold

    def set_threshold(self, value: float) -> None:
        """Set the threshold, kept within the config's bounds on 0.01 steps."""
        self.act("touch", None)
        self.threshold = round(min(max(value, self.low), self.high), 2)
        self.slider.blockSignals(True)
        self.slider.setValue(round(self.threshold / STEP))
        self.slider.blockSignals(False)
        self.value_label.setText(staff_text("threshold_value", self.language,
                                            v=f"{self.threshold:.2f}"))
        self._estimate()

    def _moved(self, steps: int) -> None:
        self.set_threshold(steps * STEP)

    def _use_suggested(self) -> None:
        cal = self.calibration
        if cal is not None and cal.threshold is not None:
            self.set_threshold(math.floor(cal.threshold / STEP + 1e-9) * STEP)

    def _estimate(self) -> None:
        cal = self.calibration
        fa = cal.false_accepts(self.threshold) if cal is not None else None
        self.estimate.setText("" if fa is None else staff_text(
            "false_accepts", self.language, v=f"{self.threshold:.2f}", n=f"{fa * 1000:.1f}"))
        self.estimate.setVisible(fa is not None)

    def _report(self) -> None:
        cal = self.calibration
        lang = self.language
        if cal is None:
            self.show_results(staff_text("calibration_none", lang))
            return
        lines = [staff_text("registry_size", lang, c=cal.citizens, t=cal.templates)]
        if cal.threshold is not None:
            lines.append(staff_text("suggested", lang, v=f"{cal.threshold:.2f}",
                                    n=f"{cal.target_fmr * 1000:g}"))
        else:
            lines.append(staff_text("suggested_none", lang))
        lines.append(staff_text("rank1", lang, p=f"{cal.rank1 * 100:.1f}", n=cal.rank1_probes)
                     if cal.rank1 is not None else staff_text("rank1_unknown", lang))
        self.show_results("\n".join(lines))

    def retext(self, language: str) -> None:
        self.language = language
        self.title.setText(staff_text("recognition_title", language))
        self.value_label.setText(staff_text("threshold_value", language,
                                            v=f"{self.threshold:.2f}"))
        self.lower.setText("−")
        self.higher.setText("+")
        self.explain.setText(staff_text("threshold_why", language))
        self.use_suggested.setText(staff_text("use_suggested", language))
        self.recompute.setText(staff_text("recalculate", language))
        self.save.setText(staff_text("save", language))
        self.back.setText(staff_text("back", language))
        if self.calibration is not None:
            self._report()
            self._estimate()

    def run_save(self) -> Any:
        settings = self.save_changes({"recognition": {"match_threshold": self.threshold}})
        if settings is not None:
            self.show_results(staff_text("threshold_saved", self.language,
                                         v=f"{self.threshold:.2f}"))
        return settings
