"""The settings schema: defaults load, bad values name their field."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, Settings, load_settings


def test_shipped_defaults_load_and_equal_the_schema_defaults() -> None:
    assert load_settings() == Settings()


def test_bad_value_names_the_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("[recognition]\nmatch_threshold = 3.0\n")
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    assert "recognition.match_threshold" in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "typo.toml"
    f.write_text("[recognition]\nmatch_treshold = 0.5\n")
    with pytest.raises(ConfigError, match="recognition.match_treshold"):
        load_settings(f)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "k.toml"
    f.write_text("[recognition]\nmatch_threshold = 0.4\n")
    assert load_settings(f).recognition.match_threshold == 0.4
    monkeypatch.setenv("KIOSK_RECOGNITION__MATCH_THRESHOLD", "0.55")
    assert load_settings(f).recognition.match_threshold == 0.55


def test_invalid_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    f = tmp_path / "broken.toml"
    f.write_text("[recognition\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(f)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_shipped_file_is_the_generated_one() -> None:
    from config import DEFAULTS_FILE
    from config.defaults import render_defaults

    assert DEFAULTS_FILE.read_text(encoding="utf-8") == render_defaults(), (
        "config/defaults.toml is stale: run `uv run python -m config.defaults > "
        "config/defaults.toml`"
    )


def test_one_region_of_interest_setting(tmp_path: Path) -> None:
    """The crop is the camera's (camera.roi_*); the old recognition one is refused."""
    bad = tmp_path / "old.toml"
    bad.write_text("[recognition]\nregion_of_interest = [0.1, 0.1, 0.9, 0.9]\n")
    with pytest.raises(ConfigError, match="region_of_interest"):
        load_settings(bad)
    good = tmp_path / "new.toml"
    good.write_text("[camera]\nroi_left = 0.25\nroi_right = 0.75\n")
    camera = load_settings(good).camera
    assert (camera.roi_left, camera.roi_top, camera.roi_right, camera.roi_bottom) == (
        0.25, 0.0, 0.75, 1.0)
