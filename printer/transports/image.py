"""``image://DIR``: no printer; each ticket becomes ``DIR/<name>.bin`` (the exact ESC/POS
bytes, through python-escpos Dummy) and ``DIR/<name>.png`` (those bytes decoded)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from printer.errors import PrinterUnavailableError
from printer.escpos_decode import decode_raster
from printer.escpos_support import escpos
from printer.status import PrinterStatus
from printer.transports.address import PrinterAddress
from printer.transports.base import Transport


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", name).strip("._") or "ticket"


class ImageTransport(Transport):
    """A folder standing in for a printer (the default with no printer, and the demo's)."""

    scheme = "image"
    example = "image://DIR"

    def __init__(self, url: str, directory: Path) -> None:
        super().__init__(url)
        self.directory = directory
        self.last_paths: tuple[Path, Path] | None = None

    @classmethod
    def from_address(cls, address: PrinterAddress) -> ImageTransport:
        """``image://DIR`` (relative to the data dir) or ``image:///abs/dir``."""
        address.params()
        folder = unquote(address.parts.netloc + address.parts.path)
        if not folder:
            raise address.bad(
                "expected image://DIR (relative to the data dir) or image:///abs/dir")
        path = Path(folder).expanduser()
        if not path.is_absolute():
            path = (address.data_dir or Path(".")) / path
        return cls(address.text, path)

    def native_status(self) -> PrinterStatus:
        d = self.directory
        if d.is_dir():
            if os.access(d, os.W_OK):
                return PrinterStatus("ready", f"{self.url}: writing tickets to {d}")
            return PrinterStatus("offline", f"{self.url}: {d} is not writable")
        if d.exists():
            return PrinterStatus("not_found", f"{self.url}: {d} is not a folder")
        parent = next((p for p in d.parents if p.exists()), None)
        if parent is not None and parent.is_dir() and os.access(parent, os.W_OK):
            return PrinterStatus("ready", f"{self.url}: will create {d}")
        return PrinterStatus("not_found", f"{self.url}: {d} cannot be created")

    def write(self, data: bytes, job: str = "ticket") -> None:
        dummy: Any = escpos().Dummy()
        dummy._raw(data)
        exact = dummy.output
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            base = _safe(job)
            name, n = base, 1
            while (self.directory / f"{name}.bin").exists():
                n += 1
                name = f"{base}-{n}"
            bin_path = self.directory / f"{name}.bin"
            png_path = self.directory / f"{name}.png"
            bin_path.write_bytes(exact)
            try:
                decode_raster(exact).save(png_path)
            except ValueError:
                png_path = bin_path  # no raster in these bytes (a status query, text)
        except OSError as exc:
            raise PrinterUnavailableError(
                "error", f"{self.url}: cannot write to {self.directory} ({exc.strerror})"
            ) from None
        self.last_paths = (png_path, bin_path)
