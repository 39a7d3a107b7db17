"""An on-screen keyboard for staff fields (the Qt virtual keyboard is not installed):
letters, digits and a few signs, typed into the field that has the keyboard's attention.
Keys are placed on a grid that fills the keyboard, so they never overlap.

``OnScreenKeyboard(vietnamese=True)`` adds a key that switches Telex typing on ("VI":
``kiosk.staff.telex``, aa → â, dd → đ, s f r x j tones ...) and off ("abc"), for names."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QSizePolicy, QWidget

from kiosk.ui.staff.pin_pad import fit_key_text
from kiosk.ui.widgets import BigButton

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm._@")
BACKSPACE, SHIFT, SPACE, TELEX = "⌫", "⇧", "␣", "VI"
PLAIN = "abc"  # the Telex key's caption while Telex is off


class OnScreenKeyboard(QWidget):
    """Types into ``target`` (a QLineEdit); ``on_change()`` after each key."""

    def __init__(self, vietnamese: bool = False) -> None:
        super().__init__()
        self.target: QLineEdit | None = None
        self.on_change: Callable[[], None] | None = None
        self.shift = False
        #: Telex composition on (only with the "VI" key, ``vietnamese=True``)
        self.telex = vietnamese
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.rows: list[list[BigButton]] = []
        bottom = (SHIFT, TELEX, SPACE, BACKSPACE) if vietnamese else (SHIFT, SPACE, BACKSPACE)
        for row in (*ROWS, bottom):
            keys = []
            for ch in row:
                b = BigButton(ch, "key", self)
                b.setObjectName("osk-key")
                b.clicked.connect(lambda _=False, ch=ch: self.press(ch))
                keys.append(b)
            self.rows.append(keys)
        self.telex_key = next((b for b in self.rows[-1] if b.text() == TELEX), None)

    def press(self, ch: str) -> None:
        """One key: a character, shift, Telex on/off, space or backspace."""
        if ch == SHIFT:
            self.shift = not self.shift
            for row in self.rows[:-1]:
                for b in row:
                    b.setText(b.text().upper() if self.shift else b.text().lower())
            return
        if ch == TELEX:
            self.telex = not self.telex
            if self.telex_key is not None:
                self.telex_key.setText(TELEX if self.telex else PLAIN)
            return
        if self.target is None:
            return
        if ch == BACKSPACE:
            self.target.backspace()
        elif ch != SPACE and self.telex and ch.isalpha():
            self._compose(ch.upper() if self.shift else ch)
        else:
            self.target.insert(" " if ch == SPACE else (ch.upper() if self.shift else ch))
        if self.on_change is not None:
            self.on_change()

    def _compose(self, key: str) -> None:
        """Telex: the word before the cursor, retyped with one more key."""
        from kiosk.staff.telex import type_key

        field = self.target
        assert field is not None
        text, pos = field.text(), field.cursorPosition()
        start = pos
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        word = type_key(text[start:pos], key)
        field.setText(text[:start] + word + text[pos:])
        field.setCursorPosition(start + len(word))

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
            else:  # shift (2 keys wide), [VI (2)], space (6 or 4), backspace (2)
                spans = (2, 2, 4, 2) if len(keys) == 4 else (2, 6, 2)
                x = x0
                for b, span in zip(keys, spans, strict=True):
                    width = span * key_w + (span - 1) * gap
                    b.setMinimumSize(1, 1)
                    b.setGeometry(x, y, width, key_h)
                    x += width + gap
