"""`kiosk run` as a user starts it: with nothing attached it starts, says so, and stops."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, env: dict[str, str] | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kiosk.cli import main; main()", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def test_run_without_camera_printer_or_server_starts_and_says_so(tmp_path: Path) -> None:
    proc = kiosk("run", "--data-dir", str(tmp_path), "--windowed", "--camera",
                 str(tmp_path / "no-camera.mp4"), env={"KIOSK_QUIT_AFTER_S": "3"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "kiosk ready" in proc.stderr and "standalone" in proc.stderr
    assert "no camera" in proc.stderr and "does not exist" in proc.stderr
    assert (tmp_path / "kiosk.db").is_file()
    assert (tmp_path / "i18n" / "vi.qm").is_file()  # compiled at start


def test_bad_option_gives_one_clear_line(tmp_path: Path) -> None:
    proc = kiosk("run", "--data-dir", str(tmp_path), "--windowed", "--size", "big")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --size must look like 1080x1920, not 'big'"]


def test_command_line_overrides_the_config() -> None:
    from config import Settings
    from kiosk.commands.run import override_settings

    s = override_settings(Settings(), camera="rtsp://cam/1", printer="tcp://10.0.0.9:9100",
                          server="http://queue:8000")
    assert (s.camera.source, s.printer.url, s.sync.server_url) == (
        "rtsp://cam/1", "tcp://10.0.0.9:9100", "http://queue:8000")
    assert override_settings(Settings()) == Settings()


def test_no_screen_is_one_clear_line_not_a_qt_abort() -> None:
    from kiosk.commands.run import display_problem

    message = display_problem({}, "linux")
    assert message and "DISPLAY" in message and "\n" not in message
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "win32") is None


def test_an_old_config_with_kiosk_number_format_says_what_replaced_it(tmp_path: Path) -> None:
    old = tmp_path / "kiosk.toml"
    old.write_text('[kiosk]\nnumber_format = "{prefix}-{seq:04d}"\n', encoding="utf-8")
    proc = kiosk("run", "--data-dir", str(tmp_path), "--windowed", "--config", str(old))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "kiosk.number_format" in lines[0] and "server.number_pattern" in lines[0]
    assert not (tmp_path / "kiosk.db").exists()  # nothing started


def test_under_systemd_the_kiosk_says_ready_and_pings_the_watchdog(tmp_path: Path) -> None:
    """The unit is Type=notify with WatchdogSec: without READY=1 and regular WATCHDOG=1
    from the GUI thread, systemd would restart the kiosk in a loop."""
    import socket
    import threading

    path = str(tmp_path / "notify.sock")
    got: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(0.2)
        done = threading.Event()

        def read() -> None:  # as systemd does, all along
            while not done.is_set():
                try:
                    got.append(sock.recv(4096).decode())
                except TimeoutError:
                    pass

        reader = threading.Thread(target=read)
        reader.start()
        try:
            proc = kiosk("run", "--data-dir", str(tmp_path), "--windowed", "--camera",
                         str(tmp_path / "no-camera.mp4"),
                         env={"KIOSK_QUIT_AFTER_S": "4", "NOTIFY_SOCKET": path,
                              "WATCHDOG_USEC": "500000"})
        finally:
            done.set()
            reader.join()
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert got[0].startswith("READY=1")
    assert got.count("WATCHDOG=1") >= 4  # every 0.25 s while the screen ran
    assert got[-1] == "STOPPING=1"
