"""The technician's camera (live preview, region of interest), recognition threshold and
services pages on the kiosk window: real OpenCV capture of the shared clip, the real engine
in its child process, the real registry and calibration, real TOML round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from config import Settings, load_settings
from kiosk import flow
from kiosk.camera import PAUSED, RUNNING, CameraWorker
from kiosk.context import KioskContext
from kiosk.staff.gate import StaffGate
from kiosk.ui.staff.mode import StaffMode
from kiosk.ui.window import KioskWindow
from recognition.calibrate import calibrate
from tests.kiosk.test_staff_ui import SIZES, check, open_window, press, type_pin

PIN = "739146"


@pytest.fixture
def clip(faces_dir: Path) -> Path:
    return faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4"


def settings_with(**sections: dict) -> Settings:
    return Settings.model_validate(sections)


def staff_window(qtbot, tmp_path: Path, size: tuple[int, int], settings: Settings,
                 language: str = "vi") -> tuple[KioskWindow, StaffMode]:
    gate = StaffGate(tmp_path)
    gate.set_first_pin(PIN)
    window, staff, _ = open_window(qtbot, gate, size, language)
    staff.setup.kiosk_ctx = KioskContext(tmp_path, settings, None)
    type_pin(qtbot, staff.login, PIN)
    assert staff.page is staff.home
    return window, staff


def drag(qtbot, widget, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A finger from ``start`` to ``end`` (fractions of the shown frame)."""
    r = widget.shown_rect()

    def at(f: tuple[float, float]) -> QPoint:
        return QPoint(r.x() + int(f[0] * r.width()), r.y() + int(f[1] * r.height()))

    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=at(start))
    qtbot.mouseMove(widget, at(((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=at(end))


def test_camera_preview_shows_the_face_box_quality_and_fps_then_gives_the_camera_back(
        qtbot, tmp_path: Path, clip: Path) -> None:
    settings = settings_with(camera={"source": str(clip)})
    window, staff = staff_window(qtbot, tmp_path, (1920, 1080), settings)
    app_camera = CameraWorker(settings.camera)  # the app's camera, running on the clip
    app_camera.start()
    page = staff.camera_setup
    page.app_camera = app_camera
    try:
        assert app_camera.wait_newer(0, 5) is not None
        press(qtbot, staff.home.camera)
        assert staff.page is page and page.preview.isVisible()
        # The engine loads in its child process, then judges frames of the clip.
        qtbot.waitUntil(lambda: page.preview._box is not None, timeout=60_000)
        assert app_camera.status.state == PAUSED  # the preview has the source
        assert page.preview.frames_shown > 10 and page.fps > 5
        qtbot.waitUntil(lambda: "khung hình/giây" in page.fps_line.text(), timeout=5_000)
        assert page.fps_line.text().startswith("640x360 · ")
        qtbot.waitUntil(lambda: page.meter.lines != [], timeout=20_000)
        words = [page.meter.words[n].text() for n in page.meter.words]
        assert all("·" in w for w in words), words  # a figure and a word on every line
        assert page.face_line.text() in ("Khuôn mặt đạt để nhận diện",) or \
            page.face_line.text().startswith("Khuôn mặt chưa đạt")
        # Turned a quarter: the preview's frames are portrait at once, nothing saved.
        press(qtbot, page.rotate)
        qtbot.waitUntil(lambda: page.preview_cam.latest().image.shape == (640, 360, 3),
                        timeout=5_000)
        assert not (tmp_path / "kiosk.toml").exists()
        preview_cam = page.preview_cam
        press(qtbot, page.back)
        assert staff.page is staff.home and page.preview_cam is None
        qtbot.waitUntil(lambda: not preview_cam.is_alive, timeout=10_000)
        assert preview_cam.source._cap is None  # released
        seq = app_camera.latest().seq
        assert app_camera.wait_newer(seq, 10) is not None  # the app's camera runs again
        assert app_camera.status.state == RUNNING
        assert app_camera.latest().image.shape == (360, 640, 3)  # the unsaved turn is gone
    finally:
        page.closed()
        app_camera.stop()


def test_region_drawn_on_the_preview_is_saved_and_an_invalid_one_is_refused(
        qtbot, tmp_path: Path, clip: Path) -> None:
    settings = settings_with(camera={"source": str(clip)})
    window, staff = staff_window(qtbot, tmp_path, (1280, 720), settings)
    page = staff.camera_setup
    saved: list[Settings] = []
    page.on_saved = saved.append
    try:
        press(qtbot, staff.home.camera)
        qtbot.waitUntil(lambda: page.preview.frames_shown > 0, timeout=20_000)
        drag(qtbot, page.preview, (0.75, 0.9), (0.25, 0.1))  # any direction
        assert page.roi == pytest.approx((0.25, 0.1, 0.75, 0.9), abs=0.01)
        assert page.preview.roi == page.roi and "trái 0.25" in page.results.text()
        qtbot.waitUntil(lambda: page.preview_cam.latest().roi[3] > 100, timeout=5_000)
        press(qtbot, page.save)
        assert len(saved) == 1 and not page.message.isVisible()
        again = load_settings(tmp_path / "kiosk.toml")  # what the next start reads
        got = (again.camera.roi_left, again.camera.roi_top, again.camera.roi_right,
               again.camera.roi_bottom)
        assert got == pytest.approx((0.25, 0.1, 0.75, 0.9), abs=0.01)
        assert saved[0].camera == again.camera
        before = (tmp_path / "kiosk.toml").read_text()
        # A tap is no region: refused with the config's own words, naming the fields.
        drag(qtbot, page.preview, (0.5, 0.5), (0.5, 0.5))
        assert page.message.isVisible() and "roi_left < roi_right" in page.message.text()
        # A slip of the finger: too small, the field named.
        drag(qtbot, page.preview, (0.5, 0.5), (0.53, 0.7))
        assert "camera.roi_right" in page.message.text()
        assert page.roi == got  # the drawn region stays
        press(qtbot, page.clear_roi)
        assert page.roi == (0.0, 0.0, 1.0, 1.0) and not page.message.isVisible()
        assert (tmp_path / "kiosk.toml").read_text() == before  # nothing written unsaved
    finally:
        page.closed()


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory, faces_dir: Path) -> Path:
    """A kiosk data dir whose registry holds three people from the dlib crops, three
    templates each (enrolled as the admin's command does)."""
    from kiosk.enrolment import Registry

    data = tmp_path_factory.mktemp("registry")
    settings = settings_with(recognition={"enrol_jitters": 1})
    registry = Registry(KioskContext(data, settings, None))
    try:
        johns = sorted(p for p in (faces_dir / "dlib/examples/johns").iterdir() if p.is_dir())
        for i, person in enumerate(johns[:3]):
            result = registry.enrol_photos(
                full_name=person.name, id_number=f"07906100000{i + 1}",
                photos=sorted(person.glob("*.jpg"))[:3], actor="test", face_crop=True)
            assert result.stored == 3, result.to_json()
    finally:
        registry.close()
    return data


def test_threshold_with_the_calibration_report_round_trips(qtbot, registry_dir: Path,
                                                          tmp_path: Path) -> None:
    settings = settings_with(recognition={"enrol_jitters": 1})
    window, staff = staff_window(qtbot, tmp_path, (1920, 1080), settings)
    staff.setup.kiosk_ctx = KioskContext(registry_dir, settings, tmp_path / "k.toml")
    page = staff.recognition_setup
    press(qtbot, staff.home.recognition)
    assert staff.page is page and page.threshold == 0.55
    qtbot.waitUntil(lambda: page.calibration is not None, timeout=30_000)
    report = page.results.text()
    assert "Sổ đăng ký: 3 công dân, 9 mẫu khuôn mặt" in report
    cal = page.calibration
    assert cal.threshold is not None and f"Ngưỡng đề xuất: {cal.threshold:.2f}" in report
    assert cal.rank1 is not None and "%" in report.splitlines()[2]
    assert page.estimate.isVisible() and "/ 1.000 lượt" in page.estimate.text()
    press(qtbot, page.use_suggested)
    suggested = page.threshold
    assert suggested <= cal.threshold and cal.threshold - suggested < 0.01
    press(qtbot, page.higher)
    press(qtbot, page.higher)
    press(qtbot, page.lower)
    assert page.threshold == round(suggested + 0.01, 2)
    page.set_threshold(9.0)  # out of the config's range: held at its bound
    assert page.threshold == 1.5 and page.slider.value() == 150
    page.slider.setValue(48)  # the slider moves it too
    assert page.threshold == 0.48 and "0.48" in page.value_label.text()
    press(qtbot, page.save)
    assert not page.message.isVisible()
    assert load_settings(tmp_path / "k.toml").recognition.match_threshold == 0.48
    press(qtbot, page.back)
    press(qtbot, staff.home.recognition)  # opened again: the saved value
    assert page.threshold == 0.48


def test_services_order_and_hidden_ones_reach_the_citizens_tiles_without_restart(
        qtbot, tmp_path: Path) -> None:
    from kiosk.assembly import build_app
    from kiosk.context import open_context

    ctx = open_context(tmp_path, None)
    app = build_app(ctx, recognition=False)
    qtbot.addWidget(app.window)
    app.window.resize(1280, 720)
    app.window.show()
    StaffGate(tmp_path).set_first_pin(PIN)
    try:
        app.start()
        app.window.show_pin()
        staff = app.window.staff
        type_pin(qtbot, staff.login, PIN)
        press(qtbot, staff.home.services)
        page = staff.services_setup
        assert [s.code for s in page.services] == ["HT", "CT", "DD", "XD", "KD", "LD", "TKQ"]
        press(qtbot, page.rows["CT"])
        press(qtbot, page.up)
        press(qtbot, page.rows["DD"])
        press(qtbot, page.toggle)
        assert "(ẩn)" in page.rows["DD"].text() and page.toggle.text() == "Hiện dịch vụ"
        press(qtbot, page.rows["TKQ"])
        for _ in range(7):
            press(qtbot, page.up)  # to the top, and no further
        press(qtbot, page.save)
        assert not page.message.isVisible(), page.message.text()
        again = load_settings(tmp_path / "kiosk.toml")
        assert again.kiosk.services_order == ["TKQ", "CT", "HT", "DD", "XD", "KD", "LD"]
        assert again.kiosk.services_hidden == ["DD"]
        press(qtbot, page.back)
        press(qtbot, staff.home.lock)
        app.window.show_view(flow.ShowScreen(flow.CHOOSE_SERVICE, "vi"))
        tiles = app.window.screens[flow.CHOOSE_SERVICE].tiles
        assert list(tiles) == ["TKQ", "CT", "HT", "XD", "KD", "LD"]
        assert tiles["TKQ"].isVisible() and "DD" not in tiles
    finally:
        app.shutdown()


def test_the_last_shown_service_cannot_be_hidden(qtbot, tmp_path: Path) -> None:
    settings = settings_with(kiosk={"services": ["HT|A|Hộ tịch|Civil status",
                                                 "CT|B|Chứng thực|Certification"],
                                    "services_hidden": ["CT"]})
    window, staff = staff_window(qtbot, tmp_path, (1920, 1080), settings)
    press(qtbot, staff.home.services)
    page = staff.services_setup
    press(qtbot, page.rows["HT"])
    press(qtbot, page.toggle)
    assert page.hidden == {"CT"} and "ít nhất một dịch vụ" in page.message.text()


def test_config_refuses_a_service_code_listed_twice() -> None:
    from config import ConfigError
    from kiosk.staff.settings_file import SettingsFile

    with pytest.raises(ConfigError, match="kiosk.services_order"):
        SettingsFile(Path("/nonexistent-dir-is-not-written/k.toml")).apply(
            {"kiosk": {"services_order": ["HT", "HT"]}})


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_setup_pages_fit_and_are_readable(qtbot, tmp_path: Path, clip: Path, size) -> None:
    """Every set-up page, with live frames, a drawn region, the keyboard, a report."""
    settings = settings_with(camera={"source": str(clip)})
    window, staff = staff_window(qtbot, tmp_path, size, settings)
    problems: list[str] = []

    def each_size(name: str) -> None:
        qtbot.wait(400)  # a status refresh and a few frames
        problems.extend(check(window, name, size))

    each_size("home-setup")
    press(qtbot, staff.home.camera)
    page = staff.camera_setup
    try:
        qtbot.waitUntil(lambda: page.meter.lines != [], timeout=60_000)
        drag(qtbot, page.preview, (0.2, 0.05), (0.8, 0.95))
        each_size("camera-preview")
        qtbot.mouseClick(page.source, Qt.MouseButton.LeftButton)
        assert page.keyboard.isVisible() and not page.preview.isVisible()
        each_size("camera-typing")
        press(qtbot, page.show_source)
        assert page.preview.isVisible() and not page.keyboard.isVisible()
        press(qtbot, page.back)
    finally:
        page.closed()
    press(qtbot, staff.home.recognition)
    rec = staff.recognition_setup
    qtbot.waitUntil(lambda: not rec.busy(), timeout=30_000)
    each_size("recognition-empty")  # a new kiosk: no registry yet
    rng = np.random.default_rng(3)
    cids = np.repeat(np.arange(1, 41), 3)
    vecs = rng.normal(0, 0.06, size=(40, 128))[cids - 1] + rng.normal(0, 0.02, (120, 128))
    rec._calibrated(calibrate(cids, vecs.astype(np.float32)))
    each_size("recognition")
    press(qtbot, rec.back)
    press(qtbot, staff.home.services)
    svc = staff.services_setup
    press(qtbot, svc.rows["DD"])
    press(qtbot, svc.toggle)
    each_size("services")
    assert not problems, "\n".join(problems)
