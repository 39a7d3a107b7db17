"""The assembled kiosk printing to a fake network printer on loopback: the raster it
receives is the rendered ticket; a printer out of paper gives the 'note your number'
screen in the citizen's language."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageChops
from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.context import KioskContext
from printer.service import TicketPrinter
from printer.ticket import Ticket
from tests.support.fake_printer import FakeNetworkPrinter
from tests.support.kiosk_app import start_kiosk


def kiosk_with_printer(qtbot, tmp_path: Path, url: str):
    settings = Settings.model_validate({"camera": {"source": str(tmp_path / "none.mp4")},
                                        "printer": {"url": url}})
    app = start_kiosk(qtbot, KioskContext(tmp_path, settings), recognition=False)
    return app, settings


def take(qtbot, app, code: str) -> None:
    window = app.window
    qtbot.mouseClick(window.screens[flow.IDLE].take, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
    qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles[code], Qt.MouseButton.LeftButton)


def test_the_printer_receives_the_rendered_ticket(qtbot, tmp_path: Path) -> None:
    with FakeNetworkPrinter() as fake:
        app, settings = kiosk_with_printer(qtbot, tmp_path, fake.url)
        try:
            take(qtbot, app, "CT")
            qtbot.waitUntil(lambda: app.window.current == flow.TICKET_SHOWN and
                            not app.window.view.printing, timeout=15_000)
            issued = app.window.view.ticket
            assert app.parts.store.print_state(issued.id) == "printed"
            received = fake.printed_image()
        finally:
            app.shutdown()
    expected = TicketPrinter(settings.printer, tmp_path).render(Ticket(
        centre_name=settings.kiosk.centre_name, service_name="Chứng thực", number="B001",
        issued_at=issued.issued_at, language="vi",
        people_ahead=issued.people_ahead))  # standalone tickets know it (issue 12)
    assert issued.people_ahead == 0
    assert received.size == expected.size
    assert ImageChops.difference(received.convert("L"), expected.convert("L")).getbbox() is None


def test_paper_out_shows_the_number_to_note_and_alerts_staff(qtbot, tmp_path: Path,
                                                            output_dir: Path) -> None:
    with FakeNetworkPrinter(status=FakeNetworkPrinter.PAPER_OUT) as fake:
        app, _ = kiosk_with_printer(qtbot, tmp_path, fake.url)
        try:
            take(qtbot, app, "HT")
            qtbot.waitUntil(lambda: app.window.current == flow.PRINT_FAILED, timeout=15_000)
            failed = app.window.screens[flow.PRINT_FAILED]
            assert failed.number.text() == "A001"
            assert failed.reason.text() == "Máy in hết giấy."
            assert "A001" in app.window.status.text()
            app.window.grab().save(str(output_dir / "kiosk-app-paper-out-vi.png"))
            # Paper is back: "print again" prints the same number.
            fake.status = FakeNetworkPrinter.READY
            qtbot.mouseClick(failed.again, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: app.window.current == flow.TICKET_SHOWN and
                            not app.window.view.printing, timeout=15_000)
            assert app.window.view.ticket.number == "A001"
            assert fake.printed_image().size[1] > 100
        finally:
            app.shutdown()
