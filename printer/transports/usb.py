"""``usb://VID:PID``: a USB printer through libusb, via python-escpos Usb (needs pyusb)."""

from __future__ import annotations

from typing import Any

from printer.errors import PrinterUnavailableError
from printer.escpos_support import escpos
from printer.transports.address import PrinterAddress
from printer.transports.base import EscposTransport


def usb_available() -> bool:
    """True when pyusb is installed (python-escpos' ``Usb`` can be used)."""
    return bool(escpos().Usb.is_usable())


class UsbTransport(EscposTransport):
    """A USB printer by vendor and product id; reads replies on the IN endpoint."""

    can_read = True
    scheme = "usb"
    example = "usb://VID:PID"

    def __init__(self, url: str, vendor: int, product: int, in_ep: int, out_ep: int,
                 write_timeout_s: float) -> None:
        super().__init__(url)
        self.vendor, self.product = vendor, product
        self.in_ep, self.out_ep = in_ep, out_ep
        self.write_timeout_ms = int(write_timeout_s * 1000)
        self._printer: Any = None

    @classmethod
    def from_address(cls, address: PrinterAddress) -> UsbTransport:
        """``usb://VID:PID`` in hex, optionally ``?in_ep=0x82&out_ep=0x01``."""
        params = address.params(("in_ep", "out_ep"))
        ids = (address.parts.netloc + address.parts.path).strip("/")
        if ids.count(":") != 1:
            raise address.bad("expected usb://VID:PID in hex, e.g. usb://04b8:0e15")
        vid_text, pid_text = ids.split(":")
        vid = address.hex_id("vendor id", vid_text)
        pid = address.hex_id("product id", pid_text)
        in_ep = address.integer("in_ep", params.get("in_ep", "0x82"), 0, 255, 0)
        out_ep = address.integer("out_ep", params.get("out_ep", "0x01"), 0, 255, 0)
        if not usb_available():
            raise address.bad("USB printing needs the pyusb package (python-escpos[usb]) and "
                              "libusb-1.0; install them or use file:///dev/usb/lp0")
        return cls(address.text, vid, pid, in_ep, out_ep, address.settings.write_timeout_s)

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
