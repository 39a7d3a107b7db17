"""The assembled kiosk against a real `queue-server` on loopback: the catalogue comes from
the server, a tap issues online, and with the server down the ticket comes from a leased
block and reaches the server once it is back."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import httpx
from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.context import KioskContext
from kiosk.tickets import LEASED, ONLINE, TicketRow
from tests.support.fake_printer import read_qr
from tests.support.kiosk_app import start_kiosk


def source_of(app, ticket_id: str) -> str:
    with app.parts.store.sessions() as s:
        return s.get(TicketRow, ticket_id).source


def take(qtbot, app, code: str) -> flow.IssuedTicket:
    window = app.window
    qtbot.mouseClick(window.screens[flow.IDLE].take, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
    qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles[code], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN and
                    window.view.ticket is not None and not window.view.printing,
                    timeout=15_000)
    ticket = window.view.ticket
    qtbot.mouseClick(window.screens[flow.TICKET_SHOWN].done, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=2000)
    return ticket


def test_online_then_offline_then_back(qtbot, tmp_path: Path, server) -> None:
    token = server.add_kiosk()
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "sync": {"server_url": server.url, "token": token, "interval_s": 0.2,
                 "issue_timeout_s": 1.0, "request_timeout_s": 2.0, "lease_size": 5,
                 "lease_low_watermark": 2, "backoff_max_s": 1.0},
    })
    (tmp_path / "kiosk").mkdir()
    app = start_kiosk(qtbot, KioskContext(tmp_path / "kiosk", settings), size=(1920, 1080),
                      recognition=False)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        catalogue = httpx.get(f"{server.url}/api/v1/services", headers=headers).json()
        code = catalogue[0]["code"]
        # The services screen shows the server's catalogue once the first sync ran.
        qtbot.waitUntil(lambda: set(app.services) == {r["code"] for r in catalogue},
                        timeout=10_000)
        online = take(qtbot, app, code)
        assert source_of(app, online.id) == ONLINE
        on_server = httpx.get(f"{server.url}/api/v1/tickets/{online.id}", headers=headers).json()
        assert on_server["number"] == online.number
        # The printed ticket carries the survey link the server signed, as a QR code.
        printed = list((tmp_path / "kiosk" / "tickets").glob(f"*-{online.number}.png"))
        assert len(printed) == 1
        image = cv2.imread(str(printed[0]), cv2.IMREAD_GRAYSCALE)
        assert read_qr(image) == on_server["ticket_url"]

        qtbot.waitUntil(lambda: app.parts.store.leased_remaining(code) >= 2, timeout=10_000)
        server.stop()
        offline = take(qtbot, app, code)
        assert source_of(app, offline.id) == LEASED
        assert offline.number != online.number

        server.start()
        qtbot.waitUntil(lambda: app.parts.store.outbox_backlog() == 0, timeout=20_000)
        stored = httpx.get(f"{server.url}/api/v1/tickets/{offline.id}", headers=headers)
        assert stored.status_code == 200 and stored.json()["number"] == offline.number
    finally:
        app.shutdown()


def test_a_ticket_finished_at_the_server_no_longer_blocks_a_new_one(qtbot, tmp_path: Path,
                                                                    server) -> None:
    token = server.add_kiosk()
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "sync": {"server_url": server.url, "token": token, "interval_s": 0.5},
    })
    (tmp_path / "kiosk").mkdir()
    app = start_kiosk(qtbot, KioskContext(tmp_path / "kiosk", settings), recognition=False)
    headers = {"Authorization": f"Bearer {token}"}
    lan = flow.CitizenInfo(7, "Chị Lan")
    window, store = app.window, app.parts.store
    greeting = window.screens[flow.IDENTIFIED]

    def identify() -> None:
        mine = tuple(store.today_for(citizen_id=7))
        app._handle(flow.Identified(time.monotonic(), lan, mine, len(mine)))

    try:
        qtbot.waitUntil(lambda: len(app.services) > 0 and app.parts.sync.status.online,
                        timeout=10_000)
        code = next(iter(app.services))
        identify()
        qtbot.mouseClick(greeting.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
        qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles[code],
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN and
                        not window.view.printing, timeout=15_000)
        first = window.view.ticket
        qtbot.mouseClick(window.screens[flow.TICKET_SHOWN].done, Qt.MouseButton.LeftButton)
        # The same citizen comes back: the greeting offers the waiting ticket...
        identify()
        qtbot.waitUntil(lambda: greeting.show_tickets.isVisible(), timeout=5000)
        qtbot.mouseClick(greeting.show_tickets, Qt.MouseButton.LeftButton)  # only after a tap
        qtbot.waitUntil(lambda: greeting.tickets.count() == 1, timeout=5000)
        # ... until the server says it is no longer open (here: cancelled by staff).
        httpx.post(f"{server.url}/api/v1/tickets/{first.id}/cancel", headers=headers)
        qtbot.mouseClick(greeting.cancel, Qt.MouseButton.LeftButton)
        identify()
        qtbot.waitUntil(lambda: greeting.tickets.count() == 0 and window.view.open_count == 0,
                        timeout=10_000)
        qtbot.mouseClick(greeting.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
        qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles[code],
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN and
                        not window.view.printing, timeout=15_000)
        assert window.view.ticket.id != first.id  # a new number, not the cancelled one
        assert window.view.message != "reprinted"
    finally:
        app.shutdown()


def test_a_ticket_the_server_refuses_shows_on_the_staff_line(qtbot, tmp_path: Path,
                                                               monkeypatch) -> None:
    from tests.support.queue_server import QueueServerProcess

    monkeypatch.setenv("KIOSK_SERVER__NUMBER_PATTERN", "{prefix}{seq:03d}")
    server = QueueServerProcess(f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "srv").start()
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "sync": {"server_url": server.url, "token": server.add_kiosk(), "interval_s": 0.2,
                 "issue_timeout_s": 1.0, "request_timeout_s": 2.0, "lease_size": 3,
                 "lease_low_watermark": 1, "backoff_max_s": 1.0},
    })
    (tmp_path / "kiosk").mkdir()
    app = start_kiosk(qtbot, KioskContext(tmp_path / "kiosk", settings), size=(1920, 1080),
                      recognition=False)
    try:
        code = "HT"
        qtbot.waitUntil(lambda: app.parts.store.leased_remaining(code) >= 1, timeout=10_000)
        server.stop()
        offline = take(qtbot, app, code)
        assert source_of(app, offline.id) == LEASED
        # Back with another numbering: the leased number is refused for good.
        monkeypatch.setenv("KIOSK_SERVER__NUMBER_PATTERN", "{service}-{seq:04d}")
        server.start()
        qtbot.waitUntil(lambda: "refused" in app.window.status.text(), timeout=20_000)
        assert offline.number in app.window.status.text()
        assert not app.window.status.isVisible()  # staff mode only (issue 12)
        assert [r.ticket_id for r in app.parts.store.refused_uploads()] == [offline.id]
        assert app.parts.store.outbox_backlog() == 0
    finally:
        app.shutdown()
        server.stop()


def test_the_kiosks_alerts_reach_the_servers_console(qtbot, tmp_path: Path, server) -> None:
    """Issue 12: 'staff have been told' is true: the printer failure and the missing camera
    reach the server as the kiosk's health report, shown on the console's index page; the
    idle screen tells the next citizen before they start."""
    import sqlalchemy as sa

    from tests.support.queue_server import free_port

    token = server.add_kiosk("Máy tầng 1")
    settings = Settings.model_validate({
        "camera": {"source": str(tmp_path / "none.mp4")},
        "printer": {"url": f"tcp://127.0.0.1:{free_port()}", "connect_timeout_s": 1.0},
        "sync": {"server_url": server.url, "token": token, "interval_s": 0.2,
                 "issue_timeout_s": 1.0, "request_timeout_s": 2.0},
    })
    (tmp_path / "kiosk").mkdir()
    app = start_kiosk(qtbot, KioskContext(tmp_path / "kiosk", settings), size=(1080, 1920),
                      recognition=False)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'queue.db'}")

    def reported() -> dict | None:
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                "select printer, camera, alerts from kiosk_health")).mappings().first()
        return dict(row) if row else None

    try:
        qtbot.waitUntil(lambda: (reported() or {}).get("camera") == "no camera",
                        timeout=10_000)
        window = app.window
        qtbot.waitUntil(lambda: len(app.services) > 0, timeout=10_000)
        qtbot.mouseClick(window.screens[flow.IDLE].take, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
        code = next(iter(app.services))
        qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles[code],
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.PRINT_FAILED, timeout=20_000)
        qtbot.waitUntil(lambda: (reported() or {}).get("printer") is not None,
                        timeout=10_000)
        row = reported()
        assert row is not None and "printer" in row["alerts"]
        qtbot.mouseClick(window.screens[flow.PRINT_FAILED].done, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.IDLE, timeout=2000)
        idle = window.screens[flow.IDLE]
        assert idle.printer.isVisible() and "Máy in phiếu đang hỏng" in idle.printer.text()
        assert not window.status.isVisible()  # the technician's line is not for citizens
    finally:
        engine.dispose()
        app.shutdown()
