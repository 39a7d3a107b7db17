"""The whole app in pytest-qt (offscreen): real SQLite store, real camera worker on files,
real image printer, real clicks on the buttons."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from config import Settings
from kiosk import flow, model
from kiosk.adapters.identification import ProcessIdentifier
from kiosk.adapters.issuing import StandaloneIssuer
from kiosk.adapters.printing import NoPrinter, ServicePrinter
from kiosk.camera import CameraWorker
from kiosk.db import make_sessionmaker
from kiosk.schema import make_engine
from kiosk.staff.gate import StaffGate
from kiosk.tickets import PRINTED, TicketStore
from kiosk.ui.app import KioskApp, Parts
from kiosk.ui.i18n import Translations, compile_translations
from tests.support.presence import PresenceDetector


def make_settings(camera: str, **kiosk: object) -> Settings:
    return Settings.model_validate({
        "camera": {"source": camera, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5},
        "kiosk": {"technician_press_s": 1.0, **kiosk},
    })


@pytest.fixture(scope="module")
def qm_files(tmp_path_factory: pytest.TempPathFactory, qapp) -> dict:
    return compile_translations(tmp_path_factory.mktemp("i18n"))


class Kiosk:
    """An assembled app plus handles on its parts."""

    def __init__(self, qtbot, tmp_path: Path, qm_files: dict, camera: str = "",
                 printer=None, identifier=None, size=(1080, 1920), **kiosk: object) -> None:
        self.settings = make_settings(camera or str(tmp_path / "no-such-camera.mp4"), **kiosk)
        self.services = model.services_from_settings(self.settings.kiosk)
        self.engine = make_engine(f"sqlite:///{tmp_path / 'kiosk.db'}")
        self.store = TicketStore(make_sessionmaker(self.engine), self.services)
        self.tickets_dir = tmp_path / "tickets"
        self.parts = Parts(
            store=self.store, issuer=StandaloneIssuer(self.store),
            printer=printer or ServicePrinter(self.settings, tmp_path),
            camera=CameraWorker(self.settings.camera), identifier=identifier,
            translations=Translations(qm_files), staff=StaffGate(tmp_path),
        )
        self.app = KioskApp(self.settings, self.parts, self.services)
        self.window = self.app.window
        qtbot.addWidget(self.window)
        self.window.resize(*size)
        self.window.show()
        self.app.start()
        self.qtbot = qtbot

    def click(self, button) -> None:
        assert button.isVisible() and button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def screen(self, name: str):
        return self.window.screens[name]

    def wait_for(self, state: str, timeout: int = 5000) -> None:
        self.qtbot.waitUntil(lambda: self.window.current == state, timeout=timeout)

    def close(self) -> None:
        self.app.stop()
        self.parts.translations.switch("en")
        self.engine.dispose()


@pytest.fixture
def kiosk_factory(qtbot, tmp_path: Path, qm_files) -> Iterator:
    made: list[Kiosk] = []

    def make(**kw) -> Kiosk:
        k = Kiosk(qtbot, tmp_path, qm_files, **kw)
        made.append(k)
        return k

    yield make
    for k in made:
        k.close()


def take_ticket(k: Kiosk, service: str = "HT") -> None:
    k.click(k.screen(flow.IDLE).take)
    k.wait_for(flow.CHOOSE_SERVICE)
    k.click(k.screen(flow.CHOOSE_SERVICE).tiles[service])


def test_without_camera_a_ticket_is_issued_numbered_printed_and_kept(kiosk_factory,
                                                                     output_dir: Path) -> None:
    k = kiosk_factory()
    k.qtbot.waitUntil(lambda: k.window.ctx.camera_state == "no camera", timeout=3000)
    idle = k.screen(flow.IDLE)
    assert idle.notice.isVisible() and "Camera" in idle.notice.text()
    take_ticket(k)
    k.wait_for(flow.TICKET_SHOWN)
    ticket_screen = k.screen(flow.TICKET_SHOWN)
    k.qtbot.waitUntil(lambda: ticket_screen.done.isEnabled(), timeout=5000)  # printed
    assert ticket_screen.number.text() == "A001"
    k.window.grab().save(str(output_dir / "kiosk-app-ticket-standalone.png"))
    assert k.store.unprinted_today() == []
    printed = list(k.tickets_dir.glob("*-A001.png"))
    assert len(printed) == 1
    outbox = k.store.pending_outbox()
    assert [p["number"] for _, _, p in outbox] == ["A001"]
    assert k.store.print_state(outbox[0][2]["id"]) == PRINTED
    k.click(ticket_screen.done)
    k.wait_for(flow.IDLE)
    take_ticket(k)
    k.qtbot.waitUntil(lambda: ticket_screen.number.text() == "A002", timeout=5000)


def test_printer_failure_keeps_the_number_on_screen_and_reprints(kiosk_factory) -> None:
    k = kiosk_factory(printer=NoPrinter("paper out"))
    take_ticket(k, "CT")
    k.wait_for(flow.PRINT_FAILED)
    failed = k.screen(flow.PRINT_FAILED)
    assert failed.number.text() == "B001"
    assert [a.ticket_number for a in k.app.alerts] == ["B001"]
    # for staff (staff mode and the log), never on the citizen's screen (issue 12)
    assert "B001" in k.window.staff_text() and not k.window.status.isVisible()
    assert k.window.ctx.printer_problem == "offline"
    k.parts.printer = ServicePrinter(k.settings, k.tickets_dir.parent)  # paper back in
    k.click(failed.again)
    k.wait_for(flow.TICKET_SHOWN)
    k.qtbot.waitUntil(lambda: k.screen(flow.TICKET_SHOWN).done.isEnabled(), timeout=5000)
    assert "B001" not in k.window.status.text()
    assert len(list(k.tickets_dir.glob("*-B001.png"))) == 1
    assert k.store.pending_outbox()[0][2]["number"] == "B001"  # one ticket, not two


def test_language_switch_and_back_to_default(kiosk_factory) -> None:
    k = kiosk_factory()
    idle = k.screen(flow.IDLE)
    assert idle.take.text() == "Lấy số không cần nhận diện khuôn mặt"
    k.click(k.window.lang_en)
    k.qtbot.waitUntil(lambda: idle.take.text() == "Take a number without face recognition")
    take_ticket(k, "KD")
    services = k.screen(flow.CHOOSE_SERVICE)
    assert "Business registration" in services.tiles["KD"].text()
    k.wait_for(flow.TICKET_SHOWN)
    k.qtbot.waitUntil(lambda: k.screen(flow.TICKET_SHOWN).done.isEnabled(), timeout=5000)
    k.click(k.screen(flow.TICKET_SHOWN).done)
    k.wait_for(flow.IDLE)
    assert idle.take.text() == "Lấy số không cần nhận diện khuôn mặt"


def test_services_screen_returns_to_idle_by_itself(kiosk_factory) -> None:
    k = kiosk_factory()
    clock = [1000.0]
    k.app.clock = lambda: clock[0]
    k.click(k.screen(flow.IDLE).take)
    k.wait_for(flow.CHOOSE_SERVICE)
    clock[0] += k.settings.kiosk.choose_service_timeout_s + 1
    k.wait_for(flow.IDLE, timeout=2000)


def test_technician_leaves_with_long_press_and_pin(kiosk_factory) -> None:
    k = kiosk_factory(size=(1920, 1080))
    k.parts.staff.pin.set("432198")  # what `kiosk set-pin` stores
    corner = k.window.corner
    k.qtbot.mousePress(corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    k.qtbot.wait(300)
    k.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert k.window.current == flow.IDLE  # a short touch does nothing
    k.qtbot.mousePress(corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    k.wait_for("technician", timeout=3000)
    k.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    staff = k.screen("technician")
    pin = staff.login
    keys = pin.pad.keys
    for digit in "1111":
        k.click(keys[digit])
    k.click(keys["OK"])
    assert pin.message.isVisible() and not k.app.quit_requested
    exits = []
    k.app.on_exit = lambda: exits.append(1)
    for digit in "432198":
        k.click(keys[digit])
    k.click(keys["OK"])
    # Leaving for the desktop takes one more confirmation.
    assert staff.page is staff.home and not k.app.quit_requested
    k.click(staff.home.exit)
    k.click(staff.confirm_exit.yes)
    assert k.app.quit_requested and exits == [1]


def test_preview_keeps_its_frame_rate_while_recognition_is_busy(kiosk_factory,
                                                                faces_dir: Path) -> None:
    clip = faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4"
    # The detector runs in its own process, as the engine does in `kiosk run`: dlib holds
    # the GIL while it works, which would stall the preview in this process.
    detector = ProcessIdentifier(PresenceDetector)
    # A long wait before the guest screen keeps the preview on screen while measuring.
    k = kiosk_factory(camera=str(clip), identifier=detector, size=(1920, 1080),
                      unknown_confirm_s=10.0)
    k.qtbot.waitUntil(lambda: k.app.recognizer.processed > 0, timeout=30_000)
    camera = k.parts.camera
    # The faces are in view from frame 85 to 210 of the clip.
    k.qtbot.waitUntil(lambda: camera.latest() is not None and camera.latest().seq >= 95,
                      timeout=10_000)
    states = set()
    start_frames, start = k.window.preview.frames_shown, time.monotonic()
    start_recognised, start_seq = k.app.recognizer.processed, camera.latest().seq
    while time.monotonic() - start < 3.0:
        k.qtbot.wait(50)
        states.add(k.window.current)
    elapsed = time.monotonic() - start
    fps = (k.window.preview.frames_shown - start_frames) / elapsed
    camera_fps = (camera.latest().seq - start_seq) / elapsed
    recognised = k.app.recognizer.processed - start_recognised
    assert recognised >= 5, "the recognition worker did not run"
    # The clip plays at 29.97 fps; the preview keeps up with what the camera delivers.
    assert fps >= 0.8 * camera_fps and fps >= 10, (fps, camera_fps)
    # The faces in the clip move the flow out of idle, to guidance.
    assert flow.GUIDANCE in states, states
