"""Every screen in both languages at both sizes: rendered offscreen, saved, checked.

The PNGs in tests/output/ are for a person to look at; the assertions check what a citizen
relies on: the translated sentence is there, the big number is there, and nothing of a
screen's text is cut off by the window.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from config.kiosk import KioskSettings
from kiosk import flow, model
from kiosk.ui.i18n import Translations
from kiosk.ui.widgets import BigButton
from kiosk.ui.window import KioskWindow

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
SERVICES = model.services_from_settings(KioskSettings())
TICKET = flow.IssuedTicket("t1", "KD", "D012", True, datetime(2026, 11, 27, 9, 5),
                           people_ahead=4, counters="3, 4")
OPEN = flow.IssuedTicket("t0", "HT", "A007", False, datetime(2026, 11, 27, 8, 40))


def views(lang: str) -> dict[str, flow.ShowScreen]:
    v = lambda screen, **kw: flow.ShowScreen(screen, lang, **kw)  # noqa: E731
    return {
        "idle": v(flow.IDLE),
        "guidance": v(flow.GUIDANCE, guidance="come_closer"),
        "greeting": v(flow.IDENTIFIED, name="Nguyễn Thị Minh Khai", priority=True,
                      open_tickets=(OPEN,)),
        "guest": v(flow.UNKNOWN, message="not_recognised"),
        "services": v(flow.CHOOSE_SERVICE, message="daily_cap"),
        "issuing": v(flow.ISSUING),
        "ticket": v(flow.TICKET_SHOWN, ticket=TICKET, message="reprinted"),
        "print_failed": v(flow.PRINT_FAILED, ticket=TICKET, message="paper_out"),
    }


def _cut_off(window: KioskWindow) -> list[str]:
    """Texts of visible labels that do not fit in their widget or the window."""
    problems = []
    win = window.rect()
    for lab in window.findChildren(QLabel):
        if not lab.isVisible() or not lab.text() or lab.objectName() == "preview":
            continue
        rect = lab.rect()
        top_left = lab.mapTo(window, rect.topLeft())
        bottom_right = lab.mapTo(window, rect.bottomRight())
        if not (win.contains(top_left) and win.contains(bottom_right)):
            problems.append(f"outside window: {lab.text()!r}")
            continue
        needed = lab.heightForWidth(rect.width()) if lab.wordWrap() else \
            lab.sizeHint().height()
        fm_width = lab.fontMetrics().horizontalAdvance(lab.text().split("\n")[0])
        if needed > rect.height() + 2:
            problems.append(f"too short ({rect.height()} < {needed}): {lab.text()!r}")
        if not lab.wordWrap() and fm_width > rect.width() + 2:
            problems.append(f"too narrow: {lab.text()!r}")
    if window.preview.isVisible() and window.preview.geometry().intersects(
            window.stack.geometry()):
        problems.append("the camera preview covers the screen's content")
    for b in window.findChildren(BigButton):
        if b.isVisible() and b.height() < 60:
            problems.append(f"touch target too small: {b.text()!r}")
    return problems


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_screen_renders_readably(qtbot, translations: Translations, frame,
                                       output_dir: Path, lang: str, size: str) -> None:
    window = KioskWindow("Trung tâm Phục vụ hành chính công phường Bến Nghé")
    qtbot.addWidget(window)
    window.ctx.services = {s.code: s for s in SERVICES}
    window.ctx.recognition = True
    window.ctx.camera_state = "running"
    window.resize(*SIZES[size])
    window.show()
    translations.switch(lang)
    try:
        for name, view in views(lang).items():
            window.show_view(view)
            window.show_frame(frame, 1)
            qtbot.wait(10)
            path = output_dir / f"kiosk-{name}-{lang}-{size}.png"
            window.grab().save(str(path))
            assert (window.width(), window.height()) == SIZES[size], "content grew the window"
            assert path.stat().st_size > 10_000
            assert _cut_off(window) == [], name
            shown = " ".join(lab.text() for lab in window.findChildren(QLabel)
                             if lab.isVisible())
            if view.ticket is not None:
                assert "D012" in shown
            if lang == "vi":
                assert "Lấy số không cần nhận diện khuôn mặt" in shown or name not in (
                    "idle", "guidance")
            else:
                assert "Take a number without face recognition" in shown or name not in (
                    "idle", "guidance")
        # The preview is shown only where the citizen needs to look at the camera.
        window.show_view(views(lang)["idle"])
        assert window.preview.isVisible()
        window.show_view(views(lang)["services"])
        assert not window.preview.isVisible()
    finally:
        translations.switch("en")


def test_idle_without_camera_says_so_and_still_offers_a_number(qtbot, translations,
                                                               output_dir: Path) -> None:
    window = KioskWindow("Trung tâm Phục vụ hành chính công")
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    translations.switch("vi")
    try:
        window.set_camera_state("no camera", "no camera: camera device 0 cannot be opened")
        window.show_view(flow.ShowScreen(flow.IDLE, "vi"))
        qtbot.wait(10)
        window.grab().save(str(output_dir / "kiosk-idle-nocamera-vi-portrait.png"))
        idle = window.screens[flow.IDLE]
        assert idle.notice.isVisible()
        assert "Camera đang không hoạt động" in idle.notice.text()
        assert idle.take.isVisible() and not window.preview.isVisible()
    finally:
        translations.switch("en")


def test_pin_screen(qtbot, translations, output_dir: Path) -> None:
    window = KioskWindow("Trung tâm")
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    window.show_view(flow.ShowScreen(flow.IDLE, "en"))
    window.show_pin()
    qtbot.wait(10)
    window.grab().save(str(output_dir / "kiosk-technician-pin-landscape.png"))
    assert (window.width(), window.height()) == (1920, 1080)
    assert _cut_off(window) == []
