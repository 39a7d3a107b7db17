"""The camera worker on real files: pacing, latest-frame slot, transforms, reconnect."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.camera import CameraSettings
from kiosk.camera import (
    NO_CAMERA,
    PAUSED,
    RUNNING,
    SOURCE_KINDS,
    CameraSource,
    CameraStatus,
    CameraWorker,
    DeviceSource,
    ImageFolderSource,
    StreamSource,
    Transform,
    VideoFileSource,
    make_source,
    source_kinds,
)


@pytest.fixture
def clip(faces_dir: Path) -> Path:
    return faces_dir / "face_recognition" / "examples" / "short_hamilton_clip.mp4"


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        img = np.full((40, 60, 3), 50 * (i + 1), np.uint8)
        where = folder / "b-later" if i == 2 else folder  # subfolders are read too
        where.mkdir(exist_ok=True)
        cv2.imwrite(str(where / f"{i:02d}.png"), img)
    (folder / "notes.txt").write_text("not an image")
    (folder / "99-broken.jpg").write_bytes(b"not a jpeg")
    return folder


class StatusLog:
    def __init__(self) -> None:
        self.items: list[CameraStatus] = []
        self.lock = threading.Lock()

    def __call__(self, status: CameraStatus) -> None:
        with self.lock:
            self.items.append(status)

    def states(self) -> list[str]:
        with self.lock:
            return [s.state for s in self.items]


def _settings(**kw: object) -> CameraSettings:
    return CameraSettings(**{"reconnect_min_s": 0.05, "reconnect_max_s": 0.2, **kw})


def test_make_source_picks_the_kind(tmp_path: Path) -> None:
    assert isinstance(make_source("auto"), DeviceSource)
    assert make_source("2").index == 2  # type: ignore[attr-defined]
    assert isinstance(make_source("rtsp://u:secret@10.0.0.5/stream"), StreamSource)
    assert "secret" not in make_source("rtsp://u:secret@10.0.0.5/stream").name
    assert isinstance(make_source(str(tmp_path)), ImageFolderSource)
    assert isinstance(make_source(str(tmp_path / "x.mp4")), VideoFileSource)


def test_a_new_source_kind_registers_itself_and_is_asked_in_precedence_order() -> None:
    """Adding a camera source is one class: no branch to add in make_source."""

    class PatternSource(CameraSource):
        kind = "test pattern"
        accepted = "'pattern:GREY' (a flat grey frame)"
        precedence = 15  # before streams, so 'pattern://' is not taken as a URL

        def __init__(self, grey: int) -> None:
            self.grey = grey

        @property
        def name(self) -> str:
            return f"test pattern {self.grey}"

        @classmethod
        def accepts(cls, spec: str) -> bool:
            return spec.startswith("pattern:")

        @classmethod
        def from_spec(cls, spec: str, settings: CameraSettings | None) -> PatternSource:
            return cls(int(spec.removeprefix("pattern:").strip("/") or 0))

        def open(self) -> None:
            pass

        def read(self) -> np.ndarray | None:
            return np.full((48, 64, 3), self.grey, np.uint8)

    try:
        source = make_source(" pattern://77 ")  # a URL-looking spec, yet not a stream
        assert isinstance(source, PatternSource) and source.grey == 77
        assert [k.kind for k in source_kinds()][:3] == ["device", "test pattern", "stream"]
        assert isinstance(make_source("rtsp://10.0.0.5/stream"), StreamSource)
        worker = CameraWorker(_settings(source="pattern:90"))
        worker.start()
        try:
            frame = worker.wait_newer(0, timeout=5)
            assert frame is not None and int(frame.image[0, 0, 0]) == 90
        finally:
            worker.stop()
    finally:
        SOURCE_KINDS.pop("test pattern", None)
    assert isinstance(make_source("pattern:90"), VideoFileSource)  # gone again


def test_every_kind_says_what_it_accepts() -> None:
    kinds = source_kinds()
    assert {k.kind for k in kinds} >= {"device", "stream", "image folder", "video file"}
    assert all(k.accepted for k in kinds)
    assert kinds[-1] is VideoFileSource  # the fallback for any other path


def test_video_file_plays_at_its_own_rate_and_loops(clip: Path) -> None:
    worker = CameraWorker(_settings(source=str(clip)))
    worker.start()
    try:
        first = worker.wait_newer(0, timeout=5)
        assert first is not None and first.image.shape == (360, 640, 3)
        time.sleep(1.0)
        frame = worker.latest()
        assert frame is not None
        rate = (frame.seq - first.seq) / (frame.timestamp - first.timestamp)
        # The clip is 29.97 fps; pacing keeps playback near real time, never a burst.
        assert 20 <= rate <= 32, rate
        assert worker.status.state == RUNNING
    finally:
        worker.stop()


def test_video_file_loops_after_its_last_frame(clip: Path) -> None:
    worker = CameraWorker(_settings(source=str(clip), file_fps=120.0))
    worker.start()
    try:
        # 275 frames at 120 fps: past the end after about 2.3 s.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (worker.latest() is None
                                               or worker.latest().seq < 320):
            time.sleep(0.1)
        assert worker.latest() is not None and worker.latest().seq >= 320
        assert worker.status.state == RUNNING
    finally:
        worker.stop()


def test_folder_of_images_is_sorted_looping_and_skips_bad_files(image_folder: Path) -> None:
    # 00.png, 01.png, 99-broken.jpg (skipped), b-later/02.png
    source = ImageFolderSource(image_folder)
    source.open()
    values = [int(source.read()[0, 0, 0]) for _ in range(7)]
    assert values == [50, 100, 150, 50, 100, 150, 50]


def test_slow_consumer_sees_fresh_frames_not_a_queue(clip: Path) -> None:
    worker = CameraWorker(_settings(source=str(clip)))
    worker.start()
    try:
        seen = []
        last = 0
        for _ in range(4):
            frame = worker.wait_newer(last, timeout=5)
            assert frame is not None
            # The frame handed out is the newest, captured a moment ago...
            assert time.monotonic() - frame.timestamp < 0.2
            seen.append(frame.seq)
            last = frame.seq
            time.sleep(0.3)  # ... even though this consumer is slow
        # ... and frames in between were dropped, not queued.
        gaps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
        assert all(g >= 5 for g in gaps), gaps
    finally:
        worker.stop()


def test_bogus_path_reports_no_camera_and_retries_with_backoff(tmp_path: Path) -> None:
    log = StatusLog()
    worker = CameraWorker(_settings(source=str(tmp_path / "missing.mp4")), on_status=log)
    worker.start()
    try:
        time.sleep(1.0)
        assert worker.latest() is None
        assert worker.status.state == NO_CAMERA
        assert "does not exist" in worker.status.message
        first = worker.retries
        assert first >= 2
        time.sleep(0.5)
        assert worker.retries > first
        assert set(log.states()) == {NO_CAMERA}
    finally:
        worker.stop()


def test_backoff_doubles_up_to_the_maximum(tmp_path: Path) -> None:
    worker = CameraWorker(CameraSettings(source=str(tmp_path / "nope"), reconnect_min_s=0.5,
                                         reconnect_max_s=3.0))
    waits = []
    for n in range(1, 7):
        worker.retries = n
        waits.append(worker._backoff())
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_unreachable_url_gives_no_camera_not_an_exception() -> None:
    log = StatusLog()
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    worker = CameraWorker(_settings(source="http://127.0.0.1:9/video.mjpg"), on_status=log)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and worker.retries < 2:
            time.sleep(0.05)
        assert worker.retries >= 2
        assert worker.status.state == NO_CAMERA
        assert "does not answer" in worker.status.message
    finally:
        worker.stop()


def test_auto_without_a_device_says_no_camera() -> None:
    if cv2.VideoCapture(0).isOpened():
        pytest.skip("this machine has a camera at index 0")
    worker = CameraWorker(_settings(source="auto"))
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and worker.retries < 1:
            time.sleep(0.05)
        assert worker.status.state == NO_CAMERA
        assert "camera device 0" in worker.status.message
    finally:
        worker.stop()


def test_folder_emptied_while_running_reconnects_then_recovers(image_folder: Path) -> None:
    log = StatusLog()
    worker = CameraWorker(_settings(source=str(image_folder), file_fps=20.0), on_status=log)
    worker.start()
    try:
        assert worker.wait_newer(0, 5) is not None
        hidden = image_folder.parent / "hidden"
        image_folder.rename(hidden)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "reconnecting" not in log.states():
            time.sleep(0.05)
        assert "reconnecting" in log.states()
        hidden.rename(image_folder)
        # Plugged back: frames flow again within 2 s.
        seq = worker.latest().seq
        assert worker.wait_newer(seq, 2.0) is not None
        assert worker.status.state == RUNNING
    finally:
        worker.stop()


def test_rotation_mirror_and_roi() -> None:
    img = np.zeros((2, 3, 3), np.uint8)
    img[0, 0] = 255  # top-left pixel marked
    rotated = Transform(rotation=90).apply(img)
    assert rotated.shape == (3, 2, 3) and rotated[0, 1, 0] == 255  # now top-right
    assert Transform(rotation=180).apply(img)[1, 2, 0] == 255
    assert Transform(rotation=270).apply(img)[2, 0, 0] == 255
    assert Transform(mirror=True).apply(img)[0, 2, 0] == 255
    assert Transform(roi=(0.25, 0.1, 0.75, 0.9)).roi_box(640, 480) == (48, 480, 432, 160)


def test_worker_applies_transform_and_reports_roi(clip: Path) -> None:
    worker = CameraWorker(_settings(source=str(clip), rotation=90, roi_left=0.5))
    worker.start()
    try:
        frame = worker.wait_newer(0, 5)
        assert frame is not None and frame.image.shape == (640, 360, 3)
        assert frame.roi == (0, 360, 640, 180)
        assert frame.roi_image().shape == (640, 180, 3)
    finally:
        worker.stop()


def test_pause_releases_the_source_until_resume(clip: Path) -> None:
    log = StatusLog()
    worker = CameraWorker(_settings(source=str(clip)), on_status=log)
    worker.start()
    try:
        assert worker.wait_newer(0, 5) is not None
        assert worker.pause(3.0)  # the source is closed when pause returns True
        assert worker.status.state == PAUSED and worker.source._cap is None  # type: ignore[attr-defined]
        seq = worker.latest().seq
        assert worker.wait_newer(seq, 0.5) is None  # no frames while paused
        worker.resume()
        assert worker.wait_newer(seq, 5) is not None
        assert worker.status.state == RUNNING and log.states()[-2:] == [PAUSED, RUNNING]
    finally:
        worker.stop()


def test_reconfigure_turns_at_once_and_reopens_for_a_new_size_or_source(
        clip: Path, image_folder: Path) -> None:
    worker = CameraWorker(_settings(source=str(clip)))
    worker.start()
    try:
        first = worker.wait_newer(0, 5)
        assert first is not None and first.image.shape == (360, 640, 3)
        worker.reconfigure(_settings(source=str(clip), rotation=90, roi_top=0.5))
        frame = worker.wait_newer(first.seq + 1, 5)  # the frame after the next: turned
        assert frame is not None and frame.image.shape == (640, 360, 3)
        assert frame.roi == (320, 360, 640, 0)
        source = worker.source
        assert worker.source is source  # no reopen for a turn
        worker.reconfigure(_settings(source=str(image_folder), file_fps=20.0))
        deadline, seq = time.monotonic() + 5, frame.seq
        while time.monotonic() < deadline:
            latest = worker.wait_newer(seq, 1)
            if latest is not None:
                seq = latest.seq
                if latest.image.shape == (40, 60, 3):
                    break
        assert worker.source is not source and worker.latest().image.shape == (40, 60, 3)
    finally:
        worker.stop()
