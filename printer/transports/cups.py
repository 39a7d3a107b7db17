"""``cups://QUEUE``: a raw CUPS queue, via python-escpos CupsPrinter (with pycups) or LP
(the ``lp`` command). The queue's state stands in for the printer's status."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any
from urllib.parse import unquote

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.status import PrinterStatus
from printer.transports.address import PrinterAddress
from printer.transports.base import Transport

_REASONS = (
    ("media-empty", "paper_out", "paper out"),
    ("media-needed", "paper_out", "paper out"),
    ("cover-open", "cover_open", "cover open"),
    ("door-open", "cover_open", "cover open"),
    ("media-low", "paper_near_end", "paper near its end"),
    ("offline", "offline", "printer offline"),
)


def cups_backend() -> str | None:
    """'pycups' or 'lp' (whichever python-escpos can use here), else None."""
    if escpos().CupsPrinter.is_usable():
        return "pycups"
    if shutil.which("lp"):
        return "lp"
    return None


class CupsTransport(Transport):
    """A CUPS queue that passes the bytes through unchanged (a raw queue)."""

    scheme = "cups"
    example = "cups://QUEUE"

    def __init__(self, url: str, queue: str) -> None:
        super().__init__(url)
        self.queue = queue
        self.backend = cups_backend()

    @classmethod
    def from_address(cls, address: PrinterAddress) -> CupsTransport:
        """``cups://QUEUE`` with the queue name ``lpstat -p`` shows, no parameters."""
        address.params()
        queue = unquote(address.parts.netloc + address.parts.path).strip("/")
        if not queue or "/" in queue:
            raise address.bad("expected cups://QUEUE with the queue name shown by lpstat -p")
        if cups_backend() is None:
            raise address.bad("CUPS printing needs pycups or the lp command (cups-client)")
        return cls(address.text, queue)

    def write(self, data: bytes, job: str = "ticket") -> None:
        printer: Any
        try:
            if self.backend == "pycups":
                printer = escpos().CupsPrinter(self.queue)
                printer.open(job_name=job)
            else:
                printer = escpos().LP(self.queue)
                printer.open(job_name=job)
        except Exception:
            raise PrinterUnavailableError(
                "not_found", f"CUPS has no queue {self.queue!r} (see lpstat -p)"
            ) from None
        try:
            printer._raw(data)
            printer.close()  # sends the job
        except Exception as exc:
            raise PrinterUnavailableError("error", f"{self.url}: job not accepted ({exc})") \
                from None

    def native_status(self) -> PrinterStatus:
        try:
            if self.backend == "pycups":
                import cups  # type: ignore[import-not-found]

                attrs = cups.Connection().getPrinters().get(self.queue)
                if attrs is None:
                    return PrinterStatus("not_found", f"CUPS has no queue {self.queue!r}")
                state = attrs.get("printer-state")
                reasons = " ".join(attrs.get("printer-state-reasons", []))
                stopped = state == 5
            else:
                out = subprocess.run(["lpstat", "-l", "-p", self.queue], capture_output=True,
                                     text=True, timeout=5, check=False)
                if out.returncode != 0:
                    return PrinterStatus("not_found", f"CUPS has no queue {self.queue!r}")
                text = out.stdout.lower()
                reasons, stopped = text, "disabled" in text
        except Exception as exc:
            return PrinterStatus("unknown", f"{self.url}: CUPS cannot be asked ({exc})")
        for key, state_name, detail in _REASONS:
            if key in reasons:
                return PrinterStatus(state_name, f"{self.url}: {detail} (CUPS)")  # type: ignore[arg-type]
        if stopped:
            return PrinterStatus("offline", f"{self.url}: the CUPS queue is stopped")
        return PrinterStatus("ready", f"{self.url}: CUPS queue accepting jobs")
