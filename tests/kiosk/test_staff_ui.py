"""Staff mode on the kiosk window (offscreen Qt, real clicks, a real StaffGate on a temp
data dir): every staff page is readable and nothing overlaps or is cut off in landscape
and portrait; first-start PIN, lockout, timeouts and the exit confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk import flow
from kiosk.staff.gate import StaffGate
from kiosk.staff.lockout import LockoutPolicy
from kiosk.ui.staff.mode import StaffMode
from kiosk.ui.window import TECHNICIAN, KioskWindow
from tests.support.screen_check import contrast_problems, layout_problems

SIZES = [(1920, 1080), (1280, 720), (1080, 1920)]
SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def open_window(qtbot, gate: StaffGate | None, size: tuple[int, int],
                language: str = "vi") -> tuple[KioskWindow, StaffMode, list[str]]:
    window = KioskWindow("Trung tâm Phục vụ hành chính công phường Bến Nghé")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    actions: list[str] = []
    window.on_action = lambda name, value: actions.append(name)
    window.show_view(flow.ShowScreen(flow.IDLE, language))
    staff = window.staff
    staff.gate = gate
    staff.clock = Clock()
    window.show_pin()
    qtbot.wait(20)
    return window, staff, actions


def press(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_pin(qtbot, page, digits: str) -> None:
    for d in digits:
        press(qtbot, page.pad.keys[d])
    press(qtbot, page.pad.keys["OK"])


def check(window: KioskWindow, name: str, size: tuple[int, int]) -> list[str]:
    QApplication.processEvents()  # pending re-layouts (a message just shown)
    window.repaint()
    SCREENS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SCREENS / f"staff-{name}-{size[0]}x{size[1]}.png"))
    return [f"{name} {size}: {p}" for p in layout_problems(window) + contrast_problems(window)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_staff_page_fits_and_is_readable(qtbot, tmp_path: Path, size) -> None:
    gate = StaffGate(tmp_path, LockoutPolicy(free_tries=1, base_s=30))
    window, staff, _ = open_window(qtbot, gate, size)
    problems = []
    assert staff.page is staff.new_pin  # no PIN yet: choose one first
    type_pin(qtbot, staff.new_pin, "2580")
    assert staff.new_pin.message.isVisible() and "2580" in staff.new_pin.message.text()
    problems += check(window, "new-pin", size)
    type_pin(qtbot, staff.new_pin, "739146")
    type_pin(qtbot, staff.new_pin, "739146")
    assert staff.page is staff.login and gate.pin.verify("739146")
    type_pin(qtbot, staff.login, "000000")  # locks (one free try here)
    assert "30" in staff.login.message.text()
    problems += check(window, "login-locked", size)
    press(qtbot, staff.login.extra["account"])
    for ch in "lan":
        press(qtbot, next(b for row in staff.account.keyboard.rows for b in row
                          if b.text() == ch))
    assert staff.account.username.text() == "lan"
    press(qtbot, staff.account.log_in)
    assert staff.account.message.isVisible()  # locked: refused with the wait
    problems += check(window, "account", size)
    gate.lockout.succeeded()
    press(qtbot, staff.account.back)
    type_pin(qtbot, staff.login, "739146")
    assert staff.page is staff.home and staff.home.exit.isVisible()
    problems += check(window, "home-technician", size)
    press(qtbot, staff.home.setup)
    staff.setup.show_results("✔ printer: ready: tcp://192.168.1.50:9100: online, paper "
                                "present\n✘ server: http://10.0.0.5:8000 unreachable")
    staff.setup.say("Chưa lưu: sync.server_url: String should match pattern")
    problems += check(window, "setup", size)
    press(qtbot, staff.setup.back)
    press(qtbot, staff.home.camera)
    staff.camera_setup.show_results("✔ camera: video file short_hamilton_clip.mp4: 640x360, "
                                    "29.9 frames/s\n✔ face: face found after 1.0 s")
    problems += check(window, "camera", size)
    press(qtbot, staff.camera_setup.back)
    press(qtbot, staff.home.exit)
    problems += check(window, "confirm-exit", size)
    assert not problems, "\n".join(problems)


def test_staff_pages_in_english_fit(qtbot, tmp_path: Path) -> None:
    gate = StaffGate(tmp_path)
    gate.set_first_pin("739146")
    window, staff, _ = open_window(qtbot, gate, (1280, 720), language="en")
    assert staff.login.title.text() == "Staff login"
    problems = check(window, "login-en", (1280, 720))
    type_pin(qtbot, staff.login, "739146")
    problems += check(window, "home-en", (1280, 720))
    assert not problems, "\n".join(problems)


def test_without_a_gate_the_login_says_staff_mode_is_unavailable(qtbot) -> None:
    window, staff, actions = open_window(qtbot, None, (1920, 1080))
    type_pin(qtbot, staff.login, "2580")
    assert staff.page is staff.login and staff.login.message.isVisible()
    assert window.current == TECHNICIAN and "staff_exit" not in actions


def test_login_times_out_back_to_idle(qtbot, tmp_path: Path) -> None:
    gate = StaffGate(tmp_path)
    gate.set_first_pin("739146")
    window, staff, actions = open_window(qtbot, gate, (1280, 720))
    staff.clock.t += 10
    staff.tick()
    assert actions == []
    staff.clock.t += staff.login_timeout_s
    staff.tick()
    assert actions == ["staff_leave"]
    assert gate.session is None and not staff.timer.isActive()


def test_staff_session_locks_itself_after_idle(qtbot, tmp_path: Path) -> None:
    gate = StaffGate(tmp_path, idle_lock_s=60)
    gate.set_first_pin("739146")
    window, staff, actions = open_window(qtbot, gate, (1280, 720))
    type_pin(qtbot, staff.login, "739146")
    staff.clock.t += 50
    press(qtbot, staff.home.exit)  # a touch keeps it open
    staff.clock.t += 50
    staff.tick()
    assert actions == [] and gate.session is not None
    staff.clock.t += 11
    staff.tick()
    assert actions == ["staff_leave"] and gate.session is None
    assert [e.action for e in gate.audit.entries()][-1] == "lock"


def test_an_admin_cannot_leave_for_the_desktop(qtbot, tmp_path: Path) -> None:
    gate = StaffGate(tmp_path, checker=lambda user, pw: "manager" if pw == "pw-1" else None)
    gate.set_first_pin("739146")
    window, staff, actions = open_window(qtbot, gate, (1920, 1080))
    press(qtbot, staff.login.extra["account"])
    staff.account.username.setText("lan")
    staff.account.password.setText("pw-1")
    press(qtbot, staff.account.log_in)
    assert staff.page is staff.home
    assert not staff.home.exit.isVisible()
    staff._on("exit_yes", None)  # even a stray action does not exit
    assert "staff_exit" not in actions
    press(qtbot, staff.home.lock)
    assert actions == ["staff_leave"] and gate.session is None


def test_printer_and_server_setup_checks_prints_and_saves(qtbot, tmp_path: Path,
                                                         server) -> None:
    from config import Settings, load_settings
    from kiosk.context import KioskContext
    from tests.support.fake_printer import FakeNetworkPrinter

    gate = StaffGate(tmp_path)
    gate.set_first_pin("739146")
    window, staff, _ = open_window(qtbot, gate, (1920, 1080))
    setup = staff.setup
    setup.kiosk_ctx = KioskContext(tmp_path, Settings(), None)
    saved = []
    setup.on_saved = saved.append
    type_pin(qtbot, staff.login, "739146")
    press(qtbot, staff.home.setup)
    token = server.add_kiosk()
    with FakeNetworkPrinter() as printer:
        setup.printer_url.setText(printer.url)
        setup.server_url.setText(server.url)
        setup.token.setText(token)
        press(qtbot, setup.check)
        qtbot.waitUntil(lambda: not setup.busy(), timeout=20_000)
        assert "printer: ready" in setup.results.text()
        assert "token valid" in setup.results.text()
        press(qtbot, setup.test)
        qtbot.waitUntil(lambda: not setup.busy(), timeout=20_000)
        assert "✔ test print" in setup.results.text(), setup.results.text()
        assert len(printer.received) > 1000  # the raster ticket reached the printer
    setup.server_url.setText("ftp://10.0.0.5")
    press(qtbot, setup.save)
    assert "sync.server_url" in setup.message.text() and saved == []
    assert not (tmp_path / "kiosk.toml").exists()
    setup.server_url.setText(server.url)
    press(qtbot, setup.save)
    assert not setup.message.isVisible() and len(saved) == 1
    again = load_settings(tmp_path / "kiosk.toml")  # what the next start reads
    assert again.printer.url == printer.url and again.sync.server_url == server.url
    assert again.sync.token is None and (tmp_path / "kiosk.token").read_text().strip() == token
    assert token not in (tmp_path / "kiosk.toml").read_text()


def test_camera_setup_checks_the_clip_and_saves_rotation(qtbot, tmp_path: Path,
                                                        faces_dir: Path) -> None:
    from config import Settings, load_settings
    from kiosk.context import KioskContext

    clip = faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4"
    gate = StaffGate(tmp_path)
    gate.set_first_pin("739146")
    window, staff, _ = open_window(qtbot, gate, (1920, 1080))
    staff.setup.kiosk_ctx = KioskContext(tmp_path, Settings(), None)
    saved = []
    staff.camera_setup.on_saved = saved.append
    type_pin(qtbot, staff.login, "739146")
    press(qtbot, staff.home.camera)
    page = staff.camera_setup
    try:
        page.source.setText(str(clip))
        press(qtbot, page.check)
        qtbot.waitUntil(lambda: not page.busy(), timeout=30_000)
        assert "✔ camera" in page.results.text() and "640x360" in page.results.text()
        press(qtbot, page.rotate)
        press(qtbot, page.flip)
        assert page.rotate.text() == "Xoay 90°" and page.flip.text() == "Lật gương: bật"
        press(qtbot, page.save)
        assert len(saved) == 1 and saved[0].camera.rotation == 90
    finally:
        page.closed()  # the live preview and its face-check process stop with the page
    again = load_settings(tmp_path / "kiosk.toml")
    assert (again.camera.source, again.camera.rotation, again.camera.mirror) == \
        (str(clip), 90, True)


def test_kiosk_run_asks_for_a_pin_at_first_start_and_later_serves_citizens(
        qtbot, tmp_path: Path) -> None:
    from kiosk.assembly import build_app
    from kiosk.context import open_context

    ctx = open_context(tmp_path, None)
    app = build_app(ctx, recognition=False)
    qtbot.addWidget(app.window)
    app.window.resize(1280, 720)
    app.window.show()
    try:
        app.start(ask_first_pin=True)  # what `kiosk run` does
        staff = app.window.staff
        assert app.window.current == TECHNICIAN and staff.page is staff.new_pin
        press(qtbot, staff.new_pin.extra["later"])
        assert app.window.current == flow.IDLE
        assert StaffGate(tmp_path).needs_pin()  # still asked at the next start
    finally:
        app.shutdown()
