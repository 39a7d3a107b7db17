"""Printing a ticket: ``PrintJob -> PrintOutcome``; a printer never raises.

``ServicePrinter`` drives ``printer.service.TicketPrinter`` (``image://`` by default);
``NoPrinter`` stands in when the configured printer cannot be set up, failing every print
visibly. ``make_printer`` picks one from the settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.model import IssuedTicket, Service

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintJob:
    """Everything printed on a ticket besides the ticket itself."""

    ticket: IssuedTicket
    service: Service
    centre_name: str
    language: str
    greeting_name: str | None = None


@dataclass(frozen=True)
class PrintOutcome:
    """The printer's answer: ``reason`` is a key such as 'paper_out', 'offline'."""

    ok: bool
    reason: str | None = None
    message: str = ""


class Printer(Protocol):
    def __call__(self, job: PrintJob) -> PrintOutcome: ...


class NoPrinter:
    """Used when the configured printer cannot be driven: every print fails visibly."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __call__(self, job: PrintJob) -> PrintOutcome:
        return PrintOutcome(False, "offline", self.why)


#: printer.service reasons → the kiosk's message keys (kiosk/ui/texts.py)
PRINTER_REASONS = {
    "paper_out": "paper_out", "cover_open": "cover_open", "offline": "offline",
    "not_found": "offline", "timeout": "printer_timeout", "error": "printer_error",
}


class ServicePrinter:
    """Adapter to ``printer.service.TicketPrinter`` (raises ``PrinterConfigError`` when
    the printer settings are wrong)."""

    def __init__(self, settings: Settings, data_dir: Path) -> None:
        from printer.service import TicketPrinter

        self._printer = TicketPrinter(settings.printer, data_dir)

    def __call__(self, job: PrintJob) -> PrintOutcome:
        try:
            from printer.ticket import Ticket as TicketLayout
            from printer.ticket import mask_name

            t = job.ticket
            counters = [c.strip() for c in t.counters.split(",") if c.strip()]
            layout = TicketLayout(
                centre_name=job.centre_name, service_name=job.service.name(job.language),
                number=t.number, issued_at=t.issued_at, people_ahead=t.people_ahead,
                estimated_wait_min=t.estimated_wait_min or None,  # 0 or unknown: no line
                counters=counters,
                greeting_name=mask_name(job.greeting_name) if job.greeting_name else None,
                priority=t.priority, survey_url=t.survey_url,
                language="en" if job.language == "en" else "vi",
            )
            result = self._printer.print_ticket(layout)
            reason = None if result.ok else PRINTER_REASONS.get(result.reason or "error",
                                                                "printer_error")
            if not result.ok:
                log.warning("ticket %s not printed: %s", t.number, result.message)
            return PrintOutcome(bool(result.ok), reason, result.message)
        except Exception as exc:
            log.exception("printing failed")
            return PrintOutcome(False, "printer_error", str(exc)[:200])


def make_printer(settings: Settings, data_dir: Path) -> Printer:
    """The printer for ``settings.printer.url`` (``image://`` writes PNG + ESC/POS files);
    a printer that cannot be set up fails every print visibly instead of stopping the kiosk."""
    try:
        return ServicePrinter(settings, data_dir)
    except Exception as exc:
        log.warning("printer cannot be set up: %s", exc)
        return NoPrinter(str(exc)[:200])
