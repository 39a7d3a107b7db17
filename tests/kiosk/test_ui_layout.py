"""Every citizen screen, at four screen sizes and in both languages, with three open tickets:
no visible controls overlap or are cut off, and every text reaches WCAG AA contrast
(``tests/support/screen_check.py``). Screenshots go to ``var/screens/`` for a person to look at.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from config.kiosk import KioskSettings
from kiosk import flow, model
from kiosk.hours import HoursStatus
from kiosk.ui.i18n import Translations
from kiosk.ui.window import KioskWindow
from tests.support.screen_check import contrast_problems, layout_problems

SIZES = [(1920, 1080), (1280, 720), (1080, 1920), (768, 1366)]
# with opening hours; land (DD) closes at 11:30, so its tile can show it closed
SERVICES = [replace(svc, opens_at="07:30",
                    closes_at="11:30" if svc.code == "DD" else "17:00")
            for svc in model.services_from_settings(KioskSettings())]
# after closing on Wednesday 02/12/2026: open again on Thursday
CLOSED = HoursStatus(True, "07:30", "17:00", datetime(2026, 12, 3, 7, 30), day=date(2026, 12, 2))
# a Monday of the Tết break: closed, its note, open again on Thursday
TET = HoursStatus(True, None, None, datetime(2027, 2, 11, 7, 30), note="Nghỉ Tết Nguyên đán",
                  day_off=True, day=date(2027, 2, 8))
SUNDAY = HoursStatus(True, None, None, datetime(2026, 12, 7, 7, 30), day_off=True,
                     day=date(2026, 12, 6))
NOON = HoursStatus(False, "07:30", "17:00", None, frozenset({"DD"}))
SCREENS_DIR = Path(__file__).resolve().parents[2] / "var" / "screens"
TICKET = flow.IssuedTicket("t1", "KD", "D012", True, datetime(2026, 11, 27, 9, 5),
                           people_ahead=4, counters="3, 4", estimated_wait_min=25)
OPEN = tuple(
    flow.IssuedTicket(f"t{i}", svc.code, f"{svc.prefix}00{i}", False,
                      datetime(2026, 11, 27, 8, 40 + i))
    for i, svc in enumerate(SERVICES[:3], start=1)
)


def views(lang: str) -> dict[str, flow.ShowScreen]:
    v = lambda screen, **kw: flow.ShowScreen(screen, lang, **kw)  # noqa: E731
    return {
        "idle": v(flow.IDLE),
        "idle-not-a-card": v(flow.IDLE, message="not_id_card"),
        "guidance": v(flow.GUIDANCE, guidance="one_person"),
        "greeting": v(flow.IDENTIFIED, name="Khai", form="female", priority=True,
                      open_count=3),
        "greeting-tickets": v(flow.IDENTIFIED, name="Khai", form="female", priority=True,
                              open_tickets=OPEN, open_count=3, seconds_left=9),
        "greeting-cap": v(flow.IDENTIFIED, name="Bình", form="male", open_count=3,
                          open_tickets=OPEN, cap_reached=True, message="priority_asked"),
        "greeting-card": v(flow.IDENTIFIED, name="An", form="male", card="079*******34",
                           open_count=1),
        "guest": v(flow.UNKNOWN, message="not_recognised", open_tickets=OPEN, open_count=3),
        "confirm-priority": v(flow.CHOOSE_SERVICE, confirm_priority=True),
        "services": v(flow.CHOOSE_SERVICE, message="daily_cap", seconds_left=5),
        "services-hours": v(flow.CHOOSE_SERVICE, hours=NOON, message="service_closed"),
        "closed": v(flow.CLOSED, hours=CLOSED),
        "closed-morning": v(flow.CLOSED,
                            hours=replace(CLOSED, reopens=datetime(2026, 12, 2, 7, 30))),
        "closed-holiday": v(flow.CLOSED, hours=TET),
        "closed-sunday": v(flow.CLOSED, hours=SUNDAY),
        "issuing": v(flow.ISSUING),
        "ticket": v(flow.TICKET_SHOWN, ticket=TICKET, message="reprinted"),
        "print-failed": v(flow.PRINT_FAILED, ticket=TICKET, message="paper_out",
                          seconds_left=8),
    }


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_citizen_screen_fits_and_is_readable(qtbot, translations: Translations, frame,
                                                   lang: str, size: tuple[int, int]) -> None:
    window = KioskWindow("Trung tâm Phục vụ hành chính công phường Bến Nghé")
    qtbot.addWidget(window)
    window.ctx.services = {s.code: s for s in SERVICES}
    window.ctx.recognition = True
    window.ctx.camera_state = "running"
    window.ctx.id_card = True  # the idle screen also offers the ID card's QR code
    window.ctx.printer_problem = "paper_out"  # the idle screen's longest notice
    window.ctx.waiting = {s.code: 12 for s in SERVICES}  # a third line on every tile
    window.ctx.wait_min = {s.code: 45 for s in SERVICES}  # and the estimated wait
    window.resize(*size)
    window.show()
    translations.switch(lang)
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    try:
        for name, view in views(lang).items():
            window.show_view(view)
            window.show_frame(frame, 1)
            qtbot.wait(10)
            window.grab().save(str(SCREENS_DIR / f"{name}-{lang}-{size[0]}x{size[1]}.png"))
            assert (window.width(), window.height()) == size, "content grew the window"
            found = layout_problems(window) + contrast_problems(window)
            problems += [f"{name}: {p}" for p in found]
    finally:
        translations.switch("en")
    assert not problems, "\n".join(problems)
