"""The one small interface every printer connection implements.

Like python-escpos' ``Escpos._raw``: a transport only moves bytes. ``write`` is the only
abstract method; a transport that can read the printer's replies sets ``can_read`` and
implements ``read``. Errors are raised as ``PrinterUnavailableError`` with a reason
(``not_found``, ``offline``, ``timeout``, ``error``) and a message for people.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any

from printer.errors import PrinterUnavailableError
from printer.status import PrinterStatus


class Transport(ABC):
    """A connection to one printer. Use as a context manager: open, use, close."""

    #: True when ``read`` returns the printer's replies (DLE EOT status works).
    can_read: bool = False

    def __init__(self, url: str) -> None:
        self.url = url

    def open(self) -> None:
        """Connect; ``PrinterUnavailableError('not_found', ...)`` if the printer is absent."""
        return None

    def close(self) -> None:
        """Disconnect; never raises."""
        return None

    @abstractmethod
    def write(self, data: bytes, job: str = "ticket") -> None:
        """Send ``data`` to the printer (``job`` names the print job where that matters)."""

    def read(self, timeout_s: float) -> bytes:
        """Bytes the printer sent, waiting at most ``timeout_s``; ``b""`` if none."""
        raise NotImplementedError(f"{type(self).__name__} cannot read from the printer")

    def drain(self) -> None:
        """Discard replies still waiting to be read (stale status bytes)."""
        return None

    def native_status(self) -> PrinterStatus | None:
        """A status the transport knows without DLE EOT (a CUPS queue, a folder), or None."""
        return None

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class EscposTransport(Transport):
    """A transport that drives a python-escpos printer object (``self._printer``)."""

    _printer: Any = None

    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:
                pass
            self._printer = None

    def _connected(self) -> Any:
        """The open python-escpos printer, or ``PrinterUnavailableError`` when not open."""
        if self._printer is None:
            raise PrinterUnavailableError("error", f"{self.url}: not connected")
        return self._printer
