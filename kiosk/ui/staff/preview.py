"""The technician's camera preview: the frame with the face box and the region of interest,
a rectangle drawn with a finger to set that region, and the quality meter below it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from kiosk.adapters.preview import METER, MeterLine
from kiosk.ui.staff.texts import staff_text
from kiosk.ui.widgets import PreviewLabel

#: (left, top, right, bottom) as fractions of the (turned) frame, like ``camera.roi_*``.
Roi = tuple[float, float, float, float]
FULL: Roi = (0.0, 0.0, 1.0, 1.0)


class RoiPreview(PreviewLabel):
    """The newest frame scaled to fit, with the face box, the region of interest (``roi``)
    and, while a finger drags over it, the rectangle being drawn. At the release
    ``on_roi(rect)`` gets the rectangle in fractions of the frame (clamped to it)."""

    BOX_TTL_S = 1.5  # the preview's judge sees a few frames a second

    def __init__(self) -> None:
        super().__init__()
        self.roi: Roi = FULL
        self.on_roi: Callable[[Roi], None] | None = None
        self._drag: tuple[float, float, float, float] | None = None  # x0, y0, x1, y1

    def shown_rect(self) -> QRect:
        """Where the scaled frame sits in the widget (empty before the first frame)."""
        pix = self.pixmap()
        if pix is None or pix.isNull():
            return QRect()
        cr = self.contentsRect()
        x = cr.x() + (cr.width() - pix.width()) // 2
        y = cr.y() + (cr.height() - pix.height()) // 2
        return QRect(x, y, pix.width(), pix.height())

    def fraction_at(self, pos: QPoint) -> tuple[float, float] | None:
        """The frame point under ``pos`` as fractions (clamped), None with no frame."""
        r = self.shown_rect()
        if r.isEmpty():
            return None
        fx = (pos.x() - r.x()) / max(r.width(), 1)
        fy = (pos.y() - r.y()) / max(r.height(), 1)
        return min(max(fx, 0.0), 1.0), min(max(fy, 0.0), 1.0)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Qt naming
        at = self.fraction_at(event.position().toPoint())
        self._drag = None if at is None else (*at, *at)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt naming
        at = self.fraction_at(event.position().toPoint())
        if self._drag is not None and at is not None:
            self._drag = (self._drag[0], self._drag[1], *at)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt naming
        self.mouseMoveEvent(event)
        drag, self._drag = self._drag, None
        if drag is None or self.on_roi is None:
            return
        x0, y0, x1, y1 = drag
        self.on_roi((round(min(x0, x1), 3), round(min(y0, y1), 3),
                     round(max(x0, x1), 3), round(max(y0, y1), 3)))

    def draw_over(self, painter: QPainter, width: int) -> None:
        super().draw_over(painter, width)
        height = painter.device().height()
        pen = QPen(QColor("#4fc3f7"))
        pen.setWidth(max(width // 200, 2))
        pen.setStyle(Qt.PenStyle.DashLine)
        shapes = [] if self.roi == FULL else [(pen, self.roi)]
        if self._drag is not None:
            x0, y0, x1, y1 = self._drag
            shapes.append((QPen(QColor("#ffffff"), max(width // 200, 2)),
                           (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
        for p, (left, top, right, bottom) in shapes:
            painter.setPen(p)
            painter.drawRect(QRect(int(left * width), int(top * height),
                                   int((right - left) * width), int((bottom - top) * height)))


class QualityMeter(QWidget):
    """Four lines (size, frontal, brightness, sharpness): a name, a bar (the limit at the
    middle) and the figure with a word."""

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.names: dict[str, QLabel] = {}
        self.bars: dict[str, QProgressBar] = {}
        self.words: dict[str, QLabel] = {}
        for row, name in enumerate(METER):
            label, words = QLabel(), QLabel()
            label.setObjectName("meter")
            words.setObjectName("meter")
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setTextVisible(False)
            bar.setObjectName("meter-bar")
            grid.addWidget(label, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(words, row, 2)
            self.names[name], self.bars[name], self.words[name] = label, bar, words
        grid.setColumnStretch(1, 1)
        self.language = "vi"
        self.lines: list[MeterLine] = []

    def show_lines(self, lines: list[MeterLine], language: str) -> None:
        """The meter for one face; [] clears it (no face)."""
        self.language, self.lines = language, lines
        by_name = {line.name: line for line in lines}
        for name in METER:
            self.names[name].setText(staff_text(f"meter_{name}", language))
            line = by_name.get(name)
            bar = self.bars[name]
            bar.setValue(0 if line is None else int(round(line.level * 100)))
            state = "none" if line is None else ("ok" if line.ok else "bad")
            if bar.property("state") != state:
                bar.setProperty("state", state)
                bar.style().unpolish(bar)
                bar.style().polish(bar)
            self.words[name].setText("–" if line is None else
                                     f"{line.value} · {staff_text('q_' + line.verdict, language)}")
