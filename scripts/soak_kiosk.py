"""One kiosk of the soak (scripts/soak.py): the real app, assembled in this process with
``kiosk.assembly.build_app`` (as ``kiosk run`` does), shown offscreen, and a citizen
driver that taps the real buttons of the screens with ``QTest.mouseClick``.

The driver plays one citizen after another: a citizen arrives, either looks at the camera
(the flow recognises a face, or times out to the guest screen) or presses "take a number
without face recognition", picks a service, waits for the number and leaves. Every step a
citizen notices is appended as one JSON line to ``--events`` (wall-clock ``t`` in seconds):
``start``, ``want`` (a citizen starts), ``got`` (a number is on the screen: ticket id,
number, whether it was a reprint or the print failed), ``stop``.

Usage (the soak starts it; by hand for a look):
    uv run python scripts/soak_kiosk.py --data-dir var/k1 --camera CLIP --printer tcp://..
        --server http://127.0.0.1:PORT --events var/k1/events.jsonl
    (the kiosk's token in the environment variable SOAK_KIOSK_TOKEN, not on the command line)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: chance that a citizen uses the face path instead of the button
FACE_SHARE = 0.3
#: seconds a face-path citizen waits for the face screens before pressing the button
FACE_PATIENCE_S = 8.0
#: the driver looks at the screen this often (ms)
DRIVER_MS = 250


class Citizens:
    """Taps through the kiosk like a stream of citizens; one at a time."""

    def __init__(self, app: Any, events: Path, rng: random.Random,
                 gap_s: tuple[float, float]) -> None:
        self.app = app
        self.events = events
        self.rng = rng
        self.gap_s = gap_s
        self.active = False
        self.mode = "button"
        self.started = 0.0
        self.next_touch = 0.0
        self.next_arrival = time.monotonic() + 2.0
        self.got: str | None = None

    def log(self, ev: str, **data: Any) -> None:
        """Append one event line (flushed, so a kill -9 loses nothing written)."""
        line = json.dumps({"t": time.time(), "pid": os.getpid(), "ev": ev, **data})
        with self.events.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    def _click(self, button: Any) -> bool:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        if button is None or not button.isVisible() or not button.isEnabled():
            return False
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        return True

    def _think(self, low: float = 0.4, high: float = 1.5) -> None:
        self.next_touch = time.monotonic() + self.rng.uniform(low, high)

    def _leave(self) -> None:
        self.active = False
        self.got = None
        self.next_arrival = time.monotonic() + self.rng.uniform(*self.gap_s)

    def step(self) -> None:
        """Look at the screen and do what the current citizen would do now."""
        from kiosk import flow

        now = time.monotonic()
        window = self.app.window
        screen = window.current
        screens = window.screens
        if not self.active:
            if now < self.next_arrival or screen not in (flow.IDLE, flow.GUIDANCE,
                                                         flow.UNKNOWN, flow.IDENTIFIED):
                if screen in (flow.TICKET_SHOWN, flow.PRINT_FAILED, flow.CHOOSE_SERVICE) and \
                        now >= self.next_arrival:
                    # the previous citizen's screen is still up: the next one waits
                    pass
                return
            self.active = True
            self.mode = "face" if self.rng.random() < FACE_SHARE else "button"
            self.started = now
            self.log("want", mode=self.mode)
            self._think(0.2, 0.8)
            return
        if now < self.next_touch:
            return
        ticket = self.app.flow.session.ticket
        if screen in (flow.IDLE, flow.GUIDANCE):
            if self.mode == "button" or now - self.started > FACE_PATIENCE_S:
                self._click(screens[screen].take)
                self._think()
        elif screen in (flow.IDENTIFIED, flow.UNKNOWN):
            self._click(screens[screen].primary)
            self._think()
        elif screen == flow.CHOOSE_SERVICE:
            tiles = [t for t in screens[screen].tiles.values() if t.isVisible()]
            if tiles:
                self._click(self.rng.choice(tiles))
            self._think(0.5, 2.0)
        elif screen == flow.TICKET_SHOWN and ticket is not None:
            if self.got != ticket.id:
                self.got = ticket.id
                self.log("got", id=ticket.id, number=ticket.number, service=ticket.service,
                         reprint=self.app.flow.session.message == "reprinted",
                         waited_s=round(now - self.started, 3))
                self._think(1.0, 3.0)
                return
            if self._click(screens[screen].done):
                self._leave()
            else:
                self._think(0.3, 0.6)  # still printing: the done button waits for it
        elif screen == flow.PRINT_FAILED and ticket is not None:
            if self.got != ticket.id:
                self.got = ticket.id  # the citizen notes the number from the screen
                self.log("got", id=ticket.id, number=ticket.number, service=ticket.service,
                         print_failed=self.app.flow.session.message,
                         waited_s=round(now - self.started, 3))
                self._think(1.0, 3.0)
                return
            self._click(screens[screen].done)
            self._leave()


def settings_for(args: argparse.Namespace) -> Any:
    """The kiosk's settings: camera, network printer, server through the proxy."""
    from config import Settings

    return Settings.model_validate({
        "camera": {"source": args.camera},
        "printer": {"url": args.printer},
        "sync": {"server_url": args.server, "token": os.environ["SOAK_KIOSK_TOKEN"]},
        # one guest may come back for every service: reprints, never a stuck 'cap' screen
        "kiosk": {"daily_ticket_cap": 100, "fullscreen": False},
        "voice": {"kiosk_speaks_number": False},
    })


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--camera", required=True)
    parser.add_argument("--printer", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--events", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gap", type=float, nargs=2, default=(1.0, 4.0),
                        help="seconds between one citizen leaving and the next arriving")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("QT_LOGGING_RULES", "default.warning=false")
    sys.path.insert(0, str(ROOT))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, filename=args.data_dir / "kiosk.log",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.assembly import build_app
    from kiosk.context import KioskContext

    qt = QApplication.instance() or QApplication(sys.argv[:1])
    ctx = KioskContext(args.data_dir.resolve(), settings_for(args))
    app = build_app(ctx)
    app.window.resize(1080, 1920)
    app.window.show()
    app.start()
    citizens = Citizens(app, args.events, random.Random(args.seed ^ os.getpid()),
                        tuple(args.gap))
    citizens.log("start")
    driver = QTimer()
    driver.timeout.connect(lambda: None if citizens.step() else None)
    driver.start(DRIVER_MS)
    signal.signal(signal.SIGTERM, lambda *_: qt.quit())
    signal.signal(signal.SIGINT, lambda *_: qt.quit())
    pulse = QTimer()
    pulse.timeout.connect(lambda: None)
    pulse.start(300)
    try:
        code = qt.exec()
    finally:
        driver.stop()
        app.shutdown()
        citizens.log("stop")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
