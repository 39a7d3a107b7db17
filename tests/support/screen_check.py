"""What a person sees on a Qt screen, checked: controls that overlap, controls cut off, text
that is hard to read (WCAG AA contrast), measured on the rendered pixels.

Use on a shown top-level widget (offscreen platform is fine)::

    problems = layout_problems(window) + contrast_problems(window)
    assert not problems, "\\n".join(problems)

Colours come from the rendered image (``widget.grab()``), not from palettes or style sheets,
so whatever the style sheet does is what is measured.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QWidget,
)

#: WCAG 2.1 AA for normal text; large text (>= 24 px, or 18.66 px bold) needs 3:1.
AA_NORMAL = 4.5
AA_LARGE = 3.0
CONTROL_TYPES = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QSlider)


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, QAbstractButton | QLabel):
        text = w.text()
    elif isinstance(w, QLineEdit):
        text = w.text() or w.placeholderText()
    text = " ".join(text.split())[:40]
    ident = w.objectName() or type(w).__name__
    return f"{ident} {text!r}" if text else ident


def _shown(root: QWidget, w: QWidget) -> bool:
    return w.isVisibleTo(root) and w.width() > 0 and w.height() > 0


def _rect_in(root: QWidget, w: QWidget) -> QRect:
    return QRect(w.mapTo(root, QPoint(0, 0)), w.size())


def _visible_rect(root: QWidget, w: QWidget) -> QRect:
    """The part of ``w`` its ancestors (up to ``root``) let through, in root coordinates."""
    rect = _rect_in(root, w)
    parent = w.parentWidget()
    while parent is not None and parent is not root:
        rect = rect.intersected(_rect_in(root, parent))
        parent = parent.parentWidget()
    return rect.intersected(root.rect())


def controls(root: QWidget) -> list[QWidget]:
    """Visible controls a person can touch, and labels that show text."""
    found: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if not _shown(root, w):
            continue
        if isinstance(w, CONTROL_TYPES) or (isinstance(w, QLabel) and w.text().strip()):
            found.append(w)
    return found


def _related(a: QWidget, b: QWidget) -> bool:
    return a.isAncestorOf(b) or b.isAncestorOf(a)


def layout_problems(root: QWidget, *, min_overlap_px: int = 2) -> list[str]:
    """Pairs of visible controls that overlap, and controls (or their text) cut off.

    Two labels may overlap only when one is inside the other; a control over anything
    else is a problem. A control is cut off when less than all of it is visible in the
    window, when its one-line text is wider than the control, or when its wrapped text
    needs more height than it has.
    """
    problems: list[str] = []
    items = controls(root)
    rects = {id(w): _rect_in(root, w) for w in items}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if _related(a, b):
                continue
            if isinstance(a, QLabel) and isinstance(b, QLabel) and not (
                    a.text().strip() and b.text().strip()):
                continue
            inter = rects[id(a)].intersected(rects[id(b)])
            if inter.width() >= min_overlap_px and inter.height() >= min_overlap_px:
                problems.append(f"overlap: {_name(a)} and {_name(b)} share "
                                f"{inter.width()}x{inter.height()} px at "
                                f"({inter.x()},{inter.y()})")
    for w in items:
        full = rects[id(w)]
        seen = _visible_rect(root, w)
        if seen != full:
            problems.append(f"cut off: {_name(w)} shows {seen.width()}x{seen.height()} of "
                            f"{full.width()}x{full.height()} px")
            continue
        text = w.text() if isinstance(w, QAbstractButton | QLabel) else ""
        wraps = isinstance(w, QLabel) and w.wordWrap()
        if wraps and text.strip():
            needed_h = w.heightForWidth(w.width())
            if needed_h > w.height() + 1:
                problems.append(f"cut off: {_name(w)} wrapped text needs {needed_h} px of "
                                f"height, has {w.height()} px")
                continue
        if text and "\n" not in text and not wraps and "<" not in text:
            needed = w.fontMetrics().horizontalAdvance(text)
            room = w.contentsRect().width()
            if isinstance(w, QAbstractButton) and not w.icon().isNull():
                room -= w.iconSize().width()
            if needed > room + 1:
                problems.append(f"cut off: {_name(w)} text needs {needed} px, has {room} px")
    return problems


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours, shape (..., 3) in 0..255 -> (...) in 0..1."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]


def contrast_ratio(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def _pixels(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=stride * height)
    return buf.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def text_contrast(widget: QWidget, root_image: np.ndarray | None = None,
                  root: QWidget | None = None) -> float | None:
    """Contrast between the text and the background of ``widget`` as rendered.

    The background is the most common colour of the widget's text area; the text is the
    colour of the stroke cores (the 2% of pixels farthest from the background in
    luminance, so anti-aliased edges do not count). None when there is nothing to measure.
    With ``root_image`` (the pixels of ``root.grab()``) the widget's area is cut from it,
    so a background painted by a parent (a transparent label on a dark window) counts.
    """
    if root_image is not None and root is not None:
        r = _visible_rect(root, widget)
        image = root_image[r.top():r.bottom() + 1, r.left():r.right() + 1]
    else:
        image = _pixels(widget.grab().toImage())
    if image.size == 0:
        return None
    flat = image.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    lum = relative_luminance(flat)
    bg_lum = float(relative_luminance(background))
    diff = np.abs(lum - bg_lum)
    ink = diff > 0.02
    if ink.sum() < 12:
        return None
    core = lum[ink][diff[ink] >= np.quantile(diff[ink], 0.98)]
    return contrast_ratio(float(np.median(core)), bg_lum)


def _large_text(w: QWidget) -> bool:
    font = w.font()
    px = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
    return px >= 24 or (px >= 18.66 and font.bold())


def contrast_problems(root: QWidget, widgets: Iterable[QWidget] | None = None) -> list[str]:
    """Texts on ``root`` under WCAG AA: 4.5:1, or 3:1 for large text."""
    problems = []
    whole = _pixels(root.grab().toImage())
    if whole.shape[:2] != (root.height(), root.width()):  # high-DPI grab: measure alone
        whole = None
    for w in widgets if widgets is not None else controls(root):
        text = w.text() if isinstance(w, QAbstractButton | QLabel | QLineEdit) else ""
        if not text.strip():
            continue
        ratio = text_contrast(w, whole, root)
        if ratio is None:
            continue
        need = AA_LARGE if _large_text(w) else AA_NORMAL
        if ratio < need:
            problems.append(f"contrast: {_name(w)} {ratio:.2f}:1, needs {need}:1")
    return problems
