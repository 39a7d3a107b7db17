"""A printer URL taken apart, with the checks every transport uses on its parameters.

Each check raises ``PrinterConfigError`` with one line that starts with
``printer URL '<url>':`` and names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl

from config.printer import PrinterSettings
from printer.errors import PrinterConfigError


def bad_url(url: str, why: str) -> PrinterConfigError:
    """The one-line error for a printer URL (``why`` says what is wrong)."""
    return PrinterConfigError(f"printer URL {url!r}: {why}")


@dataclass(frozen=True)
class PrinterAddress:
    """``text`` is the stripped URL, ``parts`` its ``urlsplit``; ``settings`` give the
    timeouts; ``data_dir`` anchors relative folders (None: the current folder)."""

    text: str
    parts: SplitResult
    settings: PrinterSettings
    data_dir: Path | None = None

    def bad(self, why: str) -> PrinterConfigError:
        """The one-line error for this URL."""
        return bad_url(self.text, why)

    def params(self, allowed: tuple[str, ...] = ()) -> dict[str, str]:
        """The query parameters; an error names the first one not in ``allowed``."""
        params = dict(parse_qsl(self.parts.query, keep_blank_values=True))
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            allowed_text = ", ".join(allowed) if allowed else "none"
            raise self.bad(f"unknown parameter {unknown[0]!r} (allowed: {allowed_text})")
        return params

    def integer(self, name: str, text: str, low: int, high: int, base: int = 10) -> int:
        """``text`` as an integer in ``low..high`` (``base=0`` also takes ``0x..``)."""
        try:
            value = int(text, base)
        except ValueError:
            raise self.bad(f"{name} {text!r} is not a number") from None
        if not low <= value <= high:
            raise self.bad(f"{name} {value} is outside {low}..{high}")
        return value

    def boolean(self, name: str, text: str) -> bool:
        """``text`` as a yes/no value (1/0, true/false, yes/no, on/off)."""
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise self.bad(f"{name} must be true or false, not {text!r}")

    def hex_id(self, name: str, text: str) -> int:
        """A 4-digit hexadecimal USB vendor or product id."""
        t = text.lower().removeprefix("0x")
        if not t or len(t) > 4 or any(c not in "0123456789abcdef" for c in t):
            raise self.bad(f"{name} {text!r} is not a 4-digit hex USB id (e.g. 04b8:0e15)")
        return int(t, 16)
