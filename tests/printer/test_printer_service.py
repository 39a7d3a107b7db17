"""TicketPrinter never raises into the kiosk, whatever goes wrong."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from config.printer import PrinterSettings
from printer.service import PrintResult, TicketPrinter
from printer.ticket import Ticket


def test_a_broken_ticket_is_an_error_result(tmp_path: Path, ticket: Ticket) -> None:
    printer = TicketPrinter(PrinterSettings(url=f"image://{tmp_path}"))
    broken = dataclasses.replace(ticket, language="fr")  # type: ignore[arg-type]
    result = printer.print_ticket(broken)
    assert result == PrintResult(False, "error", result.message)
    assert "A012" in result.message
    assert list(tmp_path.iterdir()) == []


def test_user_messages_exist_for_every_reason() -> None:
    for reason in ("offline", "paper_out", "cover_open", "timeout", "not_found", "error"):
        result = PrintResult(False, reason, "x")  # type: ignore[arg-type]
        assert result.user_message("vi") != result.user_message("en")
    assert PrintResult(True, None, "x").user_message("vi") == "Đã in phiếu."


def test_width_comes_from_the_profile_when_not_configured() -> None:
    assert TicketPrinter(PrinterSettings(profile="TM-T88V")).width_dots == 512
    assert TicketPrinter(PrinterSettings(profile="TM-T88V", width_dots=384)).width_dots == 384
    assert TicketPrinter(PrinterSettings()).width_dots == 576
