"""sd_notify over a real unix datagram socket, as systemd would receive it."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from appliance import watchdog


def _receiver(address: str | bytes) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(2)
    return sock


def test_ready_watchdog_status_reach_a_path_socket(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "notify.sock")
    with _receiver(path) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        assert watchdog.ready("serving 2 services")
        assert sock.recv(4096) == b"READY=1\nSTATUS=serving 2 services"
        assert watchdog.watchdog()
        assert sock.recv(4096) == b"WATCHDOG=1"
        assert watchdog.status("printer offline\nretrying")
        assert sock.recv(4096) == b"STATUS=printer offline retrying"
        assert watchdog.stopping()
        assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_socket_name_with_at_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"facekiosk-test-{uuid.uuid4().hex}"
    with _receiver(b"\0" + name.encode()) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert watchdog.watchdog()
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_no_socket_is_a_no_op(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert watchdog.ready() is False
    assert watchdog.watchdog() is False
    # A socket that went away (manager restarted) is reported, not raised.
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert watchdog.watchdog() is False


def test_watchdog_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert watchdog.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert watchdog.watchdog_interval() == 15.0
    # The kiosk is cage's child: systemd names cage in WATCHDOG_PID.
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert watchdog.watchdog_interval() == 15.0
    assert watchdog.watchdog_interval(check_pid=True) is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert watchdog.watchdog_interval(check_pid=True) == 15.0


def test_a_manager_that_does_not_read_never_blocks_the_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unix datagram queue holds about ten messages; past that, sending must drop the ping
    rather than freeze the kiosk's GUI thread."""
    import time

    path = str(tmp_path / "notify.sock")
    with _receiver(path):
        monkeypatch.setenv("NOTIFY_SOCKET", path)
        start = time.monotonic()
        sent = [watchdog.watchdog() for _ in range(200)]
        assert time.monotonic() - start < 2
    assert sent[0] and not all(sent)
