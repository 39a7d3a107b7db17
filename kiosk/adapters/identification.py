"""Identification: a camera frame in, who it is (or why not) out, in a child process.

- ``KioskIdentifier``: the engine's own ``FaceEngine.identify_frame`` plus a guest key
  (``recognition.guests.GuestMemory``) for a good face that matches nobody, and the
  liveness check of the face session (``recognition.liveness.LivenessTracker``); answers
  a picklable ``KioskResult`` (never the encoding, never an image).
- ``ProcessIdentifier``: runs an identifier in a child process, so dlib never holds the
  GUI process's GIL.
- ``make_recognition``: both, on the registry replica, with the citizen lookup the flow
  uses (a database read in this process).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.adapters.refusals import RefusalLog, face_crop
from kiosk.model import CitizenInfo
from recognition import antispoof
from recognition.face_tracks import box_iou
from recognition.guests import GuestMemory
from recognition.liveness import LivenessTracker

if TYPE_CHECKING:
    import numpy as np

    from config.liveness import LivenessSettings
    from kiosk.context import KioskContext
    from kiosk.registry import RegistryStore
    from kiosk.replica import SeenLog
    from recognition.types import FaceBox

log = logging.getLogger(__name__)

#: ``frame_bgr -> result`` with the shape of ``recognition.types.IdentifyResult``
#: (``faces``, ``box``, ``reason``, ``match``).
Identifier = Callable[["np.ndarray"], Any]
#: ``citizen_id -> CitizenInfo | None`` (from the registry replica).
CitizenLookup = Callable[[int], CitizenInfo | None]


@dataclass
class RecognitionPlug:
    """The engine's ``identify_frame``, the citizen lookup, and how to release them."""

    identifier: Identifier | None
    citizen_lookup: CitizenLookup | None
    close: Callable[[], None]
    #: start the engine again with new settings (a ``KioskContext``); no-op in-process
    restart: Callable[[Any], None] = lambda ctx: None


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
    #: the face session's liveness: None (check off, or no face), "pending", "live",
    #: "spoof" or "unsure". The flow greets a ``match`` only when it is None or "live".
    liveness: str | None = None
    #: faces refused by the liveness check today (None when the check is off)
    refusals_today: int | None = None


#: Frames without the face after which its session (and liveness window) ends.
SESSION_MISSED_FRAMES = 5
#: A box overlapping the session's last box less than this starts a new session, unless
#: it only drifted (see ``same_face``).
SESSION_MIN_IOU = 0.3
#: Drift still counted as the same face: centre moved at most this fraction of the box
#: width, size changed by at most ``SESSION_MAX_SCALE`` times.
SESSION_MAX_SHIFT = 0.5
SESSION_MAX_SCALE = 1.5
PENDING = "pending"
REFUSED = ("spoof", "unsure")


def same_face(last: FaceBox, box: FaceBox) -> bool:
    """Whether ``box`` continues the face last seen at ``last`` (pixels, same frame size).

    IoU >= ``SESSION_MIN_IOU`` as in ``recognition.face_tracks``, or a drift: the
    recognition process sees only 3-10 frames a second, and a citizen stepping up moves the
    box by a third of its width between two of them (IoU 0.29 measured on the clip), which
    must not restart the liveness window. A jump elsewhere or a much larger or smaller
    face is a new session.
    """
    if box_iou(last, box) >= SESSION_MIN_IOU:
        return True
    (lx, ly), (x, y) = last.center, box.center
    size = max(last.width, 1)
    scale = box.width / size
    return (abs(x - lx) <= SESSION_MAX_SHIFT * size and abs(y - ly) <= SESSION_MAX_SHIFT * size
            and 1 / SESSION_MAX_SCALE <= scale <= SESSION_MAX_SCALE)


@dataclass
class FaceSession:
    """One citizen face followed over frames: its liveness tracker and what it matched."""

    tracker: LivenessTracker
    last_box: FaceBox
    missed: int = 0
    matched: bool = False
    counted: bool = False
    failed: bool = False


class KioskIdentifier:
    """``FaceEngine.identify_frame`` on a frame, plus a guest key for a good face that
    matches nobody (the engine's path, so the benchmarks measure what the kiosk runs), and
    the liveness of the face session.

    ``liveness`` (``config.liveness.LivenessSettings``) None or mode "off": no check, the
    result's ``liveness`` stays None (the kiosk greets as before). Otherwise one
    ``LivenessTracker`` per face session, updated on every frame with a face (also frames
    under quality guidance); a session ends when the face is missing for
    ``SESSION_MISSED_FRAMES`` frames or its box jumps (``same_face``). A match
    refused by the check gets a guest key, so the person can go on as a guest; the refusal
    is counted once per session in ``refusals``. ``clock`` gives seconds (monotonic).
    """

    def __init__(self, engine: Any, liveness: LivenessSettings | None = None,
                 refusals: RefusalLog | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 before: Callable[[], Any] | None = None) -> None:
        self.engine = engine
        #: called before each frame (the registry replica's changes, applied in place)
        self.before = before
        self.guests = GuestMemory(engine.settings.match_threshold)
        self.liveness = liveness if liveness is not None and liveness.mode != "off" else None
        self.refusals = refusals
        self.clock = clock
        self.session: FaceSession | None = None
        self.sessions = 0
        self._refusals_today = refusals.today_count() if refusals is not None else 0
        self._refusals_day = refusals.today() if refusals is not None else None

    def __call__(self, frame_bgr: np.ndarray) -> KioskResult:
        if self.before is not None:
            self.before()
        result = self.engine.identify_frame(frame_bgr)
        box = result.box.as_tuple() if result.box is not None else None
        reason = None if result.reason is None else str(result.reason)
        started = time.perf_counter()
        verdict = self._liveness(frame_bgr, result)
        timings = dict(result.timings_ms)
        if self.liveness is not None:
            timings["liveness"] = (time.perf_counter() - started) * 1000
        guest = None
        refused = result.match is not None and verdict in REFUSED
        if (reason == "unknown" or refused) and result.encoding is not None:
            guest = self.guests.key_for(result.encoding)
        return KioskResult(result.faces, box, reason, result.match, guest, timings, verdict,
                           None if self.liveness is None else self._today_count())

    def _today_count(self) -> int:
        """Refusals of today; read again from the counter file when the day changed."""
        if self.refusals is not None and self.refusals.today() != self._refusals_day:
            self._refusals_day = self.refusals.today()
            self._refusals_today = self.refusals.today_count()
        return self._refusals_today

    def _liveness(self, frame_bgr: np.ndarray, result: Any) -> str | None:
        """Update the face session with this frame; its verdict (None: check off/no face)."""
        if self.liveness is None:
            return None
        box: FaceBox | None = result.box
        s = self.session
        if box is None:
            if s is not None:
                s.missed += 1
                if s.missed >= SESSION_MISSED_FRAMES:
                    self.session = None
            return None
        if s is None or not same_face(s.last_box, box):
            s = self.session = FaceSession(LivenessTracker(self.liveness), box)
            self.sessions += 1
        s.last_box, s.missed = box, 0
        s.matched = s.matched or result.match is not None
        verdict = self._update(s, frame_bgr, box, result.landmarks)
        if verdict in REFUSED and s.matched and not s.counted:
            s.counted = True
            self._count_refusal(s, verdict, frame_bgr, box)
        return verdict

    def _update(self, s: FaceSession, frame_bgr: np.ndarray, box: FaceBox,
                landmarks: np.ndarray | None) -> str:
        if s.failed:
            return "unsure"
        if s.tracker.result is None and landmarks is not None:
            try:
                s.tracker.update(frame_bgr, box, landmarks, self.clock())
            except Exception:  # fail closed: without the check nobody is greeted by name
                log.exception("liveness check failed: the face is not recognised")
                s.failed = True
                return "unsure"
        decided = s.tracker.result
        return PENDING if decided is None else decided.verdict.value

    def _count_refusal(self, s: FaceSession, verdict: str, frame_bgr: np.ndarray,
                       box: FaceBox) -> None:
        if self.refusals is None:
            self._refusals_today += 1
            return
        decided = s.tracker.result
        crop = face_crop(frame_bgr, box.as_tuple()) \
            if self.refusals.settings.keep_refused_images else None
        self._refusals_today = self.refusals.record(
            verdict, decided.reason if decided else "liveness check failed",
            decided.score if decided else None, crop)


def registry_identifier(ctx: KioskContext) -> Identifier:
    """The engine on the registry replica, with guest memory (runs in the child process,
    which opens its own connection to the database: one per process)."""
    # Changes made while the index loads are applied too: registry pulls (with a server)
    # and the staff screens' enrolments and erasures (both write registry_local_changes).
    from kiosk.db import database_url
    from kiosk.enrolment import Registry
    from kiosk.replica import last_seq
    from kiosk.schema import make_engine

    engine = make_engine(database_url(ctx.settings, ctx.data_dir))
    seq = last_seq(engine)
    engine.dispose()
    registry = Registry(ctx)
    log.info("recognition: %d face template(s) loaded; threshold %.3f (%s)",
             len(registry.index), registry.threshold.threshold, registry.threshold.note)
    liveness = ctx.settings.liveness
    if liveness.mode != "off":
        try:
            antispoof.warm_up()
        except Exception as exc:  # the tracker fails closed on every face (logged there)
            log.error("liveness networks cannot be loaded: %s", exc)
    refusals = RefusalLog(ctx.data_dir, liveness)
    from kiosk.replica import ReplicaFollower

    follower = ReplicaFollower(registry.store, registry.index, seq)
    last = [0.0]

    def follow() -> None:
        """The app process changed the registry (a sync, an enrolment or erasure on the
        staff screens): apply it here, in place, at most twice a second."""
        now = time.monotonic()
        if now - last[0] < 0.5:
            return
        last[0] = now
        try:
            if follower.refresh():
                choice = registry.engine.fit_threshold()
                log.info("recognition: %d face template(s) after a registry sync; threshold "
                         "%.3f (%s)", len(registry.index), choice.threshold, choice.note)
        except Exception:
            log.exception("registry changes not applied to the index (tried again)")

    return KioskIdentifier(registry.engine, liveness, refusals, before=follow)


def citizen_lookup(store: RegistryStore, seen: SeenLog | None = None) -> CitizenLookup:
    """``citizen_id -> CitizenInfo`` read from the registry replica; None when unknown or
    unreadable (logged). The app looks a citizen up when it is about to greet them (a live
    match), so ``seen`` writes the recognition down there for the server's ``last_seen``."""

    def lookup(citizen_id: int) -> CitizenInfo | None:
        try:
            info = store.get(citizen_id)
        except Exception:
            log.exception("citizen lookup failed")
            return None
        if info is None:
            return None
        if seen is not None:
            try:
                seen.note(citizen_id)
            except Exception:
                log.exception("recognition not written down for the server's last_seen")
        group = info.priority_group if info.priority_group != "none" else None
        return CitizenInfo(info.id, info.display_name or info.full_name, info.date_of_birth,
                           group, sex=info.sex, address_as=info.display_name or None)

    return lookup


def make_recognition(ctx: KioskContext, store: RegistryStore,
                     in_process: bool = False) -> RecognitionPlug:
    """The recognition engine on the local registry replica, in a child process.

    ``store`` is the registry the app opened (this process keeps only the citizen lookup,
    a database read). Falls back to no recognition (tickets without faces) when the engine
    cannot be started; the reason is logged, never raised. ``in_process=True`` runs the
    engine in this process (simpler to debug; the preview then stutters while dlib holds
    the GIL).
    """
    try:
        if in_process:
            identifier: Any = registry_identifier(ctx)
            closers: list[Callable[[], None]] = []
        else:
            identifier = ProcessIdentifier(registry_identifier, ctx)
            closers = [identifier.close]
    except Exception as exc:
        log.warning("face recognition disabled: %s", exc)
        return RecognitionPlug(None, None, lambda: None)

    def close() -> None:
        for c in closers:
            c()

    from kiosk.replica import SeenLog

    # Recognitions are reported to the server only by a kiosk that replicates its registry.
    seen = SeenLog(store.engine) if ctx.settings.sync.server_url else None

    def restart(new_ctx: KioskContext) -> None:
        if isinstance(identifier, ProcessIdentifier):
            identifier.restart(new_ctx)
        else:
            log.info("recognition settings apply at the next start (engine in process)")

    return RecognitionPlug(identifier, citizen_lookup(store, seen), close, restart)


def _serve(conn: Any, factory: Callable[..., Callable[[Any], Any]], args: tuple) -> None:
    """Child process: build the identifier, then answer one frame at a time."""
    if not logging.getLogger().handlers:  # a spawned child starts with no logging set up
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        identifier = factory(*args)
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            frame = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if frame is None:
            return
        try:
            conn.send(("ok", identifier(frame)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class ProcessIdentifier:
    """An identifier run in a child process, so its C code never holds this process's GIL.

    dlib keeps Python's GIL while it detects and encodes (tens to hundreds of ms per
    frame); in the GUI process that would stall the preview. ``factory(*args)`` must be
    importable (picklable) and is called in the child. The child starts on the first call
    (a kiosk without a camera never starts it) and that call waits until it is ready. A
    child that dies is started again on a later call (after 5 s).
    """

    RESTART_S = 5.0

    def __init__(self, factory: Callable[..., Callable[[Any], Any]], *args: Any) -> None:
        self.factory, self.args = factory, args
        self._conn: Any = None
        self._proc: Any = None
        self._ready = False
        self._failed_at = 0.0
        self._closed = False
        self._lock = threading.Lock()

    def _spawn(self) -> None:
        import multiprocessing

        mp = multiprocessing.get_context("spawn")
        self._conn, child = mp.Pipe()
        self._proc = mp.Process(target=_serve, args=(child, self.factory, self.args),
                                name="kiosk-recognition", daemon=True)
        self._proc.start()
        child.close()
        self._ready = False

    def _fail(self, message: str) -> RuntimeError:
        self._failed_at = time.monotonic()
        self._kill()
        return RuntimeError(f"recognition process: {message}")

    def __call__(self, frame: Any) -> Any:
        with self._lock:
            if self._closed:
                raise RuntimeError("recognition process is closed")
            if self._proc is None:
                if self._failed_at and time.monotonic() - self._failed_at < self.RESTART_S:
                    raise RuntimeError("recognition process is restarting")
                self._spawn()
            try:
                if not self._ready:
                    kind, value = self._conn.recv()
                    if kind != "ready":
                        raise self._fail(str(value))
                    self._ready = True
                self._conn.send(frame)
                kind, value = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                raise self._fail(f"stopped ({exc or 'no answer'})") from None
            if kind != "ok":
                raise RuntimeError(f"identifier failed: {value}")
            return value

    def _kill(self) -> None:
        if self._proc is None:
            return
        if self._proc.is_alive():
            try:
                self._conn.send(None)
            except (OSError, BrokenPipeError, ValueError):
                pass
            self._proc.join(2.0)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(2.0)
        self._conn.close()
        self._proc = None

    def restart(self, *args: Any) -> None:
        """Stop the child; the next call starts it again with ``factory(*args)`` (new
        settings: the engine reloads the registry and its models)."""
        with self._lock:
            self.args = args
            self._kill()
            self._failed_at = 0.0

    def close(self) -> None:
        """Stop the child process (a call waiting for it fails at once)."""
        self._closed = True
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.terminate()  # a thread waiting in recv() gets EOFError and lets go
            proc.join(2.0)
        with self._lock:
            self._kill()
