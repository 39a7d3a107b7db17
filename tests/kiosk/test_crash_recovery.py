"""Kill the kiosk between committing a ticket and printing it: after a restart the ticket
is still there, offered for reprint on the citizen's greeting, and not duplicated."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.context import KioskContext
from tests.support.kiosk_app import start_kiosk

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from config import Settings
    from kiosk import flow
    from kiosk.assembly import build_app
    from kiosk.context import KioskContext

    def main():
        app = QApplication([])
        data = Path(sys.argv[1])
        settings = Settings.model_validate({"camera": {"source": str(data / "none.mp4")}})
        kiosk = build_app(KioskContext(data, settings), recognition=False)
        # The power goes at the moment the printer is asked to print.
        kiosk.parts.printer = lambda job: os.kill(os.getpid(), signal.SIGKILL)
        kiosk.start()
        now = time.monotonic()
        kiosk._handle(flow.Identified(now, flow.CitizenInfo(7, "Chị Lan")))
        kiosk._on_action("continue", None)
        kiosk._on_action("pick", "HT")
        app.exec()

    if __name__ == "__main__":
        main()
""")


def test_ticket_committed_before_a_crash_is_reprinted_not_duplicated(qtbot, tmp_path: Path
                                                                      ) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    root = Path(__file__).resolve().parents[2]
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]  # killed, as planned
    assert time.monotonic() - started < 120

    settings = Settings.model_validate({"camera": {"source": str(tmp_path / "none.mp4")}})
    app = start_kiosk(qtbot, KioskContext(tmp_path, settings), recognition=False)
    try:
        store = app.parts.store
        (ticket,) = store.unprinted_today()
        assert ticket.number == "A001" and ticket.citizen_id == 7
        # The citizen comes back: the greeting offers the ticket for reprint.
        mine = tuple(store.today_for(citizen_id=7))
        app._handle(flow.Identified(time.monotonic(), flow.CitizenInfo(7, "Chị Lan"), mine,
                                    len(mine)))
        greeting = app.window.screens[flow.IDENTIFIED]
        qtbot.waitUntil(lambda: greeting.show_tickets.isVisible(), timeout=2000)
        qtbot.mouseClick(greeting.show_tickets, Qt.MouseButton.LeftButton)  # issue 12: a tap
        qtbot.waitUntil(lambda: greeting.tickets.count() == 1, timeout=2000)
        reprint = greeting.tickets.itemAt(0).widget()
        assert "A001" in reprint.text()
        qtbot.mouseClick(reprint, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: store.print_state(ticket.id) == "printed", timeout=10_000)
        assert store.unprinted_today() == []
        # One ticket, one outbox entry: nothing is duplicated for the server.
        assert [p["id"] for _, _, p in store.pending_outbox()] == [ticket.id]
        assert list((tmp_path / "tickets").glob("*A001*.png"))
    finally:
        app.shutdown()
