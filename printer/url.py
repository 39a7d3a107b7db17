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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from config.printer import PrinterSettings
from printer.errors import PrinterConfigError
from printer.transports.base import Transport

SCHEMES = ("usb", "tcp", "serial", "file", "cups", "image")
_EXAMPLES = ("usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=19200, "
             "file:///dev/usb/lp0, cups://QUEUE or image://DIR")


def _bad(url: str, why: str) -> PrinterConfigError:
    return PrinterConfigError(f"printer URL {url!r}: {why}")


def _query(url: str, query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    params = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        allowed_text = ", ".join(allowed) if allowed else "none"
        raise _bad(url, f"unknown parameter {unknown[0]!r} (allowed: {allowed_text})")
    return params


def _int(url: str, name: str, text: str, low: int, high: int, base: int = 10) -> int:
    try:
        value = int(text, base)
    except ValueError:
        raise _bad(url, f"{name} {text!r} is not a number") from None
    if not low <= value <= high:
        raise _bad(url, f"{name} {value} is outside {low}..{high}")
    return value


def _bool(url: str, name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise _bad(url, f"{name} must be true or false, not {text!r}")


def _hex_id(url: str, name: str, text: str) -> int:
    t = text.lower().removeprefix("0x")
    if not t or len(t) > 4 or any(c not in "0123456789abcdef" for c in t):
        raise _bad(url, f"{name} {text!r} is not a 4-digit hex USB id (e.g. 04b8:0e15)")
    return int(t, 16)


def open_printer(url: str, settings: PrinterSettings | None = None,
                 data_dir: str | Path | None = None) -> Transport:
    """The transport ``url`` names (not yet opened); ``PrinterConfigError`` with one line
    naming the problem for an unknown scheme or bad parameters.

    ``data_dir`` anchors a relative ``image://DIR`` (default: the current folder).
    """
    settings = settings or PrinterSettings()
    text = (url or "").strip()
    if "://" not in text:
        raise _bad(url, f"not a printer URL; use {_EXAMPLES}")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise _bad(url, f"unknown scheme '{scheme}://'; use {_EXAMPLES}")

    if scheme == "tcp":
        _query(text, parts.query, ())
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            raise _bad(text, "the port must be a number in 1..65535") from None
        if not host or parts.path not in ("", "/"):
            raise _bad(text, "expected tcp://HOST or tcp://HOST:PORT")
        from printer.transports.network import NetworkTransport

        return NetworkTransport(text, host, port or 9100, settings.connect_timeout_s,
                                settings.write_timeout_s)

    if scheme == "usb":
        params = _query(text, parts.query, ("in_ep", "out_ep"))
        ids = (parts.netloc + parts.path).strip("/")
        if ids.count(":") != 1:
            raise _bad(text, "expected usb://VID:PID in hex, e.g. usb://04b8:0e15")
        vid_text, pid_text = ids.split(":")
        vid = _hex_id(text, "vendor id", vid_text)
        pid = _hex_id(text, "product id", pid_text)
        in_ep = _int(text, "in_ep", params.get("in_ep", "0x82"), 0, 255, 0)
        out_ep = _int(text, "out_ep", params.get("out_ep", "0x01"), 0, 255, 0)
        from printer.transports.usb import UsbTransport, usb_available

        if not usb_available():
            raise _bad(text, "USB printing needs the pyusb package (python-escpos[usb]) and "
                             "libusb-1.0; install them or use file:///dev/usb/lp0")
        return UsbTransport(text, vid, pid, in_ep, out_ep, settings.write_timeout_s)

    if scheme == "serial":
        params = _query(text, parts.query,
                        ("baudrate", "bytesize", "parity", "stopbits", "xonxoff", "dsrdtr"))
        device = unquote(parts.path)
        if parts.netloc or not device.startswith("/"):
            raise _bad(text, "expected serial:///dev/ttyUSB0 (three slashes, absolute path)")
        options: dict[str, Any] = {
            "baudrate": _int(text, "baudrate", params.get("baudrate", "9600"), 300, 921600)
        }
        if "bytesize" in params:
            options["bytesize"] = _int(text, "bytesize", params["bytesize"], 5, 8)
        if "parity" in params:
            parity = params["parity"].upper()
            if parity not in ("N", "E", "O", "M", "S"):
                raise _bad(text, "parity must be one of N, E, O, M, S")
            options["parity"] = parity
        if "stopbits" in params:
            options["stopbits"] = _int(text, "stopbits", params["stopbits"], 1, 2)
        if "xonxoff" in params:
            options["xonxoff"] = _bool(text, "xonxoff", params["xonxoff"])
        if "dsrdtr" in params:
            options["dsrdtr"] = _bool(text, "dsrdtr", params["dsrdtr"])
        from printer.transports.serial import SerialTransport, serial_available

        if not serial_available():
            raise _bad(text, "serial printing needs the pyserial package "
                             "(python-escpos[serial]); install it")
        return SerialTransport(text, device, options, settings.write_timeout_s)

    if scheme == "file":
        _query(text, parts.query, ())
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/"):
            raise _bad(text, "expected file:///dev/usb/lp0 (three slashes, absolute path)")
        from printer.transports.file import FileTransport

        return FileTransport(text, path)

    if scheme == "cups":
        _query(text, parts.query, ())
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue or "/" in queue:
            raise _bad(text, "expected cups://QUEUE with the queue name shown by lpstat -p")
        from printer.transports.cups import CupsTransport, cups_backend

        if cups_backend() is None:
            raise _bad(text, "CUPS printing needs pycups or the lp command (cups-client)")
        return CupsTransport(text, queue)

    # image://DIR
    _query(text, parts.query, ())
    folder = unquote(parts.netloc + parts.path)
    if not folder:
        raise _bad(text, "expected image://DIR (relative to the data dir) or image:///abs/dir")
    path = Path(folder).expanduser()
    if not path.is_absolute():
        path = Path(data_dir or ".") / path
    from printer.transports.image import ImageTransport

    return ImageTransport(text, path)
