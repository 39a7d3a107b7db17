"""systemd's notify protocol (sd_notify) without a dependency.

systemd starts a ``Type=notify`` unit with ``$NOTIFY_SOCKET`` set to a unix datagram
socket: a path, or an abstract name written with a leading ``@``. A service sends
``READY=1`` once it serves, ``WATCHDOG=1`` at least every ``WatchdogSec`` / 2 (systemd
passes that interval in microseconds as ``$WATCHDOG_USEC``) and ``STATUS=...`` for
``systemctl status``. Outside systemd (no ``$NOTIFY_SOCKET``) every call is a no-op.
"""

from __future__ import annotations

import os
import socket

__all__ = ["notify", "ready", "status", "stopping", "watchdog", "watchdog_interval"]


def _address(raw: str) -> str | bytes:
    # An abstract socket's name starts with a NUL byte; systemd writes it as '@'.
    return b"\0" + raw[1:].encode() if raw.startswith("@") else raw


def notify(*fields: str, socket_path: str | None = None) -> bool:
    """Send ``fields`` (e.g. ``"READY=1"``) as one datagram, newline-separated.

    ``socket_path`` defaults to ``$NOTIFY_SOCKET``. Returns True when a datagram was
    sent, False when there is no socket to send to or sending failed (a dead manager
    must never crash the kiosk).
    """
    raw = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not raw or not fields:
        return False
    if not (raw.startswith("/") or raw.startswith("@")):
        return False  # vsock and other addresses are not used on our machines
    message = "\n".join(fields).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            # never block the caller (the kiosk's GUI thread) on a manager that is not
            # reading: a full queue drops this datagram, the next one tries again
            sock.setblocking(False)
            sock.connect(_address(raw))
            sock.sendall(message)
    except OSError:
        return False
    return True


def ready(message: str | None = None) -> bool:
    """Tell systemd start-up is done (``READY=1``), with an optional status line."""
    return notify("READY=1", *([f"STATUS={message}"] if message else []))


def watchdog() -> bool:
    """Pet the watchdog (``WATCHDOG=1``); call it from the main loop, not a thread."""
    return notify("WATCHDOG=1")


def status(message: str) -> bool:
    """Set the one-line status ``systemctl status`` shows (newlines become spaces)."""
    return notify("STATUS=" + " ".join(message.splitlines()))


def stopping() -> bool:
    """Tell systemd the service is shutting down on purpose (``STOPPING=1``)."""
    return notify("STOPPING=1")


def watchdog_interval(check_pid: bool = False) -> float | None:
    """Seconds between two ``watchdog()`` calls: half of ``$WATCHDOG_USEC``, or None when
    systemd set no watchdog.

    systemd names the main process in ``$WATCHDOG_PID``. Our units use
    ``NotifyAccess=all`` because the pinging process is a child (the kiosk under cage,
    uvicorn's workers), so by default that PID is not checked; ``check_pid=True`` returns
    None in any process but the one named (what ``sd_watchdog_enabled`` does).
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if check_pid and pid.isdigit() and int(pid) != os.getpid():
        return None
    return int(usec) / 2_000_000
