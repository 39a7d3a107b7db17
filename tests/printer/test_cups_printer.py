"""cups://QUEUE through the `lp` command (stand-in `lp`/`lpstat` scripts on PATH)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from config.printer import PrinterSettings
from printer.escpos_decode import decode_raster
from printer.service import TicketPrinter
from printer.ticket import Ticket
from printer.transports.cups import CupsTransport
from printer.url import open_printer

LPSTAT = """#!/bin/sh
case "$*" in
  "-e") echo ticketq ;;
  "-v") echo "device for ticketq: usb://EPSON/TM-T82" ;;
  "-d") echo "system default destination: ticketq" ;;
  "-l -p ticketq") cat "$STATE_FILE" ;;
  *) echo "lpstat: Invalid destination name in list \\"$3\\"" >&2; exit 1 ;;
esac
"""
LP = """#!/bin/sh
cat > "$JOB_FILE"
"""


@pytest.fixture
def cups_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("lpstat", LPSTAT), ("lp", LP)):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("JOB_FILE", str(tmp_path / "job.bin"))
    monkeypatch.setenv("STATE_FILE", str(tmp_path / "state.txt"))
    (tmp_path / "state.txt").write_text("printer ticketq is idle.  enabled since today\n")
    return tmp_path


def test_cups_queue_state_is_the_status(cups_tools: Path) -> None:
    assert isinstance(open_printer("cups://ticketq"), CupsTransport)
    printer = TicketPrinter(PrinterSettings(url="cups://ticketq"))
    assert printer.status().state == "ready"
    (cups_tools / "state.txt").write_text(
        "printer ticketq disabled since today -\n\tmedia-empty-error\n")
    assert printer.status().state == "paper_out"
    (cups_tools / "state.txt").write_text("printer ticketq disabled since today -\n")
    assert printer.status().state == "offline"
    assert TicketPrinter(PrinterSettings(url="cups://nope")).status().state == "not_found"


def test_cups_job_carries_the_ticket_bytes(cups_tools: Path, ticket: Ticket) -> None:
    transport = CupsTransport("cups://ticketq", "ticketq")
    if transport.backend != "lp":
        pytest.skip("pycups is installed; this test covers the lp fallback")
    printer = TicketPrinter(PrinterSettings(url="cups://ticketq"))
    result = printer.print_ticket(ticket)
    assert result.ok, result.message
    sent = (cups_tools / "job.bin").read_bytes()
    assert sent.startswith(printer.encode(printer.render(ticket)))
    assert decode_raster(sent).tobytes() == printer.render(ticket).tobytes()
