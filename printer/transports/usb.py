"""``usb://VID:PID``: a USB printer through libusb, via python-escpos Usb (needs pyusb)."""

from __future__ import annotations

from typing import Any

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.transports.base import EscposTransport


def usb_available() -> bool:
    """True when pyusb is installed (python-escpos' ``Usb`` can be used)."""
    return bool(escpos().Usb.is_usable())


class UsbTransport(EscposTransport):
    """A USB printer by vendor and product id; reads replies on the IN endpoint."""

    can_read = True

    def __init__(self, url: str, vendor: int, product: int, in_ep: int, out_ep: int,
                 write_timeout_s: float) -> None:
        super().__init__(url)
        self.vendor, self.product = vendor, product
        self.in_ep, self.out_ep = in_ep, out_ep
        self.write_timeout_ms = int(write_timeout_s * 1000)
        self._printer: Any = None

    def open(self) -> None:
        self.close()
        printer = escpos().Usb(self.vendor, self.product, timeout=self.write_timeout_ms,
                               in_ep=self.in_ep, out_ep=self.out_ep)
        try:
            printer.open()
        except Exception as exc:
            text = str(exc).replace("\n", " ")
            hint = " (permission denied: add a udev rule)" if "ccess" in text else ""
            raise PrinterUnavailableError(
                "not_found",
                f"no USB printer {self.vendor:04x}:{self.product:04x}: is it plugged in and "
                f"switched on?{hint}",
            ) from None
        self._printer = printer

    def write(self, data: bytes, job: str = "ticket") -> None:
        printer = self._connected()
        try:
            printer._raw(data)
        except Exception as exc:
            text = str(exc).lower()
            if "timeout" in text or "timed out" in text:
                raise PrinterUnavailableError(
                    "timeout", f"{self.url}: the printer took no data in time"
                ) from None
            raise PrinterUnavailableError(
                "offline", f"{self.url}: USB write failed ({exc})"
            ) from None

    def read(self, timeout_s: float) -> bytes:
        if self._printer is None or not self._printer._device:
            return b""
        try:
            return bytes(self._printer._device.read(self.in_ep, 64, max(1, int(timeout_s * 1000))))
        except Exception:  # usb.core.USBTimeoutError and friends
            return b""

    def drain(self) -> None:
        while self.read(0.01):
            pass
