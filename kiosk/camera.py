"""The kiosk camera: sources behind one small base class, and a worker thread.

A source gives raw BGR frames (``numpy.ndarray`` of shape ``(height, width, 3)``, uint8):
a device index, an RTSP/HTTP URL, a video file (looping, paced at its own frame rate) or a
folder of images (sorted, looping, paced). ``CameraWorker`` reads a source in a plain
Python thread, applies the technician's rotation and mirror, and keeps only the newest
frame in a lock-protected slot; consumers (the UI preview, the recognition worker) read
that slot and never see a backlog. A source that fails is reopened with exponential
backoff; every change of state is reported through a callback as a ``CameraStatus``.
``pause`` releases the source (the technician's preview may then open the same device)
until ``resume``; ``reconfigure`` applies new camera settings while running (rotation,
mirror and region of interest at once; a new source or size by reopening).

Each source kind declares what ``camera.source`` text it accepts (``accepts``) and how to
build itself from it (``from_spec``); defining the class registers it in ``SOURCE_KINDS``,
and ``make_source`` asks the kinds in ``precedence`` order. A new kind is one class.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

    from config.camera import CameraSettings

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
FOLDER_DEFAULT_FPS = 5.0
STARTING = "starting"
RUNNING = "running"
RECONNECTING = "reconnecting"
NO_CAMERA = "no camera"
PAUSED = "paused"
STOPPED = "stopped"


class CameraError(Exception):
    """A camera source cannot be opened or read; the message says what to check."""


def _cv2() -> Any:
    import cv2

    return cv2


# --------------------------------------------------------------------------- sources

#: The registered source kinds by name, filled as each ``CameraSource`` subclass that
#: sets ``kind`` is defined.
SOURCE_KINDS: dict[str, type[CameraSource]] = {}


class CameraSource(ABC):
    """One place frames come from. ``open`` then ``read`` until it returns None.

    A kind reachable from ``camera.source`` sets ``kind``, ``accepted`` (what it accepts,
    for people) and ``precedence`` (lower is asked first), and implements ``accepts`` and
    ``from_spec``.
    """

    #: Seconds between frames when the worker must pace the source itself (files,
    #: folders); None when ``read`` blocks until the next frame (devices, streams).
    frame_interval: float | None = None
    #: Name of the kind ('device'); empty: not selectable from ``camera.source``.
    kind: ClassVar[str] = ""
    #: What ``camera.source`` text selects this kind, for people.
    accepted: ClassVar[str] = ""
    #: Kinds are asked in increasing precedence; the first that accepts wins.
    precedence: ClassVar[int] = 100

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind", "")
        if not kind:
            return
        known = SOURCE_KINDS.get(kind)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"camera source kind {kind!r} is taken by {known.__qualname__}")
        SOURCE_KINDS[kind] = cls

    @classmethod
    def accepts(cls, spec: str) -> bool:
        """True when ``spec`` (stripped ``camera.source`` text) names a source of this kind."""
        return False

    @classmethod
    def from_spec(cls, spec: str, settings: CameraSettings | None) -> CameraSource:
        """The source ``spec`` names (not yet opened); ``settings`` give size and pacing."""
        raise NotImplementedError(f"{cls.__name__} cannot be built from camera.source")

    @property
    @abstractmethod
    def name(self) -> str:
        """Short description for status messages (never contains credentials)."""

    @abstractmethod
    def open(self) -> None:
        """Open the source; raise ``CameraError`` with a clear message if it cannot."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next BGR frame ``(h, w, 3)`` uint8, or None when the source failed."""

    def close(self) -> None:  # noqa: B027 - optional for sources holding nothing
        """Release the source; safe to call twice."""


class _CaptureSource(CameraSource):
    """Shared code of the sources backed by ``cv2.VideoCapture``."""

    def __init__(self) -> None:
        self._cap: Any = None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        return frame if ok and frame is not None else None


class DeviceSource(_CaptureSource):
    """A camera device by index (``/dev/video<index>`` on Linux)."""

    kind = "device"
    accepted = "a device index (0, 1...), or 'auto' / empty for device 0"
    precedence = 10

    def __init__(self, index: int, width: int = 0, height: int = 0) -> None:
        super().__init__()
        self.index, self.width, self.height = index, width, height

    @classmethod
    def accepts(cls, spec: str) -> bool:
        return spec in ("", "auto") or spec.isdigit()

    @classmethod
    def from_spec(cls, spec: str, settings: CameraSettings | None) -> DeviceSource:
        index = int(spec) if spec.isdigit() else 0
        if settings is None:
            return cls(index)
        return cls(index, settings.width, settings.height)

    @property
    def name(self) -> str:
        return f"camera device {self.index}"

    def open(self) -> None:
        cv2 = _cv2()
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"{self.name} cannot be opened: check the cable, or set "
                              "camera.source")
        if self.width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        if self.height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        self._cap = cap


def _mask_url(url: str) -> str:
    """The URL without a password (``rtsp://user:***@host/...``)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    creds, _, host = rest.partition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


class StreamSource(_CaptureSource):
    """An RTSP or HTTP(S) stream (IP camera), opened through FFmpeg with timeouts."""

    kind = "stream"
    accepted = "a URL (rtsp://, http://, https://...)"
    precedence = 20

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        super().__init__()
        self.url, self.timeout_s = url, timeout_s

    @classmethod
    def accepts(cls, spec: str) -> bool:
        return "://" in spec

    @classmethod
    def from_spec(cls, spec: str, settings: CameraSettings | None) -> StreamSource:
        return cls(spec)

    @property
    def name(self) -> str:
        return f"stream {_mask_url(self.url)}"

    def open(self) -> None:
        cv2 = _cv2()
        ms = int(self.timeout_s * 1000)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
        cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, params)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"{self.name} does not answer: check the address and the network")
        self._cap = cap


class VideoFileSource(_CaptureSource):
    """A video file played in a loop at its own frame rate (or ``fps`` when given)."""

    kind = "video file"
    accepted = "any other path: a video file (checked when opened)"
    precedence = 1000  # the fallback

    def __init__(self, path: str | Path, fps: float = 0.0) -> None:
        super().__init__()
        self.path, self.fps = Path(path), fps

    @classmethod
    def accepts(cls, spec: str) -> bool:
        return bool(spec)

    @classmethod
    def from_spec(cls, spec: str, settings: CameraSettings | None) -> VideoFileSource:
        return cls(spec, settings.file_fps if settings else 0.0)

    @property
    def name(self) -> str:
        return f"video file {self.path}"

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraError(f"{self.name} does not exist: check camera.source")
        cv2 = _cv2()
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"{self.name} cannot be decoded: is it a video?")
        native = cap.get(cv2.CAP_PROP_FPS) or 0.0
        rate = self.fps or (native if 1.0 <= native <= 240.0 else 25.0)
        self.frame_interval = 1.0 / rate
        self._cap = cap

    def read(self) -> np.ndarray | None:
        frame = super().read()
        if frame is None and self._cap is not None:
            # End of the file: start again from the first frame.
            self._cap.set(_cv2().CAP_PROP_POS_FRAMES, 0)
            frame = super().read()
        return frame


class ImageFolderSource(CameraSource):
    """The images of a folder and its subfolders in path order, looping, at ``fps`` frames
    per second.

    Unreadable files are skipped; the folder is listed again at every loop, so photos
    added while the kiosk runs are picked up.
    """

    kind = "image folder"
    accepted = "an existing folder of images"
    precedence = 30

    def __init__(self, path: str | Path, fps: float = 0.0) -> None:
        self.path = Path(path)
        self.frame_interval = 1.0 / (fps or FOLDER_DEFAULT_FPS)
        self._files: list[Path] = []
        self._pos = 0

    @classmethod
    def accepts(cls, spec: str) -> bool:
        return Path(spec).is_dir()

    @classmethod
    def from_spec(cls, spec: str, settings: CameraSettings | None) -> ImageFolderSource:
        return cls(spec, settings.file_fps if settings else 0.0)

    @property
    def name(self) -> str:
        return f"image folder {self.path}"

    def _list(self) -> list[Path]:
        try:
            return sorted(p for p in self.path.rglob("*")
                          if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        except OSError:
            return []

    def open(self) -> None:
        self._files = self._list()
        self._pos = 0
        if not self._files:
            raise CameraError(f"{self.name} holds no images (.jpg, .png...): check "
                              "camera.source")

    def read(self) -> np.ndarray | None:
        cv2 = _cv2()
        for _ in range(len(self._files)):
            if self._pos >= len(self._files):
                self._files, self._pos = self._list(), 0
                if not self._files:
                    return None
            path = self._files[self._pos]
            self._pos += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            log.warning("camera: skipping unreadable image %s", path.name)
        return None


def source_kinds() -> list[type[CameraSource]]:
    """The registered source kinds in the order ``make_source`` asks them."""
    return sorted(SOURCE_KINDS.values(), key=lambda k: (k.precedence, k.kind))


def make_source(spec: str, settings: CameraSettings | None = None) -> CameraSource:
    """The source named by ``spec``: the first registered kind (in precedence order) that
    accepts it; by default 'auto', a device index, a URL, a folder or a video file.
    ``CameraError`` listing what each kind accepts when none does."""
    spec = spec.strip()
    for kind in source_kinds():
        if kind.accepts(spec):
            return kind.from_spec(spec, settings)
    known = "; ".join(f"{k.kind}: {k.accepted}" for k in source_kinds())
    raise CameraError(f"camera.source {spec!r} names no known source ({known})")


# --------------------------------------------------------------------------- frames


@dataclass(frozen=True)
class Frame:
    """One transformed camera frame and where it came from.

    ``image`` is BGR ``(h, w, 3)`` uint8 after rotation and mirror; ``roi`` is the region
    of interest in its pixels as ``(top, right, bottom, left)``; ``seq`` counts frames from
    1 since the worker started; ``timestamp`` is ``time.monotonic()`` seconds at capture.
    """

    image: np.ndarray
    seq: int
    timestamp: float
    roi: tuple[int, int, int, int]

    def roi_image(self) -> np.ndarray:
        """The region of interest as a view of ``image`` (no copy)."""
        top, right, bottom, left = self.roi
        return self.image[top:bottom, left:right]


@dataclass(frozen=True)
class Transform:
    """Rotation (clockwise degrees), mirror and region of interest (fractions)."""

    rotation: int = 0
    mirror: bool = False
    roi: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # left, top, right, bottom

    @classmethod
    def from_settings(cls, s: CameraSettings) -> Transform:
        return cls(s.rotation, s.mirror, (s.roi_left, s.roi_top, s.roi_right, s.roi_bottom))

    def apply(self, image: np.ndarray) -> np.ndarray:
        """Rotate then mirror a BGR frame."""
        cv2 = _cv2()
        if self.rotation == 90:
            image = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
        elif self.rotation == 180:
            image = cv2.rotate(image, cv2.ROTATE_180)
        elif self.rotation == 270:
            image = cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
        if self.mirror:
            image = cv2.flip(image, 1)
        return image

    def roi_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The region of interest in pixels of a ``width`` x ``height`` frame (t, r, b, l)."""
        left, top, right, bottom = self.roi
        l_px, r_px = int(round(left * width)), int(round(right * width))
        t_px, b_px = int(round(top * height)), int(round(bottom * height))
        return t_px, max(r_px, l_px + 1), max(b_px, t_px + 1), l_px


# --------------------------------------------------------------------------- worker


@dataclass(frozen=True)
class CameraStatus:
    """What the camera is doing, for the screen and the technician.

    ``state`` is 'starting' (before the first attempt), 'running', 'reconnecting' (was
    running, lost, being reopened), 'no camera' (never opened so far), 'paused' (source
    released until ``resume``) or 'stopped';
    ``retries`` counts failed opens in a row; ``message`` is one line for a technician.
    """

    state: str
    message: str
    retries: int = 0
    source: str = ""


@dataclass
class _Slot:
    frame: Frame | None = None
    cond: threading.Condition = field(default_factory=threading.Condition)


class CameraWorker:
    """Reads a source in a thread and keeps only the newest frame.

    ``latest()`` returns the newest ``Frame`` at once; ``wait_newer(seq, timeout)`` waits
    for a frame newer than ``seq``. Neither queues: a slow consumer skips frames.
    ``on_status`` is called from the worker thread with a ``CameraStatus`` on every change;
    ``on_frame`` (optional) with every new ``Frame``; both must return quickly.
    """

    def __init__(
        self,
        settings: CameraSettings,
        source: CameraSource | None = None,
        on_status: Callable[[CameraStatus], None] | None = None,
        on_frame: Callable[[Frame], None] | None = None,
    ) -> None:
        self.settings = settings
        self.on_frame = on_frame
        self.source = source if source is not None else make_source(settings.source, settings)
        self.transform = Transform.from_settings(settings)
        self.on_status = on_status
        self._slot = _Slot()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._released = threading.Event()  # set while paused with the source closed
        self._wake = threading.Event()  # cuts a wait short: stop, pause, resume, reconfigure
        self._pending: CameraSettings | None = None
        self._pending_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._seq = 0
        self._ever_opened = False
        self.retries = 0
        self.status = CameraStatus(STARTING, "camera starting", 0, self.source.name)
        self._fps_times: list[float] = []

    # -- consumers

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one."""
        with self._slot.cond:
            return self._slot.frame

    def wait_newer(self, seq: int, timeout: float) -> Frame | None:
        """Wait up to ``timeout`` seconds for a frame with ``seq`` greater than ``seq``."""
        deadline = time.monotonic() + timeout
        with self._slot.cond:
            while True:
                frame = self._slot.frame
                if frame is not None and frame.seq > seq:
                    return frame
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    return None
                self._slot.cond.wait(left)

    @property
    def fps(self) -> float:
        """Frames delivered per second over the last two seconds."""
        now = time.monotonic()
        times = [t for t in list(self._fps_times) if now - t <= 2.0]
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(times[-1] - times[0], 1e-6)

    # -- life cycle

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the thread and release the source."""
        self._stop.set()
        self._wake.set()
        with self._slot.cond:
            self._slot.cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._set_status(STOPPED, "camera stopped")

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def pause(self, timeout: float = 3.0) -> bool:
        """Release the source until ``resume`` (so another reader may open the same device).
        Waits up to ``timeout`` seconds for the source to be closed; True when it is (or
        the thread is not running)."""
        self._paused.set()
        self._wake.set()
        if not self.is_alive:
            return True
        return self._released.wait(timeout)

    def resume(self) -> None:
        """Open the source again after ``pause``."""
        self._paused.clear()
        self._released.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def reconfigure(self, settings: CameraSettings) -> None:
        """Apply new camera settings while running: rotation, mirror and region of interest
        from the next frame; a new source or size by closing and reopening (in the worker
        thread). ``CameraError`` when the new source names no known kind."""
        old = self.settings
        if (settings.source, settings.width, settings.height) == \
                (old.source, old.width, old.height):
            self.settings = settings
            self.transform = Transform.from_settings(settings)
            return
        make_source(settings.source, settings)  # refuse an unusable spec here, not later
        with self._pending_lock:
            self._pending = settings
        self._wake.set()

    # -- thread

    def _set_status(self, state: str, message: str) -> None:
        status = CameraStatus(state, message, self.retries, self.source.name)
        if status == self.status:
            return
        changed = status.state != self.status.state
        self.status = status
        if state != RUNNING:  # every retry at debug level: a kiosk without camera runs for days
            log.log(logging.INFO if changed else logging.DEBUG, "camera: %s: %s", state, message)
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:  # a consumer's bug must not kill the camera
                log.exception("camera status callback failed")

    def _backoff(self) -> float:
        s = self.settings
        return min(s.reconnect_max_s, s.reconnect_min_s * 2 ** max(self.retries - 1, 0))

    def _open(self) -> bool:
        try:
            self.source.open()
        except CameraError as exc:
            self.retries += 1
            wait = self._backoff()
            state = RECONNECTING if self._ever_opened else NO_CAMERA
            self._set_status(state, f"{exc} (retry {self.retries} in {wait:.1f} s)")
            return False
        except Exception as exc:  # OpenCV may raise cv2.error on odd inputs
            self.retries += 1
            state = RECONNECTING if self._ever_opened else NO_CAMERA
            self._set_status(state, f"{self.source.name} failed: {exc}")
            return False
        return True

    def _publish(self, image: np.ndarray) -> None:
        image = self.transform.apply(image)
        h, w = image.shape[:2]
        self._seq += 1
        now = time.monotonic()
        frame = Frame(image, self._seq, now, self.transform.roi_box(w, h))
        with self._slot.cond:
            self._slot.frame = frame
            self._slot.cond.notify_all()
        self._fps_times.append(now)
        if len(self._fps_times) > 240:
            del self._fps_times[:120]
        if self.on_frame is not None:
            try:
                self.on_frame(frame)
            except Exception:
                log.exception("camera frame callback failed")

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when stopped, paused, resumed or reconfigured."""
        self._wake.wait(seconds)
        self._wake.clear()

    def _interrupted(self) -> bool:
        return self._stop.is_set() or self._paused.is_set() or self._pending is not None

    def _hold(self) -> None:
        """Paused: the source is closed until ``resume`` or ``stop``."""
        self._set_status(PAUSED, f"{self.source.name} released for the technician's preview")
        self._released.set()
        while self._paused.is_set() and not self._stop.is_set():
            self._sleep(0.5)

    def _apply_pending(self) -> None:
        with self._pending_lock:
            settings, self._pending = self._pending, None
        if settings is None:
            return
        try:
            source = make_source(settings.source, settings)
        except CameraError as exc:  # checked in reconfigure; the folder may have gone
            log.warning("camera: new settings not applied: %s", exc)
            return
        self.settings, self.source = settings, source
        self.transform = Transform.from_settings(settings)
        self.retries, self._ever_opened = 0, False

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._paused.is_set():
                self._hold()
                continue
            self._apply_pending()
            if not self._open():
                self._sleep(self._backoff())
                continue
            self._read_loop()
            self.source.close()
            if not self._interrupted():
                self.retries += 1
                self._set_status(RECONNECTING, f"{self.source.name} stopped sending frames "
                                 f"(retry {self.retries} in {self._backoff():.1f} s)")
                self._sleep(self._backoff())

    def _read_loop(self) -> None:
        next_at = time.monotonic()
        while not self._interrupted():
            try:
                image = self.source.read()
            except Exception as exc:
                log.warning("camera: read failed: %s", exc)
                image = None
            if image is None or getattr(image, "ndim", 0) < 2:
                return
            if image.ndim == 2:
                image = _cv2().cvtColor(image, _cv2().COLOR_GRAY2BGR)
            self._publish(image)
            if not self._ever_opened or self.status.state != RUNNING:
                self._ever_opened = True
                self.retries = 0
                h, w = image.shape[:2]
                self._set_status(RUNNING, f"{self.source.name}: {w}x{h}")
            interval = self.source.frame_interval
            if interval:
                next_at += interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    self._sleep(delay)
                else:
                    next_at = time.monotonic()  # running late: do not try to catch up
