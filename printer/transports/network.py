"""``tcp://HOST[:PORT]``: a network printer's raw port (9100), via python-escpos Network."""

from __future__ import annotations

import socket
from typing import Any

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.transports.address import PrinterAddress
from printer.transports.base import EscposTransport


class NetworkTransport(EscposTransport):
    """A TCP connection opened per job (network printers often accept only one)."""

    can_read = True
    scheme = "tcp"
    example = "tcp://HOST:9100"

    def __init__(self, url: str, host: str, port: int, connect_timeout_s: float,
                 write_timeout_s: float) -> None:
        super().__init__(url)
        self.host, self.port = host, port
        self.connect_timeout_s = connect_timeout_s
        self.write_timeout_s = write_timeout_s
        self._printer: Any = None

    @classmethod
    def from_address(cls, address: PrinterAddress) -> NetworkTransport:
        """``tcp://HOST`` or ``tcp://HOST:PORT`` (default port 9100), no parameters."""
        address.params()
        parts = address.parts
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise address.bad("the port must be a number in 1..65535") from None
        if not host or parts.path not in ("", "/"):
            raise address.bad("expected tcp://HOST or tcp://HOST:PORT")
        s = address.settings
        return cls(address.text, host, port or 9100, s.connect_timeout_s, s.write_timeout_s)

    @property
    def _sock(self) -> socket.socket:
        sock: socket.socket | None = (
            self._printer._device if self._printer is not None else None)
        if not sock:
            raise PrinterUnavailableError("error", f"{self.url}: not connected")
        return sock

    def open(self) -> None:
        self.close()
        printer = escpos().Network(self.host, self.port, timeout=self.connect_timeout_s)
        try:
            printer.open()
        except Exception as exc:  # DeviceNotFoundError wraps the OSError
            cause = exc.__context__ or exc
            if isinstance(cause, TimeoutError | socket.timeout):
                why = f"no answer within {self.connect_timeout_s:g} s"
            elif isinstance(cause, ConnectionRefusedError):
                why = "connection refused"
            elif isinstance(cause, socket.gaierror):
                why = f"unknown host {self.host!r}"
            elif isinstance(cause, OSError) and cause.strerror:
                why = cause.strerror.lower()
            else:
                why = str(cause).splitlines()[-1] if str(cause) else type(cause).__name__
            raise PrinterUnavailableError(
                "not_found", f"no printer at {self.host}:{self.port} ({why})"
            ) from None
        self._printer = printer

    def close(self) -> None:
        if self._printer is not None:
            # Unread bytes (a late status reply) would make the kernel reset the connection
            # instead of closing it, and a reset may make the printer drop buffered data.
            try:
                self.drain()
            except Exception:
                pass
        super().close()

    def write(self, data: bytes, job: str = "ticket") -> None:
        sock = self._sock
        sock.settimeout(self.write_timeout_s)
        try:
            self._printer._raw(data)
        except TimeoutError:
            raise PrinterUnavailableError(
                "timeout", f"{self.url}: the printer took no data for {self.write_timeout_s:g} s"
            ) from None
        except OSError as exc:
            raise PrinterUnavailableError(
                "offline", f"{self.url}: connection lost ({exc.strerror or exc})"
            ) from None

    def read(self, timeout_s: float) -> bytes:
        sock = self._sock
        sock.settimeout(max(timeout_s, 0.001))
        try:
            return sock.recv(64)
        except (TimeoutError, BlockingIOError):
            return b""
        except OSError:
            return b""

    def drain(self) -> None:
        sock = self._sock
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except OSError:
            pass
        finally:
            sock.setblocking(True)
