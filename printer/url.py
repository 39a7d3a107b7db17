"""Building a printer transport from the one configuration string (``printer.url``).

=====================================  ==============================================
``usb://04b8:0e15``                    USB vendor:product id (hex); ``?in_ep=&out_ep=``
``tcp://192.168.1.50`` / ``:9100``     network printer's raw port (default 9100)
``serial:///dev/ttyUSB0?baudrate=...``  serial port; also bytesize, parity, stopbits,
                                       xonxoff, dsrdtr
``file:///dev/usb/lp0``                 device file
``cups://QUEUE``                        raw CUPS queue
``image://DIR``                         PNG + bytes per ticket in DIR (relative: under
                                       the data dir)
=====================================  ==============================================

The scheme picks the transport class registered for it in
``printer.transports.TRANSPORTS``; that class checks the rest of the URL
(``Transport.from_address``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from config.printer import PrinterSettings
from printer.transports import TRANSPORTS
from printer.transports.address import PrinterAddress, bad_url
from printer.transports.base import Transport


def schemes() -> list[str]:
    """The URL schemes of the registered transports, sorted."""
    return sorted(TRANSPORTS)


def _examples() -> str:
    examples = [TRANSPORTS[s].example or f"{s}://..." for s in schemes()]
    if len(examples) < 2:
        return "".join(examples) or "none"
    return ", ".join(examples[:-1]) + " or " + examples[-1]


def open_printer(url: str, settings: PrinterSettings | None = None,
                 data_dir: str | Path | None = None) -> Transport:
    """The transport ``url`` names (not yet opened); ``PrinterConfigError`` with one line
    naming the problem for an unknown scheme (listing the known ones) or bad parameters.

    ``data_dir`` anchors a relative ``image://DIR`` (default: the current folder).
    """
    text = (url or "").strip()
    if "://" not in text:
        raise bad_url(url, f"not a printer URL; use {_examples()}")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    transport = TRANSPORTS.get(scheme)
    if transport is None:
        raise bad_url(url, f"unknown scheme '{scheme}://'; use {_examples()}")
    address = PrinterAddress(text, parts, settings or PrinterSettings(),
                             Path(data_dir) if data_dir is not None else None)
    return transport.from_address(address)
