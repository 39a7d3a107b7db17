"""`kiosk run`: the touchscreen app.

With no camera, printer or server it still starts and is usable: it says no camera was
found, issues tickets without faces, numbers them itself and prints to ``image://``
under the data dir.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from appliance import watchdog
from kiosk.context import KioskContext, fail, with_context

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger("kiosk.run")


def override_settings(settings: Settings, camera: str | None = None,
                      printer: str | None = None, server: str | None = None) -> Settings:
    """A copy of ``settings`` with the command-line overrides, validated like the file."""
    from pydantic import ValidationError

    from config import ConfigError, Settings
    from config.errors import describe_validation_error

    data = settings.model_dump()
    if camera is not None:
        data["camera"]["source"] = camera
    if printer is not None:
        data["printer"]["url"] = printer
    if server is not None:
        data["sync"]["server_url"] = server or None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None


def _setup_logging(data_dir: Path) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        handlers.append(logging.FileHandler(data_dir / "kiosk.log", encoding="utf-8"))
    except OSError:
        pass
    logging.basicConfig(level=logging.INFO, handlers=handlers,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _parse_size(size: str | None) -> tuple[int, int] | None:
    if not size:
        return None
    try:
        w, h = (int(v) for v in size.lower().split("x"))
    except ValueError:
        fail(f"--size must look like 1080x1920, not {size!r}", code=2)
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        fail(f"--size {size} is out of range (200-8000 pixels per side)", code=2)
    return w, h


@click.command()
@click.option("--camera", "camera", default=None, metavar="SOURCE",
              help="Camera: device index, RTSP/HTTP URL, video file or folder of images "
              "(overrides camera.source).")
@click.option("--printer", "printer", default=None, metavar="URL",
              help="Printer URL, e.g. tcp://10.0.0.9:9100 or image://tickets "
              "(overrides printer.url).")
@click.option("--server", "server", default=None, metavar="URL",
              help="Central queue server URL (overrides sync.server_url; the token comes "
              "from sync.token_file or KIOSK_SYNC__TOKEN).")
@click.option("--windowed", is_flag=True, help="A normal window instead of full screen.")
@click.option("--size", default=None, metavar="WxH",
              help="Window size with --windowed, e.g. 1080x1920 (portrait).")
@with_context
def run(ctx: KioskContext, camera: str | None, printer: str | None, server: str | None,
        windowed: bool, size: str | None) -> None:
    """Start the kiosk touchscreen app (full screen; technicians leave by a long press on
    the top-left corner and the PIN)."""
    from config import ConfigError

    try:
        settings = override_settings(ctx.settings, camera, printer, server)
    except ConfigError as exc:
        fail(f"invalid option: {exc}", code=2)
    ctx = KioskContext(ctx.data_dir, settings)
    problem = display_problem(os.environ, sys.platform)
    if problem:
        fail(problem, code=2)
    _setup_logging(ctx.data_dir)
    dims = _parse_size(size)
    sys.exit(run_app(ctx, windowed=windowed or not settings.kiosk.fullscreen, size=dims))


def display_problem(env: dict[str, str] | os._Environ[str], platform: str) -> str | None:
    """Why Qt could not open a window here (it would abort with a long message), or None."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("no screen to show the kiosk on (DISPLAY and WAYLAND_DISPLAY are not set): start "
            "it from the kiosk's desktop session, or choose a Qt platform, e.g. "
            "QT_QPA_PLATFORM=eglfs on a console-only kiosk or xvfb-run for a test")


def run_app(ctx: KioskContext, windowed: bool, size: tuple[int, int] | None = None,
            quit_after_s: float | None = None) -> int:
    """Run the Qt event loop until the technician exits; return the exit code."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no V4L2 warnings per reopen
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.assembly import build_app

    kiosk = build_app(ctx)
    window = kiosk.window
    if windowed:
        window.resize(*(size or (1280, 720)))
        window.show()
    else:
        window.setWindowFlags(Qt.WindowType.FramelessWindowHint |
                              Qt.WindowType.WindowStaysOnTopHint)
        window.setCursor(Qt.CursorShape.BlankCursor)
        # Kiosk sessions often run X with no window manager, which ignores the full-screen
        # request: cover the screen ourselves too.
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    kiosk.on_exit = app.quit
    kiosk.start(ask_first_pin=True)
    log.info("kiosk ready: camera %r, printer %s, %s", ctx.settings.camera.source,
             ctx.settings.printer.url, ctx.settings.sync.server_url or "standalone")
    # Under systemd (deploy/systemd): say we are up, then ping the watchdog from the GUI
    # thread, so a frozen screen stops the pings and systemd restarts the kiosk.
    watchdog.ready("kiosk ready")
    alive = QTimer()
    interval = watchdog.watchdog_interval()
    if interval is not None:
        # a slot that returns None: PySide6 6.12 loses a reference to a returned True
        alive.timeout.connect(lambda: None if watchdog.watchdog() else None)
        alive.start(max(100, int(interval * 1000)))

    # Ctrl+C in a terminal, or the service manager's SIGTERM, stops the kiosk cleanly
    # (Python handles signals between Qt events, hence the pulse timer).
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    pulse = QTimer()
    pulse.timeout.connect(lambda: None)
    pulse.start(300)
    if quit_after_s is not None or os.environ.get("KIOSK_QUIT_AFTER_S"):
        seconds = quit_after_s or float(os.environ["KIOSK_QUIT_AFTER_S"])
        QTimer.singleShot(int(seconds * 1000), app.quit)
    try:
        code = app.exec()
    finally:
        watchdog.stopping()
        kiosk.shutdown()
    return int(code)
