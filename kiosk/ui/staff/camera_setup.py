"""Technician set-up: the camera, with a live preview.

Source (device index, URL, file or folder) typed on the keyboard; the devices plugged in
(probed when the page opens); rotation, mirror and resolution by touch, applied to the
preview at once; the region of interest drawn with a finger on the preview; a check (opens
the source, frames per second, a face found) on a worker thread; save.

The preview reads the source with its own ``CameraWorker`` (the real capture path, a plain
thread) while the app's camera is paused (``app_camera.pause()``: a device opens only
once); the engine judges the newest frame's region of interest in a child process
(``PreviewJudge`` behind ``ProcessIdentifier``, run by a ``RecognitionWorker``). Frames
and results reach the screen through the camera's newest-frame slot and a queue, read by
a QTimer: no Qt signal is emitted from Python. Leaving the page stops both and resumes the
app's camera; a save reconfigures it (source, size, rotation, mirror, region) at once.
"""

from __future__ import annotations

import queue
import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QVBoxLayout

from kiosk.adapters.preview import quality_meter
from kiosk.ui.staff.pages import Action, button_grid, label
from kiosk.ui.staff.preview import FULL, QualityMeter, Roi, RoiPreview
from kiosk.ui.staff.setup import SettingsPage
from kiosk.ui.staff.texts import staff_text

if TYPE_CHECKING:
    from config.camera import CameraSettings
    from kiosk.adapters.recognition_worker import Recognition, RecognitionWorker
    from kiosk.camera import CameraWorker

ROTATIONS = (0, 90, 180, 270)
#: (width, height) asked of a device; (0, 0) keeps the device's default.
RESOLUTIONS = ((0, 0), (640, 480), (1280, 720), (1920, 1080))
PROBE_DEVICES = 4
#: Smallest region of interest the page accepts, as a fraction of the frame each way
#: (a tap or a slip of the finger is not a region).
MIN_ROI = 0.1
FRAME_MS = 33
STATUS_EVERY_S = 0.5


def probe_devices(count: int = PROBE_DEVICES) -> list[str]:
    """Device indices that open and give a frame, as ``"0: 640x480"`` lines."""
    from kiosk.camera import CameraError, make_source

    found = []
    for index in range(count):
        try:
            source = make_source(str(index))
            source.open()
        except (CameraError, OSError, ValueError):
            continue
        try:
            image = source.read()
            if image is not None:
                found.append(f"{index}: {image.shape[1]}x{image.shape[0]}")
        finally:
            source.close()
    return found


class CameraSetupPage(SettingsPage):
    """Which camera, how it is mounted, which resolution, which region; preview, check
    and save."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        #: the app's running camera, paused while this page previews (None: none)
        self.app_camera: CameraWorker | None = None
        self.rotation = 0
        self.mirror = False
        self.resolution = RESOLUTIONS[0]
        self.roi: Roi = FULL
        self.preview_cam: CameraWorker | None = None
        self.judge: RecognitionWorker | None = None
        self._open = False
        self._results: queue.SimpleQueue[Recognition] = queue.SimpleQueue()
        self._judged: deque[float] = deque(maxlen=60)
        self._status_at = 0.0
        self._last_reason: tuple[str, ...] = ()
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self._show_newest)

        self.source = self.field()
        self.preview = RoiPreview()
        self.preview.on_roi = self._drawn
        self.meter = QualityMeter()
        self.face_line = label("meter", fit=True)
        self.fps_line = label("meter", fit=True)
        self.rotate = self._button("secondary", self._next_rotation)
        self.flip = self._button("secondary", self._toggle_mirror)
        self.resolution_button = self._button("secondary", self._next_resolution)
        self.clear_roi = self._button("secondary", self._clear_roi)
        self.show_source = self._button("secondary", self._preview_typed)
        self.check = self._button("secondary", self.run_check)
        self.save = self._button("primary", self.run_save)
        self.keyboard.setVisible(False)  # shown while the source is typed

        view = QVBoxLayout()
        view.setSpacing(8)
        view.addWidget(self.title)
        view.addWidget(self.preview, 1)
        view.addWidget(self.keyboard, 1)
        view.addWidget(self.face_line)
        view.addWidget(self.meter)
        view.addWidget(self.fps_line)
        # Answers under the picture: the preview gives them the room they need.
        view.addWidget(self.results)
        view.addWidget(self.message)
        form = QVBoxLayout()
        form.setSpacing(12)
        form.addWidget(self.source)
        grid = button_grid([self.rotate, self.flip, self.resolution_button, self.clear_roi,
                            self.show_source, self.check, self.back, self.save])
        self.results.setObjectName("meter")  # device lists and checks: a smaller type
        form.addLayout(grid)
        form.addStretch(1)
        self.box.addLayout(view, 3)
        self.box.addLayout(form, 2)

    # -- opening and closing

    def load(self) -> None:
        """Fill the page from the running settings; pause the app's camera, list the
        devices, then start the preview."""
        self.say(None)
        self.show_results("")
        self.meter.show_lines([], self.language)
        self.face_line.setText("")
        self.fps_line.setText("")
        if self.kiosk_ctx is None:
            self.say(staff_text("unavailable", self.language))
            return
        cam = self.kiosk_ctx.settings.camera
        self.source.setText(cam.source)
        self.rotation, self.mirror = cam.rotation, cam.mirror
        self.resolution = (cam.width, cam.height)
        self.roi = (cam.roi_left, cam.roi_top, cam.roi_right, cam.roi_bottom)
        self.preview.roi = self.roi
        self._show_keyboard(False)
        self.face_line.setText(staff_text("preview_starting", self.language))
        self.fps_line.setText(staff_text("roi_hint", self.language))
        self.retext(self.language)
        self._open = True
        app_camera = self.app_camera

        def release_and_probe() -> list[str]:
            if app_camera is not None:
                app_camera.pause()
            return probe_devices()

        self.show_results(staff_text("checking", self.language))
        self._submit(release_and_probe, self._probed)

    def _probed(self, found: list[str]) -> None:
        self.show_results(staff_text("devices", self.language, found=", ".join(found))
                          if found else staff_text("no_devices", self.language))
        if self._open:
            self._start_preview()

    def closed(self) -> None:
        """The page is left: stop the preview (the source is released) and give the
        camera back to the app."""
        self._open = False
        self._frames.stop()
        cam, judge = self.preview_cam, self.judge
        self.preview_cam = self.judge = None
        app_camera = self.app_camera

        def release() -> None:
            if judge is not None:
                judge.stop()
            if cam is not None:
                cam.stop()
            if app_camera is not None:
                app_camera.resume()

        self._pool.submit(release)
        self.preview.clear()

    # -- the preview

    def trial_settings(self) -> CameraSettings:
        """The page's choices as camera settings; ``ValueError`` naming the field."""
        assert self.kiosk_ctx is not None
        return self.kiosk_ctx.settings.camera.model_validate(
            {**self.kiosk_ctx.settings.camera.model_dump(), **self._changes()})

    def _start_preview(self) -> None:
        from kiosk.adapters.identification import ProcessIdentifier
        from kiosk.adapters.preview import PreviewJudge
        from kiosk.adapters.recognition_worker import RecognitionWorker
        from kiosk.camera import CameraWorker

        if self.kiosk_ctx is None:
            return
        try:
            settings = self.trial_settings()
        except ValueError as exc:
            self.say(staff_text("not_saved", self.language, why=_first_error(exc)))
            return
        self.preview_cam = CameraWorker(settings)
        self.judge = RecognitionWorker(
            self.preview_cam, ProcessIdentifier(PreviewJudge, self.kiosk_ctx.settings.recognition),
            self._results.put)
        self.preview_cam.start()
        self.judge.start()
        self._frames.start()

    def _apply_to_preview(self) -> None:
        """Rotation, mirror, size, source or region changed: the preview follows."""
        if self.preview_cam is None:
            return
        try:
            self.preview_cam.reconfigure(self.trial_settings())
        except Exception as exc:  # a refused value: said, the preview keeps the old one
            self.say(staff_text("not_saved", self.language, why=_first_error(exc)))

    def _show_newest(self) -> None:
        """Every frame tick: the newest frame, the judge's answers, the figures."""
        cam = self.preview_cam
        if cam is None:
            return
        while True:
            try:
                rec = self._results.get_nowait()
            except queue.Empty:
                break
            self._judged.append(rec.frame_time)  # capture times: a GUI stall does not
            self._judged_result(rec)                # bunch them up
        frame = cam.latest()
        if frame is not None and frame.seq != self.preview.last_seq:
            self.preview.show_frame(frame.image, frame.seq)
        now = time.monotonic()
        if now - self._status_at >= STATUS_EVERY_S:
            self._status_at = now
            self._show_rates(cam, frame)

    def _judged_result(self, rec: Recognition) -> None:
        result = rec.result
        self.preview.set_face_box(rec.box, getattr(result, "reason", None) is None)
        figures = getattr(result, "figures", None)
        reason = getattr(result, "reason", "no_face")
        if figures is None:
            self.meter.show_lines([], self.language)
        else:
            limits = self.kiosk_ctx.settings.recognition.match_quality if self.kiosk_ctx \
                else None
            if limits is not None:
                self.meter.show_lines(quality_meter(figures, limits), self.language)
        key = "face_good" if reason is None else (
            "face_none" if reason == "no_face" else "face_bad")
        self.face_line.setText(staff_text(key, self.language,
                                          why=staff_text(f"r_{reason}", self.language)
                                          if key == "face_bad" else ""))

    def _show_rates(self, cam: CameraWorker, frame: Any) -> None:
        now = time.monotonic()
        recent = sorted(t for t in self._judged if now - t <= 3.0)
        rate = (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6) if len(recent) > 1 else 0.0
        if frame is None or cam.status.state != "running":
            self.fps_line.setText(staff_text("preview_none", self.language,
                                             why=cam.status.message[:120]))
            return
        h, w = frame.image.shape[:2]
        self.fps_line.setText(staff_text("preview_fps", self.language, size=f"{w}x{h}",
                                         fps=cam.fps, rate=rate) + "\n" +
                              staff_text("roi_hint", self.language))

    @property
    def fps(self) -> float:
        """Frames per second the preview's camera delivers (0 when none)."""
        return self.preview_cam.fps if self.preview_cam is not None else 0.0

    # -- the region of interest

    def _drawn(self, rect: Roi) -> None:
        """A rectangle drawn on the preview: validated as the config does, then shown."""
        self.act("touch", None)
        left, top, right, bottom = rect
        candidate = self._changes() | {"roi_left": left, "roi_top": top,
                                       "roi_right": right, "roi_bottom": bottom}
        if self.kiosk_ctx is not None:
            try:
                self.kiosk_ctx.settings.camera.model_validate(
                    {**self.kiosk_ctx.settings.camera.model_dump(), **candidate})
            except ValueError as exc:
                self.say(staff_text("not_saved", self.language, why=_first_error(exc)))
                return
        if right - left < MIN_ROI or bottom - top < MIN_ROI:
            field = "camera.roi_right" if right - left < MIN_ROI else "camera.roi_bottom"
            self.say(staff_text("roi_small", self.language, field=field,
                                p=int(MIN_ROI * 100)))
            return
        self._set_roi(rect)

    def _set_roi(self, rect: Roi) -> None:
        self.roi = rect
        self.preview.roi = rect
        self.say(None)
        self.show_results("" if rect == FULL else staff_text(
            "roi_set", self.language, l=f"{rect[0]:.2f}", t=f"{rect[1]:.2f}",
            r=f"{rect[2]:.2f}", b=f"{rect[3]:.2f}"))
        self._apply_to_preview()

    def _clear_roi(self) -> None:
        self._set_roi(FULL)

    # -- buttons

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt naming
        if event.type() == QEvent.Type.MouseButtonPress and obj is self.source:
            self._show_keyboard(True)
        return super().eventFilter(obj, event)

    def _show_keyboard(self, shown: bool) -> None:
        """Typing the source: the keyboard takes the preview's place."""
        self.keyboard.setVisible(shown)
        self.preview.setVisible(not shown)

    def _preview_typed(self) -> None:
        self._show_keyboard(False)
        if self._open and self.preview_cam is None:
            self._start_preview()
        else:
            self._apply_to_preview()

    def _next_rotation(self) -> None:
        self.rotation = ROTATIONS[(ROTATIONS.index(self.rotation) + 1) % len(ROTATIONS)]
        self.retext(self.language)
        self._apply_to_preview()

    def _toggle_mirror(self) -> None:
        self.mirror = not self.mirror
        self.retext(self.language)
        self._apply_to_preview()

    def _next_resolution(self) -> None:
        i = RESOLUTIONS.index(self.resolution) if self.resolution in RESOLUTIONS else -1
        self.resolution = RESOLUTIONS[(i + 1) % len(RESOLUTIONS)]
        self.retext(self.language)
        self._apply_to_preview()

    def retext(self, language: str) -> None:
        self.language = language
        self.title.setText(staff_text("camera_title", language))
        self.source.setPlaceholderText(staff_text("camera_source", language))
        self.rotate.setText(staff_text("rotation", language, deg=self.rotation))
        self.flip.setText(staff_text("mirror_on" if self.mirror else "mirror_off", language))
        w, h = self.resolution
        self.resolution_button.setText(staff_text("resolution", language,
                                     size=f"{w}x{h}" if w else staff_text("default",
                                                                          language)))
        self.meter.show_lines(self.meter.lines, language)
        self.clear_roi.setText(staff_text("clear_roi", language))
        self.show_source.setText(staff_text("preview_source", language))
        self.check.setText(staff_text("check", language))
        self.save.setText(staff_text("save", language))
        self.back.setText(staff_text("back", language))

    def _changes(self) -> dict[str, Any]:
        w, h = self.resolution
        left, top, right, bottom = self.roi
        return {"source": self.source.text().strip(), "rotation": self.rotation,
                "mirror": self.mirror, "width": w, "height": h, "roi_left": left,
                "roi_top": top, "roi_right": right, "roi_bottom": bottom}

    def run_check(self) -> None:
        """The same check as `kiosk doctor` on the typed source; the preview lets go of
        the source meanwhile (a device opens only once)."""
        from config import Settings
        from kiosk.adapters.diagnostics import check_camera

        ctx = self.kiosk_ctx
        if ctx is None:
            return
        try:
            camera = self.trial_settings()
        except ValueError as exc:
            self.say(staff_text("not_saved", self.language, why=_first_error(exc)))
            return
        trial = replace(ctx, settings=Settings.model_validate(
            {**ctx.settings.model_dump(), "camera": camera.model_dump()}))
        preview = self.preview_cam

        def check() -> Any:
            if preview is not None:
                preview.pause()
            try:
                return check_camera(trial, 1.0, 3.0)
            finally:
                if preview is not None:
                    preview.resume()

        self.show_results(staff_text("checking", self.language))
        self._submit(check, self._show_checks)

    def run_save(self) -> None:
        if self.save_changes({"camera": self._changes()}) is not None:
            self.show_results(staff_text("camera_saved", self.language,
                                         path=self.kiosk_ctx.config_file
                                         if self.kiosk_ctx else ""))


def _first_error(exc: Exception) -> str:
    """One line naming the field of a pydantic error (or the error's last line)."""
    from pydantic import ValidationError

    from config.errors import describe_validation_error

    if isinstance(exc, ValidationError):
        return describe_validation_error(exc, "camera")[:200]
    return str(exc).splitlines()[-1][:200]
