"""file:///dev/...: a character device is read back for status (a pseudo-terminal stands in
for /dev/usb/lp0 here); a plain file only records the bytes."""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.printer import PrinterSettings
from printer.escpos_decode import decode_raster
from printer.service import TicketPrinter
from printer.ticket import Ticket
from tests.support.fake_printer import FakeNetworkPrinter


class PtyPrinter:
    """The printer end of a pseudo-terminal: records bytes, answers DLE EOT."""

    def __init__(self, replies) -> None:
        try:
            self.master, self.slave = os.openpty()
        except OSError as exc:
            pytest.skip(f"no pseudo-terminals here ({exc})")
        tty.setraw(self.slave)  # no line discipline: bytes pass unchanged
        self.path = os.ttyname(self.slave)
        self.replies = replies
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            self.received += chunk
            # a status request ends what was sent so far (it waits for the reply)
            if chunk[-3:-1] == b"\x10\x04" and self.replies:
                os.write(self.master, self.replies[chunk[-1]])

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    p = PtyPrinter(FakeNetworkPrinter.READY)
    yield p
    p.close()


def test_device_file_status_is_read_back(pty_printer: PtyPrinter,
                                         settings: PrinterSettings) -> None:
    printer = TicketPrinter(settings.model_copy(update={"url": f"file://{pty_printer.path}"}))
    assert printer.status().state == "ready"
    pty_printer.replies = FakeNetworkPrinter.PAPER_OUT
    assert printer.status().state == "paper_out"
    pty_printer.replies = None
    start = time.monotonic()
    assert printer.status().state == "unknown"
    assert time.monotonic() - start < 0.3 + 1.0


def test_device_file_prints_the_ticket(pty_printer: PtyPrinter, settings: PrinterSettings,
                                       ticket: Ticket) -> None:
    printer = TicketPrinter(settings.model_copy(update={"url": f"file://{pty_printer.path}"}))
    result = printer.print_ticket(ticket)
    assert result.ok, result.message
    expected = printer.encode(printer.render(ticket))
    deadline = time.monotonic() + 3
    while expected not in pty_printer.received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert expected in pty_printer.received


def test_plain_file_records_bytes_and_status_is_unknown(tmp_path: Path, ticket: Ticket) -> None:
    target = tmp_path / "lp0"
    target.touch()
    printer = TicketPrinter(PrinterSettings(url=f"file://{target}"))
    assert printer.status().state == "unknown"
    assert printer.print_ticket(ticket).ok
    assert printer.status().state == "unknown"  # asking does not truncate the file
    assert decode_raster(target.read_bytes()).tobytes() == printer.render(ticket).tobytes()


def test_missing_device_is_not_found(tmp_path: Path, ticket: Ticket) -> None:
    printer = TicketPrinter(PrinterSettings(url=f"file://{tmp_path}/lp9"))
    assert printer.status().state == "not_found"
    result = printer.print_ticket(ticket)
    assert not result.ok and result.reason == "not_found"
