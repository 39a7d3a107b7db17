"""Liveness in the assembled kiosk (`build_app`, the recognition process, the real engine and
networks): the Hamilton clip's citizen is still greeted by name; a photo of an enrolled
citizen held up to the camera (a synthesised attack video played as the camera file) is
not greeted by name, can take a number as a guest, and is counted for staff."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import date
from pathlib import Path

import cv2
from click.testing import CliRunner
from PySide6.QtCore import Qt

from config import Settings
from kiosk import flow
from kiosk.adapters.identification import KioskIdentifier
from kiosk.adapters.refusals import RefusalLog, read_counts
from kiosk.cli import cli
from kiosk.context import KioskContext
from recognition.detect import detect_faces
from recognition.engine import FaceEngine
from scripts.attack_videos import AttackSpec, attack_frames, face_photo
from tests.kiosk.test_ui_recognition import clip_kiosk
from tests.support.kiosk_app import start_kiosk

LIN_PHOTO = "face_recognition/examples/lin-manuel-miranda.png"


def lin_picture(faces_dir: Path, engine: FaceEngine) -> cv2.typing.MatLike:
    """The portrait an attacker would print: Lin's enrolment photo, cropped round the face."""
    bgr = cv2.imread(str(faces_dir / LIN_PHOTO))
    (box,) = detect_faces(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), engine.settings)
    return face_photo(bgr, box.as_tuple())


def write_attack_video(path: Path, picture: cv2.typing.MatLike, frames: int = 150) -> Path:
    """A printed photo shaken in front of the camera, as an MP4 the camera can play."""
    spec = AttackSpec("shake", frames=frames)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), spec.fps, spec.size)
    assert writer.isOpened()
    for frame in attack_frames(picture, spec):
        writer.write(frame)
    writer.release()
    return path


def test_the_clip_citizen_is_greeted_once_live(qtbot, tmp_path: Path, faces_dir: Path,
                                               output_dir: Path) -> None:
    ctx = clip_kiosk(tmp_path, faces_dir, liveness={"mode": "passive+active"})
    app = start_kiosk(qtbot, ctx)
    window = app.window
    try:
        qtbot.waitUntil(lambda: window.current == flow.IDENTIFIED, timeout=60_000)
        assert window.screens[flow.IDENTIFIED].title.text() == "Xin chào Anh Lin!"
        assert app.last_recognition.liveness == "live"
        window.grab().save(str(output_dir / "kiosk-liveness-greeting.png"))
        assert app.recognizer.refusals_today == 0
    finally:
        app.shutdown()


def test_a_photo_of_a_citizen_is_not_greeted_and_takes_a_guest_number(
        qtbot, tmp_path: Path, faces_dir: Path, output_dir: Path) -> None:
    ctx = clip_kiosk(tmp_path, faces_dir, kiosk={"unknown_confirm_s": 1.0})
    video = write_attack_video(tmp_path / "attack.mp4",
                               lin_picture(faces_dir, FaceEngine(ctx.settings.recognition)))
    ctx = KioskContext(ctx.data_dir, ctx.settings.model_copy(update={
        "camera": ctx.settings.camera.model_copy(update={"source": str(video)})}))
    app = start_kiosk(qtbot, ctx)
    window = app.window
    screens_seen: set[str] = set()
    verdicts: set[str | None] = set()
    matched = False

    def watch() -> bool:
        nonlocal matched
        screens_seen.add(window.current)
        rec = app.last_recognition
        if rec is not None:
            verdicts.add(rec.liveness)
            matched = matched or rec.result.match is not None
        return window.current == flow.UNKNOWN

    try:
        qtbot.waitUntil(watch, timeout=60_000)
        # The photo was taken for Lin by the engine, and refused by the liveness check.
        assert matched, "the attack video should match the enrolled citizen"
        assert verdicts & {"spoof", "unsure"}, verdicts
        assert "live" not in verdicts
        assert flow.IDENTIFIED not in screens_seen
        guest = window.screens[flow.UNKNOWN]
        assert "Lin" not in guest.title.text()
        window.grab().save(str(output_dir / "kiosk-liveness-attack-guest.png"))
        # Keep watching for a while: the photo is never greeted by name.
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            qtbot.wait(100)
            assert window.current != flow.IDENTIFIED
        qtbot.mouseClick(guest.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.CHOOSE_SERVICE, timeout=2000)
        qtbot.mouseClick(window.screens[flow.CHOOSE_SERVICE].tiles["HT"],
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current == flow.TICKET_SHOWN, timeout=5000)
        store = app.parts.store
        assert store.today_for(citizen_id=1) == []  # nothing in Lin's name
        qtbot.waitUntil(lambda: app.recognizer.refusals_today is not None, timeout=5000)
        assert app.recognizer.refusals_today >= 1
    finally:
        app.shutdown()
    counts = read_counts(ctx.data_dir)[date.today().isoformat()]
    assert sum(counts.values()) >= 1
    assert not list((ctx.data_dir / "liveness").glob("*.jpg"))  # no image unless asked
    out = CliRunner().invoke(cli, ["liveness", "--stats", "--data-dir", str(ctx.data_dir)])
    assert out.exit_code == 0, out.output
    assert f"{date.today().isoformat()}: {sum(counts.values())} refused" in out.output


def test_refused_face_images_are_kept_only_when_asked(tmp_path: Path,
                                                      faces_dir: Path) -> None:
    """In the recognition process's identifier: a refusal keeps an owner-only face crop
    when ``liveness.keep_refused_images`` is set; old crops are purged."""
    settings = Settings.model_validate({"liveness": {"keep_refused_images": True,
                                                     "refused_images_days": 2}})
    ctx = clip_kiosk(tmp_path, faces_dir, liveness=settings.liveness.model_dump())
    from kiosk.enrolment import Registry

    registry = Registry(ctx)
    log = RefusalLog(ctx.data_dir, ctx.settings.liveness)
    identifier = KioskIdentifier(registry.engine, ctx.settings.liveness, log)
    try:
        picture = lin_picture(faces_dir, registry.engine)
        results = [identifier(f) for f in attack_frames(picture, AttackSpec("shake", frames=8))]
    finally:
        registry.close()
    refused = [r for r in results if r.liveness in ("spoof", "unsure")]
    assert refused and all(r.match is not None and r.guest_key for r in refused)
    assert identifier.sessions == 1 and results[-1].refusals_today == 1
    (kept,) = (ctx.data_dir / "liveness").glob("refused-*.jpg")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    image = cv2.imread(str(kept))
    assert image is not None and image.shape[0] < 480  # a face crop, not the frame
    assert json.loads((ctx.data_dir / "liveness" / "refusals.json").read_text())
    old = time.time() - 3 * 86400
    os.utime(kept, (old, old))
    assert log.purge() == 1 and not kept.exists()


def test_a_face_session_follows_a_drifting_face_not_a_jump() -> None:
    """Boxes of the clip 10 frames apart (Lin stepping up: IoU 0.29) stay one session; a
    face elsewhere in the frame or twice as large starts a new one."""
    from kiosk.adapters.identification import same_face
    from recognition.face_tracks import box_iou
    from recognition.types import FaceBox

    a = FaceBox(top=71, right=252, bottom=167, left=156)
    b = FaceBox(top=103, right=284, bottom=199, left=188)
    assert box_iou(a, b) < 0.3 and same_face(a, b)
    assert not same_face(a, FaceBox(top=71, right=552, bottom=167, left=456))
    assert not same_face(a, FaceBox(top=40, right=300, bottom=240, left=100))
