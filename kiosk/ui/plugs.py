"""The small interfaces the app plugs recognition, numbering and printing into.

- ``Identifier``: ``frame_bgr -> result`` with the shape of
  ``recognition.engine.IdentifyResult`` (``faces``, ``box``, ``reason``, ``match``).
- ``CitizenLookup``: ``citizen_id -> CitizenInfo | None`` (from ``kiosk.registry``).
- ``Issuer``: ``IssueTicket -> IssuedTicket``; commits locally before returning, raises
  ``IssueError`` with a message key when no number can be given.
- ``Printer``: ``PrintJob -> PrintOutcome``; never raises.

The defaults are real: ``StandaloneIssuer`` numbers tickets in the local database, and
``make_printer`` uses ``printer.service.TicketPrinter`` (``image://`` by default).
None of this imports Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.flow import CitizenInfo, IssuedTicket, IssueTicket, Service, qr_link

if TYPE_CHECKING:
    import numpy as np

    from config import Settings
    from kiosk.context import KioskContext
    from kiosk.tickets import TicketStore

log = logging.getLogger(__name__)

Identifier = Callable[["np.ndarray"], Any]
CitizenLookup = Callable[[int], CitizenInfo | None]


class IssueError(Exception):
    """No number could be issued; ``str(exc)`` is a message key for the screen."""


class Issuer(Protocol):
    def __call__(self, request: IssueTicket) -> IssuedTicket: ...


@dataclass(frozen=True)
class PrintJob:
    """Everything printed on a ticket besides the ticket itself."""

    ticket: IssuedTicket
    service: Service
    centre_name: str
    language: str
    greeting_name: str | None = None


@dataclass(frozen=True)
class PrintOutcome:
    """The printer's answer: ``reason`` is a key such as 'paper_out', 'offline'."""

    ok: bool
    reason: str | None = None
    message: str = ""


class Printer(Protocol):
    def __call__(self, job: PrintJob) -> PrintOutcome: ...


class StandaloneIssuer:
    """Numbers tickets in the kiosk's own database (no server configured)."""

    def __init__(self, store: TicketStore) -> None:
        self.store = store

    def __call__(self, request: IssueTicket) -> IssuedTicket:
        try:
            return self.store.issue_standalone(request.service, request.citizen_id,
                                               request.guest_key, request.priority)
        except Exception as exc:
            log.exception("standalone issuing failed")
            raise IssueError("issue_failed") from exc


class NoPrinter:
    """Used when the configured printer cannot be driven: every print fails visibly."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __call__(self, job: PrintJob) -> PrintOutcome:
        return PrintOutcome(False, "offline", self.why)


#: printer.service reasons → the kiosk's message keys (kiosk/ui/texts.py)
PRINTER_REASONS = {
    "paper_out": "paper_out", "cover_open": "cover_open", "offline": "offline",
    "not_found": "offline", "timeout": "printer_timeout", "error": "printer_error",
}


class ServicePrinter:
    """Adapter to ``printer.service.TicketPrinter`` (raises ``PrinterConfigError`` when
    the printer settings are wrong)."""

    def __init__(self, settings: Settings, data_dir: Path) -> None:
        from printer.service import TicketPrinter

        self._printer = TicketPrinter(settings.printer, data_dir)

    def __call__(self, job: PrintJob) -> PrintOutcome:
        try:
            from printer.ticket import Ticket, mask_name

            t = job.ticket
            counters = [c.strip() for c in t.counters.split(",") if c.strip()]
            ticket = Ticket(
                centre_name=job.centre_name, service_name=job.service.name(job.language),
                number=t.number, issued_at=t.issued_at, people_ahead=t.people_ahead,
                counters=counters,
                greeting_name=mask_name(job.greeting_name) if job.greeting_name else None,
                priority=t.priority, survey_url=t.survey_url,
                language="en" if job.language == "en" else "vi",
            )
            result = self._printer.print_ticket(ticket)
            reason = None if result.ok else PRINTER_REASONS.get(result.reason or "error",
                                                                "printer_error")
            if not result.ok:
                log.warning("ticket %s not printed: %s", t.number, result.message)
            return PrintOutcome(bool(result.ok), reason, result.message)
        except Exception as exc:
            log.exception("printing failed")
            return PrintOutcome(False, "printer_error", str(exc)[:200])


def make_printer(settings: Settings, data_dir: Path) -> Printer:
    """The printer for ``settings.printer.url`` (``image://`` writes PNG + ESC/POS files);
    a printer that cannot be set up fails every print visibly instead of stopping the kiosk."""
    try:
        return ServicePrinter(settings, data_dir)
    except Exception as exc:
        log.warning("printer cannot be set up: %s", exc)
        return NoPrinter(str(exc)[:200])


def server_open_tickets(client: Any, store: TicketStore, citizen_id: int) -> list[IssuedTicket]:
    """Bring this kiosk's view of a citizen's tickets of today in line with the server.

    Tickets the server no longer has open (called and done, cancelled...) stop counting
    as waiting here, unless they have not been uploaded yet; open tickets issued by other
    kiosks of the site are recorded so they can be reprinted. Returns today's tickets of
    the citizen (``kiosk.sync.QueueClient``; raises ``ServerError`` when unreachable).
    """
    from datetime import datetime

    from kiosk.tickets import DONE, ONLINE, WAITING

    answer = client.citizen_today(citizen_id)
    open_ids = {t["id"]: t for t in answer.get("tickets", [])}
    unsent = store.unsent_ticket_ids()
    for local in store.today_for(citizen_id=citizen_id):
        if local.id in open_ids:
            if not local.waiting:
                store.set_status(local.id, WAITING)
        elif local.waiting and local.id not in unsent:
            store.set_status(local.id, DONE)
    known = {t.id for t in store.today_for(citizen_id=citizen_id)}
    for ticket_id, t in open_ids.items():
        if ticket_id in known or t.get("service") not in store.services:
            continue
        issued = datetime.fromisoformat(str(t["issued_at"]))
        counters = store.services[t["service"]].counters_text()
        store.record(ticket_id, t["service"], t["number"], ONLINE, citizen_id=citizen_id,
                     priority=bool(t.get("priority")), people_ahead=t.get("people_ahead"),
                     counters=counters, issued_at=issued, survey_url=qr_link(t))
        store.mark_ticket_sent(ticket_id)
    return store.today_for(citizen_id=citizen_id)


@dataclass
class RecognitionPlug:
    """The engine's ``identify_frame``, the citizen lookup, and how to release them."""

    identifier: Identifier | None
    citizen_lookup: CitizenLookup | None
    close: Callable[[], None]


@dataclass(frozen=True)
class KioskResult:
    """What the recognition process answers for one frame (picklable).

    The shape of ``recognition.types.IdentifyResult`` (``faces``, ``box`` as
    ``(top, right, bottom, left)`` pixels or None, ``reason``, ``match``) plus
    ``guest_key``: the same opaque key for the same unrecognised face all day.
    """

    faces: int
    box: tuple[int, int, int, int] | None
    reason: str | None
    match: Any = None
    guest_key: str | None = None
    timings_ms: dict[str, float] | None = None


class GuestMemory:
    """Today's unrecognised faces, in the recognition process's memory only.

    Gives a guest who comes back the same key (so asking again for a service reprints
    their number); nothing is written anywhere, and everything is forgotten when the day
    changes or the process ends. Encodings are 128-float vectors; ``threshold`` is the
    engine's match distance.
    """

    def __init__(self, threshold: float, max_guests: int = 5000, per_guest: int = 5,
                 today: Callable[[], date] = date.today) -> None:
        self.threshold, self.max_guests, self.per_guest = threshold, max_guests, per_guest
        self.today = today
        self._day = today()
        self._keys: list[str] = []
        self._vectors: list[np.ndarray] = []
        self._count: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._count)

    def key_for(self, encoding: np.ndarray) -> str:
        """The key of the guest this face belongs to, a new one for a new face."""
        import uuid

        import numpy as np

        if self.today() != self._day:
            self._day, self._keys, self._vectors, self._count = self.today(), [], [], {}
        vec = np.asarray(encoding, dtype=np.float32)
        if self._vectors:
            dist = np.linalg.norm(np.stack(self._vectors) - vec, axis=1)
            best = int(np.argmin(dist))
            if dist[best] <= self.threshold:
                key = self._keys[best]
                if self._count[key] < self.per_guest:
                    self._keys.append(key)
                    self._vectors.append(vec)
                    self._count[key] += 1
                return key
        if len(self._count) >= self.max_guests:  # a very busy day: forget the oldest
            oldest = self._keys[0]
            keep = [i for i, k in enumerate(self._keys) if k != oldest]
            self._keys = [self._keys[i] for i in keep]
            self._vectors = [self._vectors[i] for i in keep]
            del self._count[oldest]
        key = "g-" + uuid.uuid4().hex[:16]
        self._keys.append(key)
        self._vectors.append(vec)
        self._count[key] = 1
        return key


class KioskIdentifier:
    """``FaceEngine`` on a frame, plus a guest key for a good face that matches nobody."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.guests = GuestMemory(engine.settings.match_threshold)

    def __call__(self, frame_bgr: np.ndarray) -> KioskResult:
        import cv2

        s = self.engine.settings
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        analysis = self.engine.analyse(rgb, s.match_quality, s.match_jitters)
        box = analysis.box.as_tuple() if analysis.box is not None else None
        timings = dict(analysis.timings_ms)
        if analysis.encoding is None:
            reason = analysis.reason
            return KioskResult(analysis.faces, box, None if reason is None else str(reason),
                               None, None, timings)
        match, reason, _ = self.engine.match_encoding(analysis.encoding)
        reason_s = None if reason is None else str(reason)
        guest = self.guests.key_for(analysis.encoding) if reason_s == "unknown" else None
        return KioskResult(analysis.faces, box, reason_s, match, guest, timings)


def registry_identifier(ctx: KioskContext) -> Identifier:
    """The engine on the registry replica, with guest memory (runs in the child process)."""
    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    log.info("recognition: %d face template(s) loaded", len(registry.index))
    return KioskIdentifier(registry.engine)


def make_recognition(ctx: KioskContext, in_process: bool = False) -> RecognitionPlug:
    """The recognition engine on the local registry replica, in a child process.

    The GUI process keeps only the citizen lookup (a database read). Falls back to no
    recognition (tickets without faces) when the engine or the registry cannot be opened;
    the reason is logged, never raised. ``in_process=True`` runs the engine in this process
    (simpler to debug; the preview then stutters while dlib holds the GIL).
    """
    try:
        from kiosk.crypto import FaceCipher, load_or_create_key
        from kiosk.db import database_url, make_engine
        from kiosk.registry import RegistryStore
    except ImportError as exc:
        log.info("recognition engine not installed (%s): tickets are taken without faces", exc)
        return RecognitionPlug(None, None, lambda: None)
    try:
        key = load_or_create_key(ctx.path(ctx.settings.storage.key_file or "face.key"))
        db = make_engine(database_url(ctx.settings, ctx.data_dir))
        store = RegistryStore(db, FaceCipher(key))
        if in_process:
            identifier: Any = registry_identifier(ctx)
            closers: list[Callable[[], None]] = [db.dispose]
        else:
            from kiosk.ui.recognizer import ProcessIdentifier

            identifier = ProcessIdentifier(registry_identifier, ctx)
            closers = [identifier.close, db.dispose]
    except Exception as exc:
        log.warning("face recognition disabled: %s", exc)
        return RecognitionPlug(None, None, lambda: None)

    def lookup(citizen_id: int) -> CitizenInfo | None:
        try:
            info = store.get(citizen_id)
        except Exception:
            log.exception("citizen lookup failed")
            return None
        if info is None:
            return None
        group = info.priority_group if info.priority_group != "none" else None
        return CitizenInfo(info.id, info.display_name or info.full_name, info.date_of_birth,
                           group)

    def close() -> None:
        for c in closers:
            c()

    return RecognitionPlug(identifier, lookup, close)


@dataclass(frozen=True)
class PresenceResult:
    """The ``IdentifyResult`` shape without identity: faces, box, reason, no match."""

    faces: int
    box: tuple[int, int, int, int] | None
    reason: str | None
    match: None = None
    timings_ms: dict[str, float] | None = None


class PresenceDetector:
    """An ``Identifier`` that only finds faces (dlib HOG on a small copy), no identity.

    Gives the flow guidance ('no_face', 'several_faces', 'too_far') and reports a good
    single face as 'unknown'. Useful before the recognition engine is installed, for the
    demo and for measuring the UI under a busy recognition thread.
    """

    def __init__(self, width: int = 320, min_face_px: int = 80) -> None:
        self.width = width
        self.min_face_px = min_face_px
        self._detector: Any = None

    def __call__(self, frame_bgr: np.ndarray) -> PresenceResult:
        import cv2

        if self._detector is None:
            import dlib

            self._detector = dlib.get_frontal_face_detector()
        h, w = frame_bgr.shape[:2]
        scale = min(1.0, self.width / max(w, 1))
        small = cv2.resize(frame_bgr, (int(w * scale), int(h * scale))) if scale < 1 else \
            frame_bgr
        rects = self._detector(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), 1)
        boxes = [(int(r.top() / scale), int(r.right() / scale), int(r.bottom() / scale),
                  int(r.left() / scale)) for r in rects]
        if not boxes:
            return PresenceResult(0, None, "no_face")
        box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
        if len(boxes) > 1:
            return PresenceResult(len(boxes), box, "several_faces")
        if box[2] - box[0] < self.min_face_px:
            return PresenceResult(1, box, "too_far")
        return PresenceResult(1, box, "unknown")
