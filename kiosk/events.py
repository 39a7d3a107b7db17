"""The events log: each step of a citizen's visit as one JSON line in
``<data dir>/logs/events.jsonl``, for operators to see where citizens give up
(``scripts/events_summary.py``).

A line holds the time (UTC, ISO 8601), a visit id (random, new at each visit), the step and
at most a service code, a ticket source ('online', 'leased', 'emergency'...) or a reason
code. Never a name, an id number, a ticket number, a citizen id or a guest key.

Steps: 'idle', 'face_seen', 'recognised', 'guest', 'no_face' (took a number without face
recognition), 'card' (came with their chip ID card instead of the face; reason 'registered'
or 'not_registered'), 'not_id_card' (held up a QR code that is no ID card),
'service_chosen', 'ticket_issued', 'issue_failed', 'printed', 'print_failed', 'timed_out',
'cancelled'. Plain Python: no Qt.

Lines of no visit (``visit`` null, written with ``note``): 'ticket_withdrawn', the server's
answer to the withdrawal of an online request the kiosk gave up waiting for (``reason``:
unknown, cancelled, already_cancelled, or called/serving/done/no_show when a number nobody
holds had already been called).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk import flow

log = logging.getLogger(__name__)

STEPS = ("idle", "face_seen", "recognised", "guest", "no_face", "service_chosen",
         "ticket_issued", "issue_failed", "printed", "print_failed", "timed_out", "cancelled",
         "card", "not_id_card", "ticket_withdrawn")
#: the only fields a line may carry besides time, visit and step
ALLOWED = ("service", "source", "reason")


def steps_for(event: flow.Event, before: str, after: str,
              effects: list[flow.Effect]) -> list[tuple[str, dict[str, str]]]:
    """The steps one flow event made: ``[(step, fields)]`` (fields from ``ALLOWED`` only).

    ``before``/``after`` are the flow's states around the event.
    """
    steps: list[tuple[str, dict[str, str]]] = []
    if before == flow.IDLE and after == flow.GUIDANCE:
        steps.append(("face_seen", {}))
    if isinstance(event, flow.CardRead) and after == flow.IDENTIFIED:
        steps.append(("card", {"reason": "registered" if event.citizen else "not_registered"}))
    elif after == flow.IDENTIFIED and before != flow.IDENTIFIED:
        steps.append(("recognised", {}))
    if isinstance(event, flow.NotACard) and after == flow.IDLE:
        steps.append(("not_id_card", {}))
    if after == flow.UNKNOWN and before != flow.UNKNOWN:
        steps.append(("guest", {}))
    if isinstance(event, flow.TakeNumberWithoutFace) and after == flow.CHOOSE_SERVICE:
        steps.append(("no_face", {}))
    for effect in effects:
        if isinstance(effect, flow.IssueTicket):
            steps.append(("service_chosen", {"service": effect.service}))
    if isinstance(event, flow.TicketIssued) and after == flow.TICKET_SHOWN and event.ticket:
        steps.append(("ticket_issued", {"service": event.ticket.service}))
    if isinstance(event, flow.IssueFailed) or (
            isinstance(event, flow.Tick) and before == flow.ISSUING and after != flow.ISSUING):
        steps.append(("issue_failed", {}))
    if isinstance(event, flow.PrintFinished) and before == flow.TICKET_SHOWN:
        steps.append(("printed", {}) if event.ok else
                     ("print_failed", {"reason": (event.reason or "printer_error")[:32]}))
    if isinstance(event, flow.Tick) and before == flow.TICKET_SHOWN and \
            after == flow.PRINT_FAILED:
        steps.append(("print_failed", {"reason": "printer_timeout"}))
    if after == flow.IDLE and before != flow.IDLE:
        if isinstance(event, flow.Done):
            steps.append(("cancelled" if before != flow.TICKET_SHOWN else "idle", {}))
        elif isinstance(event, flow.Tick) and before != flow.TICKET_SHOWN:
            steps.append(("timed_out", {"reason": before}))
        if not steps or steps[-1][0] != "idle":
            steps.append(("idle", {}))
    return steps


class EventLog:
    """Appends steps to a JSON-lines file; a write failure is logged, never raised.

    The file is rotated daily: the first line written on a new local day first renames
    yesterday's file to ``events-YYYY-MM-DD.jsonl`` (the day it was written) and deletes
    rotated files older than ``keep_days``.
    """

    def __init__(self, path: Path, keep_days: int = 90) -> None:
        self.path = path
        self.keep_days = keep_days
        self.visit: str | None = None
        self._lock = threading.Lock()

    def _rotate(self, today: date) -> None:
        try:
            written = datetime.fromtimestamp(self.path.stat().st_mtime).date()
        except FileNotFoundError:
            return
        if written >= today:
            return
        self.path.rename(self.path.with_name(f"{self.path.stem}-{written.isoformat()}.jsonl"))
        oldest = today - timedelta(days=self.keep_days)
        for old in self.path.parent.glob(f"{self.path.stem}-*.jsonl"):
            try:
                day = date.fromisoformat(old.stem[len(self.path.stem) + 1:])
            except ValueError:
                continue
            if day < oldest:
                old.unlink(missing_ok=True)

    def record(self, step: str, now: datetime | None = None, **fields: str) -> None:
        """Write one line; a new visit id starts at the first step after idle."""
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        if self.visit is None and step != "idle":
            self.visit = uuid.uuid4().hex[:12]
        visit = self.visit
        if step == "idle":
            self.visit = None
        self._write(step, visit, now, fields)

    def note(self, step: str, now: datetime | None = None, **fields: str) -> None:
        """Write one line that belongs to no visit (e.g. from the sync thread)."""
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        self._write(step, None, now, fields)

    def _write(self, step: str, visit: str | None, now: datetime | None,
               fields: dict[str, str]) -> None:
        line: dict[str, Any] = {"t": (now or datetime.now(UTC)).isoformat(timespec="milliseconds"),
                                "visit": visit, "step": step}
        line.update({k: str(v)[:32] for k, v in fields.items() if k in ALLOWED})
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._rotate((now or datetime.now(UTC)).astimezone().date())
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as exc:
            log.warning("events log %s not written: %s", self.path, exc)

    def flow_event(self, event: flow.Event, before: str, after: str,
                   effects: list[flow.Effect]) -> None:
        """Record the steps ``steps_for`` finds in one flow event."""
        for step, fields in steps_for(event, before, after, effects):
            self.record(step, **fields)
