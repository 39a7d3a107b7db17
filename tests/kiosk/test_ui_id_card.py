"""The assembled kiosk (`build_app`) with a folder of camera frames in which a citizen holds
their chip ID card's QR code up instead of their face: greeted by given name with the masked
number, a ticket printed on the (fake network) printer for that card holder; the same card
again the same day gets the same ticket reprinted, not a second; a registered citizen is
greeted as the registry knows them; a QR code that is no card gets a short message; the full
id number is nowhere: not on screen, not in the events log, the log or the data dir."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from skimage import data

from config import Settings
from kiosk import flow
from kiosk.context import KioskContext
from tests.support.fake_printer import FakeNetworkPrinter
from tests.support.id_cards import CARD, held_up
from tests.support.kiosk_app import start_kiosk
from tests.support.screen_check import contrast_problems, layout_problems

NUMBER = "079085001234"  # in CARD: Nguyễn Văn An, male, born 1985
MAI = "001190000002|||Trần Thị Mai|01011990|Nữ|Hà Nội|01022021"
PORTAL = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
BACKGROUND = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)  # a real photo, no face in it


class Camera:
    """The camera's folder: what it shows is swapped between frames."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.show(None)

    def show(self, payload: str | None) -> None:
        frame = cv2.resize(BACKGROUND, (1280, 720)) if payload is None else \
            held_up(payload, 260, 0, BACKGROUND)
        tmp = self.folder / "next.tmp"
        cv2.imwrite(str(tmp.with_suffix(".tmp.png")), frame)
        tmp.with_suffix(".tmp.png").replace(self.folder / "frame.png")


def enrol_mai(ctx: KioskContext) -> int:
    """Trần Thị Mai in the kiosk's registry (a template stands for her face; the card path
    never reads it)."""
    from kiosk.assembly import open_registry
    from kiosk.db import database_url
    from kiosk.registry import NewTemplate
    from kiosk.schema import make_engine

    engine = make_engine(database_url(ctx.settings, ctx.data_dir))
    try:
        registry = open_registry(ctx, engine)
        assert registry is not None
        vec = np.random.default_rng(1).normal(size=128).astype(np.float32)
        info, _, _ = registry.enrol(full_name="Trần Thị Mai", display_name="Chị Mai",
                                    id_number="001190000002", consent_by="test",
                                    templates=[NewTemplate(vec / np.linalg.norm(vec), {})])
        return info.id
    finally:
        engine.dispose()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_a_citizen_takes_a_number_with_their_id_card_instead_of_the_face(
        qtbot, tmp_path: Path, caplog: pytest.LogCaptureFixture, output_dir: Path) -> None:
    caplog.set_level(logging.DEBUG)
    camera = Camera(tmp_path / "camera")
    with FakeNetworkPrinter() as printer:
        settings = Settings.model_validate({
            "camera": {"source": str(camera.folder), "file_fps": 10},
            "printer": {"url": printer.url}})
        ctx = KioskContext(tmp_path / "data", settings)
        mai_id = enrol_mai(ctx)
        app = start_kiosk(qtbot, ctx, size=(1920, 1080), recognition=False)
        window, store = app.window, app.parts.store
        greeting = window.screens[flow.IDENTIFIED]
        try:
            idle = window.screens[flow.IDLE]
            qtbot.waitUntil(lambda: idle.card_prompt.isVisible(), timeout=10_000)
            assert "thẻ căn cước" in idle.card_prompt.text()

            # An, not in the registry, holds his card up.
            camera.show(CARD)
            qtbot.waitUntil(lambda: window.current == flow.IDENTIFIED, timeout=15_000)
            assert greeting.title.text() == "Xin chào Ông An!"
            assert greeting.card.text().startswith("Thẻ căn cước 079*******34")
            qtbot.wait(200)  # let the layout settle before looking
            window.grab().save(str(output_dir / "kiosk-app-greeting-id-card.png"))
            assert not layout_problems(window) + contrast_problems(window)
            click(qtbot, greeting.primary)
            qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=3000)
            click(qtbot, window.screens[flow.CHOOSE_SERVICE].tiles["HT"])
            qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN, timeout=10_000)
            key = app.flow.session.guest_key
            assert key and key.startswith("k-") and NUMBER not in key
            (ticket,) = store.today_for(guest_key=key)
            assert ticket.citizen_id is None
            qtbot.waitUntil(lambda: store.print_state(ticket.id) == "printed", timeout=10_000)
            assert printer.printed_image() is not None
            first_print = len(printer.received)
            qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN and
                            window.screens[flow.TICKET_SHOWN].done.isEnabled(), timeout=5000)
            click(qtbot, window.screens[flow.TICKET_SHOWN].done)
            qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=3000)

            # Still holding the card after the visit: no new visit starts by itself.
            qtbot.wait(1500)
            assert window.current == flow.IDLE
            # He comes back later the same day: the card again → the same ticket reprinted.
            camera.show(None)
            qtbot.wait(1000)
            camera.show(CARD)
            qtbot.waitUntil(lambda: window.current == flow.IDENTIFIED, timeout=15_000)
            assert greeting.show_tickets.isVisible()  # "Xem số đã lấy hôm nay (1)"
            click(qtbot, greeting.primary)
            qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=3000)
            click(qtbot, window.screens[flow.CHOOSE_SERVICE].tiles["HT"])
            qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN, timeout=5000)
            assert app.flow.session.message == "reprinted"
            assert [t.id for t in store.today_for(guest_key=key)] == [ticket.id]
            qtbot.waitUntil(lambda: len(printer.received) > first_print, timeout=10_000)
            qtbot.waitUntil(lambda: window.screens[flow.TICKET_SHOWN].done.isEnabled(),
                            timeout=10_000)
            click(qtbot, window.screens[flow.TICKET_SHOWN].done)
            qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=3000)

            # Mai is in the registry: greeted as staff chose, her ticket is hers.
            camera.show(MAI)
            qtbot.waitUntil(lambda: window.current == flow.IDENTIFIED, timeout=15_000)
            assert greeting.title.text() == "Xin chào Chị Mai!"
            assert app.flow.session.citizen is not None
            assert app.flow.session.citizen.citizen_id == mai_id
            click(qtbot, greeting.cancel)
            qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=3000)
            # She withdraws her consent (erased): her card is then a card like any other.
            app.parts.card_holders.registry.delete(mai_id, actor="test")
            camera.show(None)
            qtbot.wait(1000)
            camera.show(MAI)
            qtbot.waitUntil(lambda: window.current == flow.IDENTIFIED, timeout=15_000)
            assert greeting.title.text() == "Xin chào Bà Mai!"
            assert app.flow.session.citizen is None
            click(qtbot, greeting.cancel)
            qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=3000)

            # A QR code that is no ID card: a short message on the idle screen.
            camera.show(PORTAL)
            qtbot.waitUntil(lambda: idle.notice.isVisible() and
                            "không phải thẻ căn cước" in idle.notice.text(), timeout=15_000)
            qtbot.wait(200)
            window.grab().save(str(output_dir / "kiosk-app-idle-not-a-card.png"))
            assert not layout_problems(window) + contrast_problems(window)
            assert window.current == flow.IDLE
        finally:
            app.shutdown()

    # The full id number is nowhere: not in the events log, the log, nor any file.
    events = (ctx.data_dir / "logs" / "events.jsonl").read_text()
    assert '"step": "card"' in events and '"step": "not_id_card"' in events
    assert NUMBER not in events and "Nguyễn" not in events
    assert NUMBER not in caplog.text
    for path in ctx.data_dir.rglob("*"):
        if path.is_file():
            assert NUMBER.encode() not in path.read_bytes(), path
