"""Identification: a camera frame in, who it is (or why not) out, in a child process.

- ``KioskIdentifier``: the engine's own ``FaceEngine.identify_frame`` plus a guest key
  (``recognition.guests.GuestMemory``) for a good face that matches nobody; answers a
  picklable ``KioskResult`` (never the encoding).
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

from kiosk.model import CitizenInfo
from recognition.guests import GuestMemory

if TYPE_CHECKING:
    import numpy as np

    from kiosk.context import KioskContext
    from kiosk.registry import RegistryStore

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


class KioskIdentifier:
    """``FaceEngine.identify_frame`` on a frame, plus a guest key for a good face that
    matches nobody (the engine's path, so the benchmarks measure what the kiosk runs)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.guests = GuestMemory(engine.settings.match_threshold)

    def __call__(self, frame_bgr: np.ndarray) -> KioskResult:
        result = self.engine.identify_frame(frame_bgr)
        box = result.box.as_tuple() if result.box is not None else None
        reason = None if result.reason is None else str(result.reason)
        guest = None
        if reason == "unknown" and result.encoding is not None:
            guest = self.guests.key_for(result.encoding)
        return KioskResult(result.faces, box, reason, result.match, guest,
                           dict(result.timings_ms))


def registry_identifier(ctx: KioskContext) -> Identifier:
    """The engine on the registry replica, with guest memory (runs in the child process,
    which opens its own connection to the database: one per process)."""
    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    log.info("recognition: %d face template(s) loaded", len(registry.index))
    return KioskIdentifier(registry.engine)


def citizen_lookup(store: RegistryStore) -> CitizenLookup:
    """``citizen_id -> CitizenInfo`` read from the registry replica; None when unknown or
    unreadable (logged)."""

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
                           group, address_as=info.display_name or None)

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

    return RecognitionPlug(identifier, citizen_lookup(store), close)


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

    def close(self) -> None:
        """Stop the child process (a call waiting for it fails at once)."""
        self._closed = True
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.terminate()  # a thread waiting in recv() gets EOFError and lets go
            proc.join(2.0)
        with self._lock:
            self._kill()
