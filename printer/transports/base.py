"""The one small interface every printer connection implements.

Like python-escpos' ``Escpos._raw``: a transport only moves bytes. ``write`` is the only
abstract method; a transport that can read the printer's replies sets ``can_read`` and
implements ``read``. A transport class reached by a URL sets ``scheme`` (and ``example``)
and implements ``from_address``; defining the class registers it in ``TRANSPORTS``.
Errors are raised as ``PrinterUnavailableError`` with a reason
(``not_found``, ``offline``, ``timeout``, ``error``) and a message for people.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Any, ClassVar

from printer.errors import PrinterUnavailableError
from printer.status import PrinterStatus
from printer.transports.address import PrinterAddress

#: The transport class of each URL scheme, filled as the transport modules are imported
#: (``import printer.transports`` imports them all).
TRANSPORTS: dict[str, type[Transport]] = {}


class Transport(ABC):
    """A connection to one printer. Use as a context manager: open, use, close."""

    #: True when ``read`` returns the printer's replies (DLE EOT status works).
    can_read: bool = False
    #: The URL scheme (``tcp``) that selects this transport; empty: not reachable by URL.
    scheme: ClassVar[str] = ""
    #: An example URL for error messages (``tcp://HOST:9100``).
    example: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        scheme = cls.__dict__.get("scheme", "")
        if not scheme:
            return
        known = TRANSPORTS.get(scheme)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"printer URL scheme {scheme!r} is taken by {known.__qualname__}")
        TRANSPORTS[scheme] = cls

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_address(cls, address: PrinterAddress) -> Transport:
        """The transport ``address`` names (not yet opened); ``PrinterConfigError`` with
        one line (``address.bad(...)``) for bad parameters."""
        raise NotImplementedError(f"{cls.__name__} cannot be built from a URL")

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
