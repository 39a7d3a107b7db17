"""The kiosk app: routes camera, recognition, touches and timers to the flow, and carries
out the flow's effects (show a screen, issue, print, alert, switch language).

Threads: the camera and recognition workers are plain Python threads; issuing and printing
run on one worker thread each. Their results reach the GUI thread through an inbox (a
thread-safe queue) that a QTimer of ``KioskApp`` (a QObject living in the GUI thread)
empties every few milliseconds; the newest camera frame is read from the camera's slot on
the same timer, so a busy GUI skips frames instead of queueing them. The flow is only
touched in the GUI thread. No Python code calls ``Signal.emit()``: PySide 6.12.0's
``emit`` returns ``True`` without a reference, so every call from Python wears down
``True``'s reference count until the interpreter aborts (docs/kiosk-app.md).
"""

from __future__ import annotations

import importlib.metadata
import logging
import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Slot

from kiosk import flow
from kiosk.adapters.card_holders import CardHolder
from kiosk.adapters.card_scan import CardScanWorker
from kiosk.adapters.id_card_reader import CardScan
from kiosk.adapters.identification import CitizenLookup, Identifier
from kiosk.adapters.issuing import IssueError, Issuer
from kiosk.adapters.printing import Printer, PrintJob, PrintOutcome
from kiosk.adapters.recognition_worker import Recognition, RecognitionWorker
from kiosk.camera import CameraStatus, CameraWorker
from kiosk.events import EventLog
from kiosk.hours import hours_status
from kiosk.model import IssuedTicket, QueueFigures, RefusedUpload, Service, arrange_services
from kiosk.ui.window import KioskWindow

if TYPE_CHECKING:
    from config import Settings
    from kiosk.id_card import IdCardData
    from kiosk.staff.gate import StaffGate
    from kiosk.tickets import TicketStore
    from kiosk.ui.i18n import Translations

log = logging.getLogger(__name__)
try:
    KIOSK_VERSION: str | None = importlib.metadata.version("facekiosk")
except importlib.metadata.PackageNotFoundError:  # run from a tree that is not installed
    KIOSK_VERSION = None
TICK_MS = 200
PUMP_MS = 15
#: seconds between health reports when nothing changes (the console calls a kiosk silent
#: after 10 minutes without one)
HEALTH_EVERY_S = 120.0


@dataclass
class Parts:
    """What the app is built from; every part but ``store`` and ``issuer`` is optional."""

    store: TicketStore
    issuer: Issuer
    printer: Printer
    camera: CameraWorker | None = None
    identifier: Identifier | None = None
    citizen_lookup: CitizenLookup | None = None
    translations: Translations | None = None
    sync: Any = None  # kiosk.adapters.sync.SyncWorker: started and stopped with the app
    #: citizen_id -> today's tickets, fresher than the local store (asked of the server)
    open_tickets: Callable[[int], list[IssuedTicket]] | None = None
    #: reads a new ticket's number aloud (kiosk.adapters.speech.NumberSpeaker)
    speaker: Any = None
    staff: StaffGate | None = None  # staff login; None: staff mode unavailable
    #: sends the kiosk's health ({printer, camera, alerts}) to the server's console
    report_health: Callable[[dict[str, Any]], None] | None = None
    #: the events log (``<data dir>/logs/events.jsonl``): each step of a visit
    events: EventLog | None = None
    #: who holds a chip ID card read by the camera (kiosk.adapters.card_holders.CardHolders);
    #: None: the ID card path is off
    card_holders: Callable[[IdCardData], CardHolder] | None = None


class KioskApp(QObject):
    """Owns the flow and the window; lives in the GUI thread."""

    def __init__(self, settings: Settings, parts: Parts, services: list[Service],
                 clock: Any = time.monotonic,
                 wall_clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
                 ) -> None:
        super().__init__()
        self.settings = settings
        self.parts = parts
        self.clock = clock
        #: timezone-aware wall-clock time, for the opening hours
        self.wall_clock = wall_clock
        self.services = {s.code: s for s in services}
        self.flow = flow.CitizenFlow(settings.kiosk, services)
        self.window = KioskWindow(settings.kiosk.centre_name, settings.kiosk.technician_press_s)
        self.tile_order = (settings.kiosk.services_order, settings.kiosk.services_hidden)
        self._show_services()
        self.window.ctx.recognition = parts.identifier is not None and parts.camera is not None
        self.window.ctx.daily_cap = settings.kiosk.daily_ticket_cap
        self.window.ctx.id_card = parts.card_holders is not None and parts.camera is not None \
            and settings.kiosk.card_scan_per_s > 0
        self.window.on_action = self._on_action
        self.window.staff.gate = parts.staff
        self.window.staff.login_timeout_s = settings.kiosk.staff_login_timeout_s
        #: Called when the technician entered the right PIN (``run_app`` ends the loop).
        self.on_exit: Any = None
        #: Released by ``shutdown`` after the threads stopped (database, recognition process,
        #: HTTP client): set by whoever assembled the parts.
        self.closers: list[Any] = []
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.recognizer: RecognitionWorker | None = None
        self.card_scanner: CardScanWorker | None = None
        self._issue_pool = ThreadPoolExecutor(1, thread_name_prefix="issue")
        self._print_pool = ThreadPoolExecutor(1, thread_name_prefix="print")
        self._lookup_pool = ThreadPoolExecutor(1, thread_name_prefix="lookup")
        self._health_pool = ThreadPoolExecutor(1, thread_name_prefix="health")
        self._health_sent: tuple[Any, ...] | None = None
        self._health_at = float("-inf")
        self.alerts: list[flow.AlertStaff] = []
        #: tickets the server refused for good on upload (shown on the staff line)
        self.refused_uploads: list[RefusedUpload] = []
        self._staff_lines: dict[str, str] = {}
        self.last_recognition: Recognition | None = None
        self.quit_requested = False

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.pump = QTimer(self)
        self.pump.setInterval(PUMP_MS)
        self.pump.timeout.connect(self._pump)
        self._handlers = {
            "camera_status": self._on_camera_status, "recognised": self._on_recognised,
            "issued": self._on_issued, "printed": self._on_printed,
            "catalogue": self._on_catalogue, "open_tickets": self._on_open_tickets,
            "refused": self._on_refused, "card": self._on_card,
            "card_holder": self._on_card_holder, "figures": self._on_figures,
            "registry": lambda message: self._staff_line("registry", message),
        }

    # -- life cycle

    def start(self, ask_first_pin: bool = False) -> None:
        """Show idle, start the camera, recognition and the tick timer; with
        ``ask_first_pin`` (``kiosk run``), a kiosk with no technician PIN asks for one."""
        if self.parts.translations is not None:
            self.parts.translations.switch(self.flow.language)
        self._run(self.flow.reset(self.clock()))
        self._check_hours()  # closed at start: the closed screen before the camera runs
        if ask_first_pin and self.parts.staff is not None and self.parts.staff.needs_pin():
            self.window.show_pin()
        cam = self.parts.camera
        if cam is not None:
            cam.on_status = lambda status: self._inbox.put(("camera_status", status))
            self.window.set_camera_state(cam.status.state, cam.status.message)
            cam.start()
            if self.parts.identifier is not None:
                self.recognizer = RecognitionWorker(
                    cam, self.parts.identifier, lambda rec: self._inbox.put(("recognised", rec)))
                self.recognizer.start()
            if self.window.ctx.id_card:
                self.card_scanner = CardScanWorker(
                    cam, lambda scan: self._inbox.put(("card", scan)),
                    self.settings.kiosk.card_scan_per_s)
                self.card_scanner.start()
            self._pace_workers()
        else:
            self.window.set_camera_state("no camera", "camera off")
        try:
            for refused in self.parts.store.refused_uploads():
                self._on_refused(refused)
        except Exception:
            log.exception("cannot read the refused uploads")
        if self.parts.sync is not None:
            self.parts.sync.on_catalogue = lambda services: self._inbox.put(
                ("catalogue", services))
            self.parts.sync.on_refused = lambda refused: self._inbox.put(("refused", refused))
            self.parts.sync.on_registry = lambda msg: self._inbox.put(("registry", msg))
            self.parts.sync.on_figures = lambda figs: self._inbox.put(("figures", figs))
            self.parts.sync.start()
        self.timer.start()
        self.pump.start()

    def stop(self) -> None:
        """Stop every thread (the window stays)."""
        self.timer.stop()
        self.pump.stop()
        if self.parts.sync is not None:
            self.parts.sync.stop()
            self.parts.sync.join(timeout=2.0)  # a request in flight may outlive this; daemon
        if self.recognizer is not None:
            self.recognizer.stop()
        if self.card_scanner is not None:
            self.card_scanner.stop()
        if self.parts.camera is not None:
            self.parts.camera.stop()
        self._issue_pool.shutdown(wait=True)
        self._print_pool.shutdown(wait=True)
        self._lookup_pool.shutdown(wait=False, cancel_futures=True)
        self._health_pool.shutdown(wait=False, cancel_futures=True)
        if self.parts.translations is not None:
            self.parts.translations.uninstall()

    def shutdown(self) -> None:
        """``stop`` every thread, then release what the parts hold (``closers``)."""
        self.stop()
        for close in self.closers:
            try:
                close()
            except Exception:
                log.exception("releasing %r failed", close)

    # -- the pump: worker threads → GUI thread

    @Slot()
    def _pump(self) -> None:
        """Show the newest frame (if new) and handle what the workers left in the inbox."""
        cam = self.parts.camera
        frame = cam.latest() if cam is not None else None
        if frame is not None and frame.seq != self.window.preview.last_seq:
            self.window.show_frame(frame.image, frame.seq)
        for _ in range(50):
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                break
            try:
                self._handlers[kind](payload)
            except Exception:
                log.exception("handling %s failed", kind)

    def _on_catalogue(self, services: list[Service]) -> None:
        """A fresh catalogue from the server: the services screen shows it from now on."""
        if not services:
            return
        self.services = {s.code: s for s in services}
        self.flow.services = dict(self.services)
        self._show_services()

    def set_tile_order(self, order: list[str], hidden: list[str]) -> None:
        """The technician saved the services' order and hidden ones: the citizens' tiles
        follow at once (``kiosk.services_order`` / ``kiosk.services_hidden``)."""
        self.tile_order = (order, hidden)
        self._show_services()

    def _show_services(self) -> None:
        ordered, hidden = arrange_services(list(self.services.values()), *self.tile_order)
        self.window.ctx.services = {s.code: s for s in ordered}
        self.window.ctx.hidden_services = hidden
        if self.window.current == flow.CHOOSE_SERVICE:
            self.window.refresh()

    def _on_camera_status(self, status: CameraStatus) -> None:
        self.window.set_camera_state(status.state, f"{status.state}: {status.message}")

    # -- recognition

    def _on_recognised(self, rec: Recognition) -> None:
        self.last_recognition = rec
        event = flow.event_from_result(rec.result, self.clock())
        good = isinstance(event, flow.Identified | flow.Unknown)
        self.window.preview.set_face_box(rec.box, good)
        if isinstance(event, flow.Identified):
            event = self._with_citizen(event, rec.result)
        elif isinstance(event, flow.Unknown):
            event = self._with_guest(event, getattr(rec.result, "guest_key", None))
        self._handle(event)

    def _with_guest(self, event: flow.Unknown, guest_key: str | None) -> flow.Event:
        if guest_key is None:
            return event
        tickets = self._today(guest_key=guest_key)
        return replace(event, guest_key=guest_key, open_tickets=tuple(tickets),
                       tickets_today=len(tickets))

    def _today(self, **person: Any) -> list[IssuedTicket]:
        """Today's tickets of one person (``citizen_id=`` or ``guest_key=``); [] on error."""
        try:
            return self.parts.store.today_for(**person)
        except Exception:
            log.exception("cannot read today's tickets")
            return []

    def _with_citizen(self, event: flow.Identified, result: Any) -> flow.Event:
        citizen_id = int(result.match.citizen_id)
        lookup = self.parts.citizen_lookup
        citizen = lookup(citizen_id) if lookup is not None else None
        if citizen is None:  # deleted meanwhile, or the registry cannot be read
            return flow.Unknown(event.now)
        tickets = self._today(citizen_id=citizen_id)
        return replace(event, citizen=citizen, open_tickets=tuple(tickets),
                       tickets_today=len(tickets))

    # -- the chip ID card instead of the face

    def _pace_workers(self) -> None:
        """The card scanner looks only while nobody is being served (idle, guidance);
        face recognition pauses while a person is served by their ID card, so their face
        is not used, and while the kiosk is closed (no face is looked at)."""
        state = self.flow.state
        if self.card_scanner is not None:
            if state in (flow.IDLE, flow.GUIDANCE):
                self.card_scanner.active.set()
            else:
                self.card_scanner.active.clear()
        if self.recognizer is not None:
            if self.flow.session.card is not None or state == flow.CLOSED:
                self.recognizer.active.clear()
            else:
                self.recognizer.active.set()

    def _on_card(self, scan: CardScan) -> None:
        """The scanner saw a card (or a QR code that is none): look the holder up in a
        worker thread (it may ask the server)."""
        if self.flow.state not in (flow.IDLE, flow.GUIDANCE) or \
                self.window.current not in (flow.IDLE, flow.GUIDANCE):  # e.g. staff mode
            return
        if scan.card is None:
            if scan.problem is not None:
                self._handle(flow.NotACard(self.clock()))
            return
        self._lookup_pool.submit(self._look_up_card, scan.card)

    def _look_up_card(self, card: IdCardData) -> None:
        try:
            holder = self.parts.card_holders(card)  # type: ignore[misc]
        except Exception as exc:  # never the card's data in the log: the kind of failure only
            log.error("ID card look-up failed: %s", type(exc).__name__)
            return
        self._inbox.put(("card_holder", holder))

    def _on_card_holder(self, holder: CardHolder) -> None:
        self._handle(flow.CardRead(
            self.clock(), holder.citizen, holder.card_key, holder.name, holder.sex,
            holder.date_of_birth, holder.masked, holder.tickets, len(holder.tickets)))

    # -- touches

    def _on_action(self, name: str, value: object) -> None:
        now = self.clock()
        if name == "staff_exit":  # a technician confirmed leaving for the desktop
            log.warning("technician exit")
            self.quit_requested = True
            if self.on_exit is not None:
                self.on_exit()
            return
        if name == "staff_leave":
            self.window.leave_pin()
            return
        events = {
            "take_without_face": lambda: flow.TakeNumberWithoutFace(now),
            "continue": lambda: flow.Continue(now),
            "continue_guest": lambda: flow.ContinueAsGuest(now),
            "pick": lambda: flow.PickService(now, str(value)),
            "ask_priority": lambda: flow.AskPriority(now),
            "priority_yes": lambda: flow.ConfirmPriority(now, True),
            "priority_no": lambda: flow.ConfirmPriority(now, False),
            "show_my_tickets": lambda: flow.ShowMyTickets(now),
            "reprint": lambda: flow.Reprint(now, value if isinstance(value, str) else None),
            "done": lambda: flow.Done(now),
            "language": lambda: flow.SwitchLanguage(now, str(value)),
        }
        make = events.get(name)
        if make is not None:
            self._handle(make())

    @Slot()
    def _tick(self) -> None:
        self._check_hours()
        self._handle(flow.Tick(self.clock()))
        self._report_health()

    # -- opening hours

    def _check_hours(self) -> None:
        """Tell the flow when the centre (or a service) opens or closes, from the hours of
        the catalogue (``kiosk.hours``), so the closed screen comes and goes by itself."""
        status = hours_status(self.services.values(), self.wall_clock())
        if status != self.flow.hours:
            self._handle(flow.HoursChanged(self.clock(), status))

    def _on_figures(self, figures: QueueFigures | None) -> None:
        """The server's queue figures (people waiting, estimated wait) for the tiles; None
        when it could not be asked: the tiles then show none rather than old ones."""
        self.window.ctx.waiting = dict(figures.waiting) if figures else {}
        self.window.ctx.wait_min = dict(figures.wait_min) if figures else {}
        if self.window.current == flow.CHOOSE_SERVICE:
            self.window.refresh()

    # -- health: what staff must know reaches the server's console

    def health(self) -> dict[str, Any]:
        """The kiosk's health as reported to the server: problem codes and staff lines."""
        camera = self.window.ctx.camera_state
        return {"printer": self.window.ctx.printer_problem,
                "camera": None if camera in ("running", "starting") else camera[:32],
                "alerts": [line[:200] for line in self._staff_lines.values()][:10],
                "version": KIOSK_VERSION}

    def _report_health(self, force: bool = False) -> None:
        """Send the health when it changed, or every ``HEALTH_EVERY_S`` (worker thread)."""
        send = self.parts.report_health
        if send is None:
            return
        report = self.health()
        key = (report["printer"], report["camera"], tuple(report["alerts"]))
        now = self.clock()
        if not force and key == self._health_sent and now - self._health_at < HEALTH_EVERY_S:
            return
        self._health_sent, self._health_at = key, now

        def post() -> None:
            try:
                send(report)
            except Exception as exc:  # server down: the next change or period sends again
                log.info("health report not sent: %s", exc)
                self._health_sent = None
        self._health_pool.submit(post)

    # -- effects

    def _handle(self, event: flow.Event) -> None:
        before = self.flow.state
        try:
            effects = self.flow.handle(event)
        except Exception:  # a bug in a decision must not freeze the kiosk
            log.exception("flow failed on %s", type(event).__name__)
            effects = self.flow.reset(self.clock())
        if self.parts.events is not None:
            self.parts.events.flow_event(event, before, self.flow.state, effects)
        self._run(effects)
        if self.flow.state != before:
            self._pace_workers()
        if isinstance(event, flow.Identified) and self.flow.state == flow.IDENTIFIED and \
                event.citizen is not None and self.parts.open_tickets is not None:
            self._lookup_pool.submit(self._refresh_open, event.citizen.citizen_id)

    def _refresh_open(self, citizen_id: int) -> None:
        """Worker thread: ask for the citizen's tickets of today (e.g. from the server)."""
        try:
            tickets = self.parts.open_tickets(citizen_id)  # type: ignore[misc]
        except Exception as exc:  # server down: the local list stands
            log.info("open tickets of citizen %d not refreshed: %s", citizen_id, exc)
            return
        self._inbox.put(("open_tickets", (citizen_id, tickets)))

    def _on_open_tickets(self, payload: tuple[int, list[IssuedTicket]]) -> None:
        citizen_id, tickets = payload
        self._handle(flow.OpenTickets(self.clock(), citizen_id, tuple(tickets), len(tickets)))

    def _run(self, effects: list[flow.Effect]) -> None:
        for effect in effects:
            if isinstance(effect, flow.SetLanguage):
                if self.parts.translations is not None:
                    self.parts.translations.switch(effect.language)
            elif isinstance(effect, flow.ShowScreen):
                if effect.screen == flow.CHOOSE_SERVICE and self.parts.sync is None:
                    self._count_waiting()
                if self.window.current != "technician":
                    self.window.show_view(effect)
                else:
                    self.window.view = effect
            elif isinstance(effect, flow.IssueTicket):
                self._issue_pool.submit(self._issue, effect)
            elif isinstance(effect, flow.PrintTicket):
                self._print_pool.submit(self._print, effect)
            elif isinstance(effect, flow.AlertStaff):
                self.alerts.append(effect)
                log.warning("staff alert: %s (ticket %s)", effect.reason, effect.ticket_number)
                self._staff_line(
                    "printer", f"⚠ printer: {effect.reason} (ticket {effect.ticket_number})")

    def _count_waiting(self) -> None:
        """Standalone: people waiting and the estimated wait per service, from the kiosk's
        own queue (the wait only with ``kiosk.standalone_minutes_per_ticket``)."""
        try:
            figures = self.parts.store.queue_figures(
                self.settings.kiosk.standalone_minutes_per_ticket)
            self.window.ctx.waiting, self.window.ctx.wait_min = figures.waiting, figures.wait_min
        except Exception:
            log.exception("cannot count the waiting tickets")
            self.window.ctx.waiting, self.window.ctx.wait_min = {}, {}

    def _issue(self, request: flow.IssueTicket) -> None:
        try:
            result: object = self.parts.issuer(request)
        except IssueError as exc:
            result = exc
        except Exception as exc:  # server refused, no leased number left, a bug...
            log.warning("no ticket for service %s: %s", request.service, exc)
            result = IssueError("issue_failed")
        self._inbox.put(("issued", result))

    def _on_issued(self, result: object) -> None:
        now = self.clock()
        if isinstance(result, IssuedTicket):
            if self.parts.speaker is not None:
                self.parts.speaker.say(result.number)
            self._handle(flow.TicketIssued(now, result))
        else:
            if str(result) == flow.CLOSED_REFUSAL and self.parts.sync is not None:
                self.parts.sync.wake()  # the server says closed: fetch its hours now
            self._handle(flow.IssueFailed(now, str(result) or "issue_failed"))

    def _print(self, request: flow.PrintTicket) -> None:
        t = request.ticket
        service = self.services.get(t.service) or Service(t.service, "?", t.service, t.service)
        job = PrintJob(t, service, self.settings.kiosk.centre_name, request.language,
                       request.greeting_name)
        try:
            outcome = self.parts.printer(job)
        except Exception as exc:  # printers promise not to raise; be safe anyway
            outcome = PrintOutcome(False, "printer_error", str(exc)[:200])
        try:
            self.parts.store.mark_printed(t.id, outcome.ok, outcome.reason)
        except Exception:
            log.exception("cannot record the print state of %s", t.number)
        self._inbox.put(("printed", (t.id, outcome)))

    def _on_printed(self, payload: tuple[str, PrintOutcome]) -> None:
        ticket_id, outcome = payload
        if outcome.ok:
            self._staff_line("printer", None)  # the printer works again
        problem = None if outcome.ok else (outcome.reason or "printer_error")
        if problem != self.window.ctx.printer_problem:
            # The idle screen says it before the next citizen starts.
            self.window.ctx.printer_problem = problem
            if self.window.current == flow.IDLE:
                self.window.refresh()
        self._handle(flow.PrintFinished(self.clock(), ticket_id, outcome.ok, outcome.reason))

    # -- the staff line

    def _staff_line(self, kind: str, message: str | None) -> None:
        """Set (or clear, with None) one of the staff line's topics: 'printer', 'upload'."""
        if message:
            self._staff_lines[kind] = message
        else:
            self._staff_lines.pop(kind, None)
        self.window.set_staff_alert("\n".join(self._staff_lines.values()) or None)

    def _on_refused(self, refused: RefusedUpload) -> None:
        """The server refused a ticket for good: staff must sort it out at the server."""
        if any(r.ticket_id == refused.ticket_id for r in self.refused_uploads):
            return
        self.refused_uploads.append(refused)
        first = self.refused_uploads[0]
        more = len(self.refused_uploads) - 1
        tail = f" and {more} more" if more else ""
        self._staff_line("upload", f"⚠ server refused ticket {first.number}{tail}: "
                                   f"{first.reason[:120]}")


def data_path(data_dir: Path, name: str) -> Path:
    """A folder under the data dir, created."""
    p = data_dir / name
    p.mkdir(parents=True, exist_ok=True)
    return p
