"""The screen checker itself: it must catch what the screen tests rely on it to catch."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QLabel, QPushButton, QWidget  # noqa: E402

from tests.support.screen_check import contrast_problems, layout_problems  # noqa: E402


def _window(qapp) -> QWidget:
    w = QWidget()
    w.resize(400, 300)
    w.setStyleSheet("background: white;")
    return w


def test_overlapping_buttons_and_a_button_off_the_edge_are_found(qapp) -> None:
    w = _window(qapp)
    a = QPushButton("Lấy số", w)
    a.setGeometry(10, 10, 150, 60)
    b = QPushButton("In lại A001", w)
    b.setGeometry(100, 40, 150, 60)
    c = QPushButton("Xong", w)
    c.setGeometry(350, 250, 100, 60)
    w.show()
    problems = layout_problems(w)
    assert any("overlap" in p and "Lấy số" in p and "In lại" in p for p in problems)
    assert any("cut off" in p and "Xong" in p for p in problems)
    a.setGeometry(10, 10, 150, 60)
    b.setGeometry(10, 100, 150, 60)
    c.setGeometry(10, 200, 150, 60)
    assert layout_problems(w) == []


def test_text_wider_than_its_button_is_cut_off(qapp) -> None:
    w = _window(qapp)
    b = QPushButton("Lấy số thứ tự không cần nhận diện khuôn mặt", w)
    b.setGeometry(10, 10, 80, 40)
    w.show()
    assert any("text needs" in p for p in layout_problems(w))


def test_white_on_yellow_fails_and_black_on_white_passes(qapp) -> None:
    w = _window(qapp)
    bad = QPushButton("Tiếng Việt", w)
    bad.setGeometry(10, 10, 200, 60)
    bad.setStyleSheet("background: #f5c400; color: white; font-size: 16px; border: none;")
    good = QLabel("Mời nhìn vào camera", w)
    good.setGeometry(10, 100, 300, 40)
    good.setStyleSheet("background: white; color: #1a1a1a; font-size: 16px;")
    w.show()
    problems = contrast_problems(w)
    assert any("Tiếng Việt" in p for p in problems)
    assert not any("Mời nhìn" in p for p in problems)


def test_wrapped_text_squeezed_in_height_is_cut_off(qapp) -> None:
    w = _window(qapp)
    lab = QLabel("Chưa lưu: sync.server_url: String should match pattern " * 3, w)
    lab.setWordWrap(True)
    lab.setStyleSheet("color: #1a1a1a; font-size: 16px;")
    lab.setGeometry(10, 10, 200, 20)
    w.show()
    assert any("wrapped text needs" in p for p in layout_problems(w))
    lab.setGeometry(10, 10, 200, lab.heightForWidth(200))
    assert layout_problems(w) == []
