"""What the kiosk calls: ``TicketPrinter.status()`` and ``print_ticket(ticket)``.

Both never raise into the caller; they are safe to call from a worker thread (one job at
a time per printer). A failed ticket is reprinted by calling ``print_ticket`` again with
the same ``Ticket``: nothing here issues numbers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from config.printer import PrinterSettings
from printer.encode import encode_image
from printer.errors import PrinterConfigError, PrinterError, PrinterUnavailableError
from printer.escpos_support import make_profile
from printer.fonts import FontSet, find_fonts
from printer.render import render_test_ticket, render_ticket
from printer.status import PrinterStatus, query_status
from printer.ticket import Ticket
from printer.transports.base import Transport
from printer.url import open_printer

log = logging.getLogger(__name__)

Reason = Literal["offline", "paper_out", "cover_open", "timeout", "not_found", "error"]

_STATE_REASON: dict[str, Reason] = {
    "paper_out": "paper_out",
    "cover_open": "cover_open",
    "offline": "offline",
    "not_found": "not_found",
}

MESSAGES: dict[str, dict[str, str]] = {
    "printed": {"vi": "Đã in phiếu.", "en": "Ticket printed."},
    "offline": {"vi": "Máy in đang tắt hoặc lỗi.", "en": "The printer is off or in error."},
    "paper_out": {"vi": "Máy in hết giấy.", "en": "The printer is out of paper."},
    "cover_open": {"vi": "Nắp máy in đang mở.", "en": "The printer cover is open."},
    "timeout": {"vi": "Máy in không phản hồi.", "en": "The printer does not respond."},
    "not_found": {"vi": "Không tìm thấy máy in.", "en": "No printer found."},
    "error": {"vi": "Lỗi khi in phiếu.", "en": "The ticket could not be printed."},
}


@dataclass(frozen=True)
class PrintResult:
    """Whether the ticket came out. ``reason`` is None when ``ok``; ``message`` is one
    line for technicians and logs (``user_message`` is what a citizen may be shown)."""

    ok: bool
    reason: Reason | None
    message: str

    def user_message(self, language: str = "vi") -> str:
        """A short sentence for the kiosk screen in ``language`` ('vi' or 'en')."""
        key = "printed" if self.ok else (self.reason or "error")
        return MESSAGES[key].get(language, MESSAGES[key]["en"])


def _job_name(ticket: Ticket) -> str:
    return f"{ticket.issued_at:%Y%m%d-%H%M%S}-{ticket.number}"


class TicketPrinter:
    """One configured printer. Construction checks the URL, profile and font and raises
    ``PrinterConfigError`` (one line) when one is wrong; nothing else here raises."""

    def __init__(self, settings: PrinterSettings, data_dir: str | Path | None = None,
                 url: str | None = None, fonts: FontSet | None = None) -> None:
        self.settings = settings
        self.url = url or settings.url
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._transport_factory: Callable[[], Transport] = (
            lambda: open_printer(self.url, settings, self.data_dir)
        )
        self._transport_factory()  # validate the URL now
        self.profile, self.width_dots = make_profile(settings.profile, settings.width_dots)
        self.fonts = fonts or find_fonts(settings.font_path, settings.bold_font_path)
        self._lock = threading.Lock()
        #: the transport used by the last job (e.g. for ``ImageTransport.last_paths``)
        self.last_transport: Transport | None = None

    # -- rendering -------------------------------------------------------------------
    def render(self, ticket: Ticket) -> Image.Image:
        """The ticket as the printer will print it (mode '1', ``width_dots`` wide)."""
        s = self.settings
        return render_ticket(ticket, self.width_dots, self.fonts, center=s.center,
                             margin_dots=s.margin_dots, qr_module_dots=s.qr_module_dots)

    def encode(self, image: Image.Image) -> bytes:
        """ESC/POS bytes for ``image``: init, GS v 0 raster, feed, cut."""
        return encode_image(image, self.profile, feed_lines=self.settings.feed_lines,
                            cut=self.settings.cut)

    # -- status ----------------------------------------------------------------------
    def _status_on(self, transport: Transport, timeout_s: float | None = None) -> PrinterStatus:
        native = transport.native_status()
        if native is not None:
            return native
        if not transport.can_read:
            return PrinterStatus("unknown", f"{transport.url}: this connection cannot read "
                                            "the printer's status")
        return query_status(transport, timeout_s or self.settings.status_timeout_s)

    def status(self) -> PrinterStatus:
        """The printer's state now; ``unknown`` when it does not answer in time."""
        with self._lock:
            try:
                transport = self._transport_factory()
                native = transport.native_status()
                if native is not None:
                    return native
                with transport:
                    return self._status_on(transport)
            except PrinterUnavailableError as exc:
                state = "not_found" if exc.reason == "not_found" else (
                    "offline" if exc.reason == "offline" else "unknown")
                return PrinterStatus(state, str(exc))  # type: ignore[arg-type]
            except Exception as exc:  # never raise into the kiosk
                log.exception("printer status failed")
                return PrinterStatus("unknown", f"{self.url}: {type(exc).__name__}: {exc}")

    # -- printing --------------------------------------------------------------------
    def print_ticket(self, ticket: Ticket) -> PrintResult:
        """Print ``ticket``; a result saying whether it came out, never an exception."""
        return self._print(ticket, test=False)

    def print_test(self, ticket: Ticket) -> PrintResult:
        """Print the test page (``ticket`` plus every Vietnamese letter and a width ruler)."""
        return self._print(ticket, test=True)

    def _print(self, ticket: Ticket, test: bool) -> PrintResult:
        with self._lock:
            try:
                if test:
                    s = self.settings
                    image = render_test_ticket(ticket, self.width_dots, self.fonts,
                                               center=s.center, margin_dots=s.margin_dots,
                                               qr_module_dots=s.qr_module_dots)
                else:
                    image = self.render(ticket)
                data = self.encode(image)
            except Exception as exc:
                log.exception("rendering ticket %s failed", ticket.number)
                return PrintResult(False, "error", f"ticket {ticket.number} could not be "
                                                   f"rendered: {exc}")
            try:
                return self._send(data, _job_name(ticket) + ("-test" if test else ""),
                                  f"test ticket {ticket.number}" if test else
                                  f"ticket {ticket.number}")
            except PrinterUnavailableError as exc:
                return PrintResult(False, exc.reason, str(exc))  # type: ignore[arg-type]
            except (PrinterError, PrinterConfigError) as exc:
                return PrintResult(False, "error", str(exc))
            except Exception as exc:
                log.exception("printing ticket %s failed", ticket.number)
                return PrintResult(False, "error", f"{self.url}: {type(exc).__name__}: {exc}")

    def _send(self, data: bytes, job: str, what: str) -> PrintResult:
        transport = self._transport_factory()
        self.last_transport = transport
        check = self.settings.check_status
        with transport:
            before = self._status_on(transport) if check else None
            if before is not None and before.state in _STATE_REASON:
                return PrintResult(False, _STATE_REASON[before.state],
                                   f"{what} not printed: {before.detail}")
            if (before is not None and before.state == "unknown" and transport.can_read
                    and self.settings.require_status):
                return PrintResult(False, "timeout",
                                   f"{what} not printed: {before.detail}")
            transport.write(data, job=job)
            # A printer that ignored the first question will ignore the second one too.
            asked = before is not None and before.state != "unknown" and transport.can_read
            after = (self._status_on(transport, self.settings.after_print_timeout_s)
                     if asked else None)
        if after is not None and after.state in _STATE_REASON:
            return PrintResult(False, _STATE_REASON[after.state],
                               f"{what} may be incomplete: {after.detail}")
        note = ""
        shown = after if after is not None and after.state != "unknown" else before
        if shown is not None and shown.state == "paper_near_end":
            note = " (paper near its end: change the roll soon)"
        elif shown is not None and shown.state == "unknown" and transport.can_read:
            note = " (the printer did not report its status)"
        return PrintResult(True, None, f"{what} sent to {transport.url}{note}")
