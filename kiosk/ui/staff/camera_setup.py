"""Technician set-up: the camera. Source (device index, URL, file or folder) typed on the
keyboard; the devices plugged in (probed when the page opens); rotation, mirror and
resolution by touch; a check (opens the source, frames per second, a face found) on a
worker thread; save. Rotation and mirror apply at once; source and resolution at the next
start.

Not built yet: the live preview with the face box and quality meter, and the region of
interest drawn with a finger (set camera.roi_* in the config meanwhile).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kiosk.ui.staff.pages import Action
from kiosk.ui.staff.setup import SettingsPage
from kiosk.ui.staff.texts import staff_text

ROTATIONS = (0, 90, 180, 270)
#: (width, height) asked of a device; (0, 0) keeps the device's default.
RESOLUTIONS = ((0, 0), (640, 480), (1280, 720), (1920, 1080))
PROBE_DEVICES = 4


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
    """Which camera, how it is mounted, which resolution; check and save."""

    def __init__(self, act: Action) -> None:
        super().__init__(act)
        self.rotation = 0
        self.mirror = False
        self.resolution = RESOLUTIONS[0]
        self.source = self.field()
        self.rotate = self._button("secondary", self._next_rotation)
        self.flip = self._button("secondary", self._toggle_mirror)
        self.resolution_button = self._button("secondary", self._next_resolution)
        self.check = self._button("secondary", self.run_check)
        self.save = self._button("primary", self.run_save)
        self.lay_out([self.source], [self.rotate, self.flip, self.resolution_button,
                                     self.check, self.back, self.save])

    def load(self) -> None:
        self.say(None)
        self.show_results("")
        if self.kiosk_ctx is None:
            self.say(staff_text("unavailable", self.language))
            return
        cam = self.kiosk_ctx.settings.camera
        self.source.setText(cam.source)
        self.rotation, self.mirror = cam.rotation, cam.mirror
        self.resolution = (cam.width, cam.height)
        self.retext(self.language)
        self.run_probe()  # the devices plugged in, listed while the technician looks

    def _next_rotation(self) -> None:
        self.rotation = ROTATIONS[(ROTATIONS.index(self.rotation) + 1) % len(ROTATIONS)]
        self.retext(self.language)

    def _toggle_mirror(self) -> None:
        self.mirror = not self.mirror
        self.retext(self.language)

    def _next_resolution(self) -> None:
        i = RESOLUTIONS.index(self.resolution) if self.resolution in RESOLUTIONS else -1
        self.resolution = RESOLUTIONS[(i + 1) % len(RESOLUTIONS)]
        self.retext(self.language)

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
        self.check.setText(staff_text("check", language))
        self.save.setText(staff_text("save", language))
        self.back.setText(staff_text("back", language))

    def _changes(self) -> dict[str, Any]:
        w, h = self.resolution
        return {"source": self.source.text().strip(), "rotation": self.rotation,
                "mirror": self.mirror, "width": w, "height": h}

    def run_probe(self) -> None:
        self.show_results(staff_text("checking", self.language))
        self._submit(probe_devices, lambda found: self.show_results(
            staff_text("devices", self.language, found=", ".join(found)) if found
            else staff_text("no_devices", self.language)))

    def run_check(self) -> None:
        from config import Settings
        from kiosk.adapters.diagnostics import check_camera

        ctx = self.kiosk_ctx
        if ctx is None:
            return
        try:
            camera = ctx.settings.camera.model_validate(
                {**ctx.settings.camera.model_dump(), **self._changes()})
        except ValueError as exc:
            self.say(staff_text("not_saved", self.language, why=str(exc).splitlines()[-1]))
            return
        trial = replace(ctx, settings=Settings.model_validate(
            {**ctx.settings.model_dump(), "camera": camera.model_dump()}))
        self.show_results(staff_text("checking", self.language))
        self._submit(lambda: check_camera(trial, 1.0, 3.0), self._show_checks)

    def run_save(self) -> None:
        self.save_changes({"camera": self._changes()})
