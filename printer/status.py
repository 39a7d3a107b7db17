"""Real-time printer status with DLE EOT, every read bounded by a short timeout.

ESC/POS printers answer ``DLE EOT n`` with one byte even while offline:

- n=1, printer status: bit 3 set = offline.
- n=2, offline cause: bit 2 = cover open, bit 5 = stopped because the paper ran out,
  bit 6 = an error occurred.
- n=4, roll paper sensor: bits 2-3 set = paper near its end, bits 5-6 set = paper out.

Every valid reply has bits 1 and 4 set and bits 0 and 7 clear (``byte & 0x93 == 0x12``).
A printer that does not answer within the timeout is ``unknown``: never a hang.

This module knows nothing of the transports: ``query_status`` talks to anything shaped
like ``StatusChannel`` (every ``printer.transports.base.Transport`` is), so the transports
may import ``PrinterStatus`` from here without an import circle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, Protocol

State = Literal[
    "ready", "paper_out", "paper_near_end", "cover_open", "offline", "unknown", "not_found"
]


class StatusChannel(Protocol):
    """What ``query_status`` needs of an open connection: write, bounded read, drain."""

    url: str

    def write(self, data: bytes, job: str = "ticket") -> None: ...

    def read(self, timeout_s: float) -> bytes: ...

    def drain(self) -> None: ...


DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, PAPER = 1, 2, 4


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said. ``ready`` and ``paper_near_end`` can print."""

    state: State
    detail: str

    @property
    def can_print(self) -> bool:
        """True when a ticket may be sent (``unknown`` is decided by the caller)."""
        return self.state in ("ready", "paper_near_end")

    def line(self) -> str:
        """One line for people: ``ready: tcp://...: online, paper present``."""
        return f"{self.state}: {self.detail}"


def valid_reply(byte: int) -> bool:
    """True when ``byte`` has the fixed bits every DLE EOT reply carries."""
    return byte & 0x93 == 0x12


def interpret(printer: int | None, cause: int | None, paper: int | None) -> tuple[State, str]:
    """The state from the three DLE EOT reply bytes (``None`` = not answered)."""
    if printer is None:
        return "unknown", "no answer to the status request (DLE EOT)"
    problems: list[tuple[State, str]] = []
    if paper is not None and paper & 0x60 == 0x60:
        problems.append(("paper_out", "paper out"))
    if cause is not None:
        if cause & 0x04:
            problems.append(("cover_open", "cover open"))
        if cause & 0x20 and not any(s == "paper_out" for s, _ in problems):
            problems.append(("paper_out", "stopped at paper end"))
        if cause & 0x40:
            problems.append(("offline", "printer error (cutter jam or head too hot?)"))
    offline = bool(printer & 0x08)
    if problems:
        return problems[0][0], ", ".join(p for _, p in problems)
    if offline:
        return "offline", "printer reports offline"
    if paper is not None and paper & 0x0C == 0x0C:
        return "paper_near_end", "online, paper near its end"
    if paper is None:
        return "ready", "online (paper sensor not reported)"
    return "ready", "online, paper present"


def _ask(transport: StatusChannel, n: int, timeout_s: float) -> int | None:
    """Send DLE EOT n and return the reply byte, or None if none came in time."""
    transport.drain()
    transport.write(DLE_EOT + bytes((n,)))
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        data = transport.read(left)
        for byte in reversed(data):
            if valid_reply(byte):
                return byte
        if not data:
            return None


def query_status(transport: StatusChannel, timeout_s: float = 0.5) -> PrinterStatus:
    """Ask an open, readable transport for the printer's state (at most 3 reads of
    ``timeout_s``; a silent printer costs only the first). I/O errors propagate."""
    printer = _ask(transport, PRINTER, timeout_s)
    if printer is None:
        return PrinterStatus("unknown", f"{transport.url}: no answer to the status request "
                                        f"(DLE EOT) within {timeout_s:g} s")
    cause = _ask(transport, OFFLINE_CAUSE, timeout_s)
    paper = _ask(transport, PAPER, timeout_s)
    state, detail = interpret(printer, cause, paper)
    return PrinterStatus(state, f"{transport.url}: {detail}")
