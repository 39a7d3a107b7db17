"""The recognition worker: a plain thread that always identifies the newest camera frame.

It waits for a frame newer than the last one it looked at, runs the ``Identifier`` on its
region of interest and hands the result to ``on_result`` (called in this thread; the Qt app
forwards it to the GUI thread with a signal). Frames that arrive while the identifier is
busy are skipped, never queued. No Qt here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.camera import CameraWorker, Frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recognition:
    """One identifier result with the frame it came from.

    ``box`` is ``(top, right, bottom, left)`` in full-frame pixels (the ROI offset added),
    or None; ``elapsed_ms`` is the identifier's wall time.
    """

    result: Any
    frame_seq: int
    frame_time: float
    box: tuple[int, int, int, int] | None
    elapsed_ms: float


class RecognitionWorker:
    """Runs ``identifier(roi_bgr)`` on the latest frame, as fast as it can go."""

    def __init__(self, camera: CameraWorker, identifier: Callable[[Any], Any],
                 on_result: Callable[[Recognition], None]) -> None:
        self.camera = camera
        self.identifier = identifier
        self.on_result = on_result
        self.active = threading.Event()
        self.active.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processed = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="recognition", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the thread; an identifier with ``close()`` is closed first to unblock it."""
        self._stop.set()
        self.active.set()
        close = getattr(self.identifier, "close", None)
        if callable(close):
            close()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("recognition thread did not stop within %.1f s", timeout)

    def _identify(self, frame: Frame) -> Recognition:
        top, _right, _bottom, left = frame.roi
        started = time.perf_counter()
        result = self.identifier(frame.roi_image())
        elapsed = (time.perf_counter() - started) * 1000
        box = getattr(result, "box", None)
        if box is not None:
            if hasattr(box, "as_tuple"):  # recognition.types.FaceBox
                box = box.as_tuple()
            t, r, b, l_ = box
            box = (t + top, r + left, b + top, l_ + left)
        return Recognition(result, frame.seq, frame.timestamp, box, elapsed)

    def _run(self) -> None:
        last = 0
        while not self._stop.is_set():
            if not self.active.wait(0.5):
                continue
            frame = self.camera.wait_newer(last, timeout=0.5)
            if frame is None or self._stop.is_set():
                continue
            last = frame.seq
            try:
                rec = self._identify(frame)
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("identifier failed on frame %d", frame.seq)
                time.sleep(0.2)
                continue
            self.processed += 1
            try:
                self.on_result(rec)
            except Exception:
                log.exception("recognition result handler failed")


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
    importable (picklable) and is called in the child; the first call waits until the
    child is ready. A child that dies is started again on a later call (after 5 s).
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
        self._spawn()

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
                if time.monotonic() - self._failed_at < self.RESTART_S:
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
