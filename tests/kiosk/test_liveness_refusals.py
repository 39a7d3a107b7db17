"""The liveness refusal counter staff read: per local day, survives a restart, a damaged
file loses nothing but itself, and no image is written unless the setting asks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from config.liveness import LivenessSettings
from kiosk.adapters.refusals import RefusalLog, face_crop, read_counts
from kiosk.cli import cli

FACE = np.full((120, 100, 3), 128, np.uint8)


def test_refusals_are_counted_per_day_and_survive_a_restart(tmp_path: Path) -> None:
    day = [date(2026, 12, 1)]
    log = RefusalLog(tmp_path, LivenessSettings(), today=lambda: day[0])
    assert log.record("spoof", "looks like a photo or a screen", 0.12, FACE) == 1
    assert log.record("unsure", "score between the thresholds", 0.5, FACE) == 2
    day[0] = date(2026, 12, 2)
    assert log.today_count() == 0
    assert log.record("spoof", "moved like a flat picture", 0.9) == 1
    again = RefusalLog(tmp_path, LivenessSettings(), today=lambda: day[0])
    assert again.today_count() == 1
    assert read_counts(tmp_path) == {"2026-12-01": {"spoof": 1, "unsure": 1},
                                     "2026-12-02": {"spoof": 1}}
    assert not list((tmp_path / "liveness").glob("*.jpg"))  # keep_refused_images is off
    out = CliRunner().invoke(cli, ["liveness", "--stats", "--data-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["2026-12-01: 2 refused (spoof 1, unsure 1)",
                                       "2026-12-02: 1 refused (spoof 1, unsure 0)"]


def test_a_damaged_counter_file_starts_again(tmp_path: Path, caplog) -> None:
    (tmp_path / "liveness").mkdir()
    (tmp_path / "liveness" / "refusals.json").write_text("{not json")
    log = RefusalLog(tmp_path, LivenessSettings(), today=lambda: date(2026, 12, 2))
    assert log.record("spoof", "looks like a photo or a screen", 0.1) == 1
    assert "unreadable" in caplog.text


def test_liveness_without_source_or_stats_is_one_line_error(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["liveness", "--data-dir", str(tmp_path)])
    assert out.exit_code == 2
    assert out.output.strip().splitlines()[-1].startswith("error: give a SOURCE")


def test_face_crop_stays_inside_the_frame() -> None:
    frame = np.zeros((100, 200, 3), np.uint8)
    crop = face_crop(frame, (10, 190, 90, 120))
    assert crop.shape == (100, 200 - 99, 3)
