"""Technician changes to the kiosk's TOML: validated as at start, written atomically,
previous file kept."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from config import ConfigError, load_settings
from kiosk.staff.settings_file import SettingsFile


def test_changes_are_validated_written_and_the_previous_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ncentre_name = "Phường Bến Nghé"\n', encoding="utf-8")
    f = SettingsFile(path)
    settings = f.apply({"printer": {"url": "tcp://192.168.1.50:9100"},
                        "camera": {"rotation": 90, "mirror": True}})
    assert settings.printer.url == "tcp://192.168.1.50:9100"
    again = load_settings(path)  # what the next start reads
    assert (again.camera.rotation, again.camera.mirror) == (90, True)
    assert again.kiosk.centre_name == "Phường Bến Nghé"
    assert "printer" not in tomllib.loads(f.backup.read_text(encoding="utf-8"))
    f.apply({"camera": {"mirror": None}})  # None: back to the default
    assert load_settings(path).camera.mirror is False


def test_an_invalid_value_names_the_field_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    f = SettingsFile(path)
    f.apply({"kiosk": {"daily_ticket_cap": 4}})
    before = path.read_bytes()
    with pytest.raises(ConfigError, match=r"camera\.rotation"):
        f.apply({"camera": {"rotation": 45}})
    with pytest.raises(ConfigError, match=r"kiosk\.daily_ticket_cap"):
        f.apply({"kiosk": {"daily_ticket_cap": 0}})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kiosk.toml"]  # no temp file left
