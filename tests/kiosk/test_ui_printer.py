"""The assembled kiosk printing to a fake network printer on loopback: the raster it
receives is the rendered ticket; a printer out of paper gives the 'note your number'
screen in the citizen's language."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageChops
from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.adapters.printing import make_printer
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


def test_a_standalone_ticket_prints_the_estimated_wait_from_the_kiosks_own_queue(
        qtbot, tmp_path: Path) -> None:
    """With `kiosk.standalone_minutes_per_ticket`, the second citizen of a service is told
    about the first one's service time: on the screen and in the printer's bytes."""
    with FakeNetworkPrinter() as first, FakeNetworkPrinter() as second:
        settings = Settings.model_validate({
            "camera": {"source": str(tmp_path / "none.mp4")}, "printer": {"url": first.url},
            "kiosk": {"standalone_minutes_per_ticket": 10}})
        app = start_kiosk(qtbot, KioskContext(tmp_path, settings), recognition=False)
        try:
            take(qtbot, app, "CT")
            qtbot.waitUntil(lambda: app.window.current == flow.TICKET_SHOWN and
                            not app.window.view.printing, timeout=15_000)
            assert app.window.view.ticket.estimated_wait_min == 0  # nobody ahead
            qtbot.mouseClick(app.window.screens[flow.TICKET_SHOWN].done,
                             Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: app.window.current == flow.IDLE, timeout=2000)
            # the tile now says someone is being served and how long the next one waits
            qtbot.mouseClick(app.window.screens[flow.IDLE].take, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: app.window.current == flow.CHOOSE_SERVICE, timeout=2000)
            assert app.window.ctx.wait_min["CT"] == 10
            assert "10" in app.window.screens[flow.CHOOSE_SERVICE].tiles["CT"].text()
            app.parts.printer = make_printer(settings.model_copy(update={
                "printer": settings.printer.model_copy(update={"url": second.url})}),
                tmp_path)
            qtbot.mouseClick(app.window.screens[flow.CHOOSE_SERVICE].tiles["CT"],
                             Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: app.window.current == flow.TICKET_SHOWN and
                            not app.window.view.printing, timeout=15_000)
            issued = app.window.view.ticket
            screen = app.window.screens[flow.TICKET_SHOWN]
            received = second.printed_image()
        finally:
            app.shutdown()
    assert (issued.people_ahead, issued.estimated_wait_min) == (0, 10)
    assert screen.wait.isVisibleTo(screen) and "10" in screen.wait.text()
    render = TicketPrinter(settings.printer, tmp_path).render

    def expected(wait: int | None):  # type: ignore[no-untyped-def]
        return render(Ticket(
            centre_name=settings.kiosk.centre_name, service_name="Chứng thực", number="B002",
            issued_at=issued.issued_at, language="vi", people_ahead=0,
            estimated_wait_min=wait)).convert("L")
    got = received.convert("L")
    assert got.size == expected(10).size
    assert ImageChops.difference(got, expected(10)).getbbox() is None
    assert got.size != expected(None).size  # the wait line is really printed
