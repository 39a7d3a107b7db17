"""An on-screen keyboard for staff fields (the Qt virtual keyboard is not installed):
letters, digits and a few signs, typed into the field that has the keyboard's attention.
Keys are placed on a grid that fills the keyboard, so they never overlap."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from kiosk.ui.staff.pin_pad import fit_key_text
from kiosk.ui.widgets import BigButton

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm._@")
BACKSPACE, SHIFT, SPACE = "⌫", "⇧", "␣"


class OnScreenKeyboard(QWidget):
    """Types into ``target`` (a QLineEdit); ``on_change()`` after each key."""

    def __init__(self) -> None:
        super().__init__()
        self.target: QLineEdit | None = None
        self.on_change: Callable[[], None] | None = None
        self.shift = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.rows: list[list[BigButton]] = []
        for row in (*ROWS, SHIFT + SPACE + BACKSPACE):
            keys = []
            for ch in row:
                b = BigButton(ch, "key", self)
                b.setObjectName("osk-key")
                b.clicked.connect(lambda _=False, ch=ch: self.press(ch))
                keys.append(b)
            self.rows.append(keys)

    def press(self, ch: str) -> None:
        """One key: a character, shift, space or backspace."""
        if ch == SHIFT:
            self.shift = not self.shift
            for row in self.rows[:-1]:
                for b in row:
                    b.setText(b.text().upper() if self.shift else b.text().lower())
            return
        if self.target is None:
            return
        if ch == BACKSPACE:
            self.target.backspace()
        else:
            self.target.insert(" " if ch == SPACE else (ch.upper() if self.shift else ch))
        if self.on_change is not None:
            self.on_change()

    def resizeEvent(self, event) -> None:  # Qt naming
        super().resizeEvent(event)
        w, h = self.width(), self.height()
        gap = max(min(w, h) // 60, 4)
        n = len(self.rows)
        key_h = min((h - (n - 1) * gap) // n, 140)
        key_w = min((w - 9 * gap) // 10, 190)
        full = 10 * key_w + 9 * gap
        x0 = (w - full) // 2
        y0 = (h - (n * key_h + (n - 1) * gap)) // 2
        fit_key_text([b for row in self.rows for b in row], key_h, min(key_w // 2, 44))
        for r, keys in enumerate(self.rows):
            y = y0 + r * (key_h + gap)
            if r < len(ROWS):
                for c, b in enumerate(keys):
                    b.setMinimumSize(1, 1)
                    b.setGeometry(x0 + c * (key_w + gap), y, key_w, key_h)
            else:  # shift (2 keys wide), space (6), backspace (2)
                spans = (2, 6, 2)
                x = x0
                for b, span in zip(keys, spans, strict=True):
                    width = span * key_w + (span - 1) * gap
                    b.setMinimumSize(1, 1)
                    b.setGeometry(x, y, width, key_h)
                    x += width + gap
