"""Ticket printing: a Vietnamese ticket rendered as a 1-bit image, sent as ESC/POS raster
to a thermal printer chosen by one URL, with the printer's real-time status.

The kiosk uses ``TicketPrinter(settings.printer, data_dir).print_ticket(Ticket(...))``;
see docs/printing.md.
"""

from printer.errors import PrinterConfigError, PrinterError
from printer.service import PrintResult, TicketPrinter
from printer.status import PrinterStatus
from printer.ticket import Ticket, mask_name

__all__ = [
    "PrintResult",
    "PrinterConfigError",
    "PrinterError",
    "PrinterStatus",
    "Ticket",
    "TicketPrinter",
    "mask_name",
]
