"""Small widgets of the kiosk: a big touch button with wrapping text and the camera preview."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

if TYPE_CHECKING:
    import numpy as np


class BigButton(QPushButton):
    """A touch target whose text wraps onto several lines (QPushButton alone cannot wrap).

    ``role`` picks the style: 'primary', 'secondary', 'tile', 'lang' or 'key'.
    """

    def __init__(self, text: str = "", role: str = "primary",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", role)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def setText(self, text: str) -> None:  # Qt naming
        self.label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.label.text()

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", "true" if selected else "false")
        # The label's colours depend on the button's property: restyle both.
        for w in (self, self.label):
            w.style().unpolish(w)
            w.style().polish(w)

    def sizeHint(self):  # Qt naming
        hint = super().sizeHint()
        label = self.label.sizeHint()
        hint.setHeight(max(hint.height(), label.height() + 24))
        return hint

    def hasHeightForWidth(self) -> bool:  # Qt naming
        return True

    def heightForWidth(self, width: int) -> int:  # Qt naming
        return max(self.minimumSizeHint().height(),
                   self.label.heightForWidth(max(width - 60, 10)) + 48)


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """A QImage copy of a BGR ``(h, w, 3)`` uint8 frame."""
    h, w = image.shape[:2]
    if not image.flags["C_CONTIGUOUS"]:
        import numpy as np

        image = np.ascontiguousarray(image)
    return QImage(image.data, w, h, image.strides[0], QImage.Format.Format_BGR888).copy()


class PreviewLabel(QLabel):
    """Shows the newest camera frame scaled to fit, with the face box when there is one."""

    BOX_TTL_S = 0.6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)
        self.frames_shown = 0
        self.last_seq = 0
        self._box: tuple[int, int, int, int] | None = None
        self._box_good = False
        self._box_at = 0.0

    def set_face_box(self, box: tuple[int, int, int, int] | None, good: bool) -> None:
        """Face box ``(top, right, bottom, left)`` in frame pixels (None: no face)."""
        self._box, self._box_good, self._box_at = box, good, time.monotonic()

    def show_frame(self, image: np.ndarray, seq: int) -> None:
        """Display a BGR frame (called in the GUI thread)."""
        qimg = bgr_to_qimage(image)
        painter = QPainter(qimg)
        self.draw_over(painter, qimg.width())
        painter.end()
        target = self.contentsRect().size()
        pix = QPixmap.fromImage(qimg).scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.FastTransformation)
        self.setPixmap(pix)
        self.frames_shown += 1
        self.last_seq = seq

    def draw_over(self, painter: QPainter, width: int) -> None:
        """Draw on the frame (``width`` pixels wide) before it is scaled: the face box."""
        box = self._box if time.monotonic() - self._box_at < self.BOX_TTL_S else None
        if box is not None:
            top, right, bottom, left = box
            pen = QPen(QColor("#3ddc84" if self._box_good else "#ffd21f"))
            pen.setWidth(max(width // 160, 3))
            painter.setPen(pen)
            painter.drawRect(QRect(left, top, right - left, bottom - top))
