"""``file:///dev/usb/lp0``: a printer device file (the kernel's usblp or a parallel port),
via python-escpos File. A character device is opened read-write so the printer's status
replies can be read back (with ``select``, never blocking); a plain file only records."""

from __future__ import annotations

import os
import select
import stat
from typing import Any
from urllib.parse import unquote

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.status import PrinterStatus
from printer.transports.address import PrinterAddress
from printer.transports.base import EscposTransport


class FileTransport(EscposTransport):
    """A device file written to directly."""

    scheme = "file"
    example = "file:///dev/usb/lp0"

    def __init__(self, url: str, path: str) -> None:
        super().__init__(url)
        self.path = path
        self._printer: Any = None
        self._fd: int | None = None
        try:
            self.can_read = stat.S_ISCHR(os.stat(path).st_mode)
        except OSError:
            self.can_read = False

    @classmethod
    def from_address(cls, address: PrinterAddress) -> FileTransport:
        """``file:///dev/usb/lp0``: three slashes and an absolute path, no parameters."""
        address.params()
        path = unquote(address.parts.path)
        if address.parts.netloc or not path.startswith("/"):
            raise address.bad("expected file:///dev/usb/lp0 (three slashes, absolute path)")
        return cls(address.text, path)

    def native_status(self) -> PrinterStatus | None:
        if not os.path.exists(self.path):
            return PrinterStatus("not_found", f"{self.path} does not exist: is the printer "
                                              "plugged in and on?")
        if not os.access(self.path, os.W_OK):
            return PrinterStatus("offline", f"{self.path} is not writable by this user")
        if not self.can_read:
            return PrinterStatus("unknown", f"{self.url}: writable, but a plain file cannot "
                                            "report the printer's status")
        return None  # a device: ask the printer itself

    def open(self) -> None:
        self.close()
        if not os.path.exists(self.path):
            raise PrinterUnavailableError(
                "not_found", f"{self.path} does not exist: is the printer plugged in and on?"
            )
        printer = escpos().File(self.path, auto_flush=True)
        if self.can_read:
            # One read-write descriptor: usblp allows a single open at a time.
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
            except OSError:
                self.can_read = False
            else:
                os.set_blocking(fd, True)  # writes block (bounded by the kernel's timeout)
                self._fd = fd
                printer.device = os.fdopen(os.dup(fd), "wb", buffering=0)
        if self._fd is None:
            try:
                printer.open()
            except Exception as exc:
                cause = exc.__context__ or exc
                why = getattr(cause, "strerror", None) or str(cause).splitlines()[-1]
                raise PrinterUnavailableError(
                    "not_found", f"{self.path} cannot be opened for writing ({why})"
                ) from None
        self._printer = printer

    def close(self) -> None:
        super().close()
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def write(self, data: bytes, job: str = "ticket") -> None:
        printer = self._connected()
        try:
            printer._raw(data)
            printer.flush()
        except OSError as exc:
            raise PrinterUnavailableError(
                "offline", f"{self.path}: write failed ({exc.strerror or exc})"
            ) from None

    def read(self, timeout_s: float) -> bytes:
        if self._fd is None:
            return b""
        try:
            ready, _, _ = select.select([self._fd], [], [], max(timeout_s, 0))
            if not ready:
                return b""
            os.set_blocking(self._fd, False)
            try:
                return os.read(self._fd, 64)
            finally:
                os.set_blocking(self._fd, True)
        except (OSError, ValueError):
            return b""

    def drain(self) -> None:
        while self.read(0):
            pass
