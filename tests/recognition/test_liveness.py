"""Liveness: a photo, a screen or a video held up to the camera is not taken for a person.

Real networks (the shipped MiniFASNet ONNX files on OpenCV DNN), real dlib landmarks,
real videos read with OpenCV; the attack videos are synthesised from the shared photos as
an attacker would present them (``scripts/attack_videos.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from config import ConfigError, Settings, load_settings
from config.liveness import LivenessSettings
from recognition import antispoof
from recognition.detect import detect_faces
from recognition.engine import FaceEngine
from recognition.face_motion import active_cues, homography_residual
from recognition.face_tracks import follow_faces
from recognition.liveness import LivenessTracker, Verdict
from recognition.types import FaceBox
from scripts.attack_videos import AttackSpec, attack_frames, face_photo

SAMPLES = "silent_face/images/sample"
CLIP = "face_recognition/examples/short_hamilton_clip.mp4"


def _box(engine: FaceEngine, rgb: np.ndarray) -> FaceBox:
    det = engine.settings.model_copy(update={"detection_upsample": 1})
    boxes = detect_faces(rgb, det)
    assert boxes, "no face found"
    return boxes[0]


def _clip_frames(faces_dir: Path, start: int, stop: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(faces_dir / CLIP))
    frames = []
    index = 0
    while index < stop:
        ok, frame = cap.read()
        if not ok:
            break
        if index >= start:
            frames.append(frame)
        index += 1
    cap.release()
    return frames


# --- configuration -------------------------------------------------------------------


def test_default_mode_is_passive_and_active() -> None:
    assert Settings().liveness.mode == "passive+active"


def test_unknown_mode_is_refused_naming_the_field(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[liveness]\nmode = "blink-only"\n')
    with pytest.raises(ConfigError, match=r"liveness\.mode"):
        load_settings(cfg)


def test_thresholds_are_bounded_and_ordered(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[liveness]\nlive_score = 1.5\n")
    with pytest.raises(ConfigError, match=r"liveness\.live_score"):
        load_settings(cfg)
    with pytest.raises(ValueError, match="spoof_score"):
        LivenessSettings(live_score=0.4, spoof_score=0.6)


# --- the cues, on geometry alone -----------------------------------------------------


def _face_points(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(100, 300, size=(68, 2)).astype(np.float32)


def test_a_flat_picture_seen_from_elsewhere_leaves_no_residual() -> None:
    points = _face_points(np.random.default_rng(1))
    h = np.array([[1.1, 0.05, 12.0], [-0.04, 0.95, -7.0], [1e-4, -2e-4, 1.0]])
    moved = cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), h)
    assert homography_residual(points, moved.reshape(-1, 2)) < 1e-3


def test_a_face_that_is_not_flat_leaves_a_residual() -> None:
    points = _face_points(np.random.default_rng(2))
    moved = points.copy()
    moved[27:36] += (6.0, 0.0)  # the nose moves against the rest: a head turning
    assert homography_residual(points, moved) > 1.0


def test_a_blink_is_a_drop_of_the_eye_aspect_ratio_that_comes_back() -> None:
    open_eyes = np.zeros((68, 2), np.float32)
    for start, x0 in ((36, 100.0), (42, 200.0)):
        open_eyes[start : start + 6] = [(x0, 100), (x0 + 10, 95), (x0 + 20, 95),
                                        (x0 + 30, 100), (x0 + 20, 105), (x0 + 10, 105)]
    closed = open_eyes.copy()
    for start in (36, 42):
        closed[start + 1 : start + 3, 1] = 99.5
        closed[start + 4 : start + 6, 1] = 100.5
    frames = [open_eyes] * 4 + [closed] * 2 + [open_eyes] * 4
    assert active_cues(frames, blink_ratio=0.7).blink
    assert not active_cues([open_eyes] * 10, blink_ratio=0.7).blink
    assert not active_cues([open_eyes] * 6 + [closed] * 2, blink_ratio=0.7).blink


# --- the passive networks on the shared samples ---------------------------------------


def test_the_live_sample_scores_high(photo, engine: FaceEngine) -> None:  # noqa: ANN001
    rgb = photo(f"{SAMPLES}/image_T1.jpg")
    score = antispoof.real_score(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), _box(engine, rgb))
    assert score >= Settings().liveness.live_score


@pytest.mark.parametrize("name", ["image_F1.jpg", "image_F2.jpg"])
def test_attack_samples_score_low(photo, engine: FaceEngine, name: str) -> None:  # noqa: ANN001
    rgb = photo(f"{SAMPLES}/{name}")  # EXIF orientation applied: F1 is found only upright
    score = antispoof.real_score(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), _box(engine, rgb))
    assert score < 0.5


# --- the tracker --------------------------------------------------------------------


def test_off_mode_passes_every_face_at_once(photo, engine: FaceEngine) -> None:  # noqa: ANN001
    rgb = photo(f"{SAMPLES}/image_F2.jpg")
    box = _box(engine, rgb)
    tracker = LivenessTracker(LivenessSettings(mode="off"))
    result = tracker.update(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), box, np.zeros((68, 2)), 0.0)
    assert result is not None and result.verdict is Verdict.LIVE and result.score is None


def test_one_photo_cannot_prove_movement(photo, engine: FaceEngine) -> None:  # noqa: ANN001
    from recognition.encode import landmarks68

    rgb = photo(f"{SAMPLES}/image_T1.jpg")
    box = _box(engine, rgb)
    tracker = LivenessTracker(LivenessSettings())
    assert tracker.update(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), box,
                          landmarks68(rgb, box), 0.0) is None  # fewer than min_frames
    assert tracker.finish().verdict is Verdict.UNSURE
    passive = LivenessTracker(LivenessSettings(mode="passive"))
    passive.update(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), box, landmarks68(rgb, box), 0.0)
    assert passive.finish().verdict is Verdict.LIVE


@pytest.mark.parametrize("kind", ["shake", "tilt", "close"])
def test_a_photo_moved_in_front_of_the_camera_is_not_live(
    photo, engine: FaceEngine, kind: str  # noqa: ANN001
) -> None:
    rgb = photo("face_recognition/tests/test_images/obama.jpg")
    picture = face_photo(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), _box(engine, rgb).as_tuple())
    spec = AttackSpec(kind, frames=36)
    tracks = follow_faces(engine, attack_frames(picture, spec), LivenessSettings(), spec.fps)
    verdicts = [t.result().verdict for t in tracks.tracks]
    assert verdicts, "the attack video should show a face"
    assert Verdict.LIVE not in verdicts


def test_a_rigid_photo_is_refused_by_the_active_cues_alone(
    photo, engine: FaceEngine  # noqa: ANN001
) -> None:
    """Even when the networks are fooled (live_score 0), a picture that moves stays flat."""
    rgb = photo("face_recognition/tests/test_images/obama.jpg")
    picture = face_photo(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), _box(engine, rgb).as_tuple())
    fooled = LivenessSettings(live_score=0.0001, spoof_score=0.0)
    spec = AttackSpec("shake", frames=36)
    tracks = follow_faces(engine, attack_frames(picture, spec), fooled, spec.fps)
    assert [t.result().verdict for t in tracks.tracks] == [Verdict.SPOOF]


def test_the_people_in_the_clip_are_live_within_a_second(
    faces_dir: Path, engine: FaceEngine
) -> None:
    frames = _clip_frames(faces_dir, 80, 150)
    tracks = follow_faces(engine, frames, LivenessSettings(), 29.97)
    results = [t.result() for t in tracks.tracks if len(t.boxes) >= 3]
    assert results, "the clip should show a face between frames 80 and 150"
    for result in results:
        assert result.verdict is Verdict.LIVE, result
        assert result.elapsed_s < 1.0


# --- the command --------------------------------------------------------------------


def test_cli_on_the_clip_prints_a_verdict_per_track(faces_dir: Path, tmp_path: Path) -> None:
    from kiosk.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["liveness", str(faces_dir / CLIP), "--json",
                                 "--max-frames", "130", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert rows and {"verdict", "score", "cues", "track"} <= set(rows[0])
    assert any(r["verdict"] == "live" for r in rows)
    text = runner.invoke(cli, ["liveness", str(faces_dir / CLIP), "--max-frames", "130",
                               "--data-dir", str(tmp_path)])
    assert "track 1: live" in text.output


def test_cli_refuses_a_missing_source_in_one_line(tmp_path: Path) -> None:
    from kiosk.cli import cli

    result = CliRunner().invoke(cli, ["liveness", str(tmp_path / "nope.mp4"),
                                      "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no such file, folder or camera index" in result.output


def test_the_networks_ship_inside_the_package_with_their_licence() -> None:
    names = {p.name for p in antispoof.WEIGHTS_DIR.iterdir()}
    assert {m.file for m in antispoof.MODELS} | {"LICENSE"} <= names
    assert not any(n.endswith(".pth") for n in names)
    assert "Apache License" in (antispoof.WEIGHTS_DIR / "LICENSE").read_text()
