"""``serial:///dev/ttyUSB0?baudrate=19200``: an RS-232 printer, via python-escpos Serial."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.transports.address import PrinterAddress
from printer.transports.base import EscposTransport


def serial_available() -> bool:
    """True when pyserial is installed (python-escpos' ``Serial`` can be used)."""
    return bool(escpos().Serial.is_usable())


class SerialTransport(EscposTransport):
    """A serial port; the printer's replies are read back on the same port."""

    can_read = True
    scheme = "serial"
    example = "serial:///dev/ttyUSB0?baudrate=19200"

    def __init__(self, url: str, device: str, options: dict[str, Any],
                 write_timeout_s: float) -> None:
        super().__init__(url)
        self.device = device
        self.options = options
        self.write_timeout_s = write_timeout_s
        self._printer: Any = None

    @classmethod
    def from_address(cls, address: PrinterAddress) -> SerialTransport:
        """``serial:///dev/ttyUSB0`` with optional baudrate, bytesize, parity, stopbits,
        xonxoff and dsrdtr parameters."""
        params = address.params(
            ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "dsrdtr"))
        device = unquote(address.parts.path)
        if address.parts.netloc or not device.startswith("/"):
            raise address.bad("expected serial:///dev/ttyUSB0 (three slashes, absolute path)")
        options: dict[str, Any] = {
            "baudrate": address.integer("baudrate", params.get("baudrate", "9600"), 300, 921600)
        }
        if "bytesize" in params:
            options["bytesize"] = address.integer("bytesize", params["bytesize"], 5, 8)
        if "parity" in params:
            parity = params["parity"].upper()
            if parity not in ("N", "E", "O", "M", "S"):
                raise address.bad("parity must be one of N, E, O, M, S")
            options["parity"] = parity
        if "stopbits" in params:
            options["stopbits"] = address.integer("stopbits", params["stopbits"], 1, 2)
        if "xonxoff" in params:
            options["xonxoff"] = address.boolean("xonxoff", params["xonxoff"])
        if "dsrdtr" in params:
            options["dsrdtr"] = address.boolean("dsrdtr", params["dsrdtr"])
        if not serial_available():
            raise address.bad("serial printing needs the pyserial package "
                              "(python-escpos[serial]); install it")
        return cls(address.text, device, options, address.settings.write_timeout_s)

    def open(self) -> None:
        self.close()
        printer = escpos().Serial(self.device, timeout=self.write_timeout_s, **self.options)
        try:
            printer.open()
        except Exception:
            raise PrinterUnavailableError(
                "not_found", f"serial port {self.device} cannot be opened: is it the right "
                "port, and may this user use it (group dialout)?",
            ) from None
        self._printer = printer
        try:
            self._printer._device.write_timeout = self.write_timeout_s
        except Exception:
            pass

    def write(self, data: bytes, job: str = "ticket") -> None:
        printer = self._connected()
        try:
            printer._raw(data)
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower() or "timeout" in str(exc).lower():
                raise PrinterUnavailableError(
                    "timeout", f"{self.url}: the printer took no data for "
                    f"{self.write_timeout_s:g} s (offline or wrong flow control?)"
                ) from None
            raise PrinterUnavailableError("offline", f"{self.url}: write failed ({exc})") from None

    def read(self, timeout_s: float) -> bytes:
        if self._printer is None or not self._printer._device:
            return b""
        port = self._printer._device
        try:
            port.timeout = timeout_s
            first = bytes(port.read(1))  # returns as soon as one byte arrives
            return first + bytes(port.read(port.in_waiting)) if first else b""
        except Exception:
            return b""

    def drain(self) -> None:
        if self._printer is not None and self._printer._device:
            try:
                self._printer._device.reset_input_buffer()
            except Exception:
                pass
