"""A numeric keypad for PINs: twelve keys placed on a grid that fills the pad, so keys
never overlap whatever the pad's size (the old layout-based pad did at 1920x1080)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.widgets import BigButton

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
BACKSPACE, ENTER = "⌫", "OK"


def fit_key_text(keys: list[BigButton], key_h: int, largest_px: int) -> None:
    """Key captions no taller than half the key (style sheets override ``setFont``)."""
    px = max(min(largest_px, int(key_h * 0.45)), 8)
    for b in keys:
        if b.property("caption_px") != px:
            b.setProperty("caption_px", px)
            b.layout().setContentsMargins(2, 0, 2, 0)
            b.label.setStyleSheet(f"font-size: {px}px; font-weight: bold;")


class PinPad(QWidget):
    """Digits, backspace and OK; ``on_key(key)`` is called for each touch."""

    def __init__(self, max_key_px: int = 220) -> None:
        super().__init__()
        self.on_key: Callable[[str], None] | None = None
        self.max_key_px = max_key_px
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.keys: dict[str, BigButton] = {}
        for k in KEYS:
            b = BigButton(k, "key", self)
            b.setObjectName(f"key-{k}")
            b.clicked.connect(lambda _=False, k=k: self._press(k))
            self.keys[k] = b

    def _press(self, key: str) -> None:
        if self.on_key is not None:
            self.on_key(key)

    def set_ok_text(self, text: str) -> None:
        self.keys[ENTER].setText(text)

    def resizeEvent(self, event) -> None:  # Qt naming
        super().resizeEvent(event)
        w, h = self.width(), self.height()
        gap = max(min(w, h) // 40, 6)
        side_w = (w - 2 * gap) // 3
        side_h = (h - 3 * gap) // 4
        key_w = min(side_w, int(self.max_key_px * 1.4))
        key_h = min(side_h, self.max_key_px)
        x0 = (w - (3 * key_w + 2 * gap)) // 2
        y0 = (h - (4 * key_h + 3 * gap)) // 2
        fit_key_text(list(self.keys.values()), key_h, max(key_h // 3, 8))
        for i, k in enumerate(KEYS):
            b = self.keys[k]
            b.setMinimumSize(1, 1)
            b.setGeometry(x0 + (i % 3) * (key_w + gap), y0 + (i // 3) * (key_h + gap),
                          key_w, key_h)
