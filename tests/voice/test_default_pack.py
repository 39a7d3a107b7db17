"""The default pack: built with espeak-ng once, cached, rebuilt when stale; clear when missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from config import ConfigError, load_settings
from tests.voice.sound import read
from voice.build import ensure_default_pack
from voice.cli import announce
from voice.pack import VoicePackError
from voice.vocabulary import ALL_TOKENS, clip_name


def test_default_pack_has_every_clip(espeak_data_dir: Path) -> None:
    pack = ensure_default_pack(espeak_data_dir)
    assert pack.missing(ALL_TOKENS) == []
    assert pack.generator.startswith("espeak-ng ") and " voice vi " in pack.generator
    for token in ("mời", "A", "mười", "lăm"):
        assert pack.clip(token).size > 0.1 * pack.sample_rate


def test_default_pack_is_cached_and_rebuilt_when_stale(tmp_path: Path,
                                                       espeak_data_dir: Path) -> None:
    pack = ensure_default_pack(tmp_path)
    clip = pack.clip_path("mời")
    built = clip.stat().st_mtime_ns
    assert ensure_default_pack(tmp_path).clip_path("mời").stat().st_mtime_ns == built
    # a clip deleted by hand is made again
    pack.clip_path("lăm").unlink()
    assert ensure_default_pack(tmp_path).clip_path("lăm").is_file()
    # a pack made by another espeak-ng version is rebuilt as a whole
    toml = pack.root / "pack.toml"
    toml.write_text(toml.read_text().replace("espeak-ng 1", "espeak-ng 0"))
    rebuilt = ensure_default_pack(tmp_path)
    assert rebuilt.generator == pack.generator
    assert rebuilt.clip_path("mời").stat().st_mtime_ns != built
    assert sorted(p.name for p in tmp_path.joinpath("voice").iterdir()) == ["default-vi"]


def test_missing_espeak_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(VoicePackError, match="apt-get install espeak-ng"):
        ensure_default_pack(tmp_path, espeak=str(tmp_path / "no-espeak-ng"))


def test_cli_writes_one_call(espeak_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    result = CliRunner().invoke(announce, ["A012", "3", "--out", str(out), "--recall",
                                           "--data-dir", str(espeak_data_dir)])
    assert result.exit_code == 0, result.output
    samples, rate, channels, _ = read(out.read_bytes())
    assert channels == 1 and len(samples) / rate > 4.0


def test_cli_uses_a_given_pack(tone_pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    result = CliRunner().invoke(announce, ["B7", "12", "--out", str(out), "--pack",
                                           str(tone_pack), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "Chị Lan" in result.output
    assert read(out.read_bytes())[1] == 16000


def test_cli_bad_input_is_one_line_and_writes_nothing(tone_pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "call.wav"
    (tone_pack / clip_name("quầy")).unlink()
    for args, expected in ((["A0?2", "3"], "cannot read the character"),
                           (["A012", "3"], "quaayf.wav (quầy)")):
        result = CliRunner().invoke(announce, [*args, "--out", str(out), "--pack",
                                               str(tone_pack)])
        assert result.exit_code == 1
        assert expected in result.output and result.output.count("\n") == 1
        assert not out.exists()


def test_voice_settings_are_checked(tmp_path: Path) -> None:
    assert load_settings().voice.pack == "default"
    f = tmp_path / "v.toml"
    f.write_text("[voice]\npause_ms = -5\n")
    with pytest.raises(ConfigError, match="voice.pause_ms"):
        load_settings(f)
    f.write_text('[voice]\ndialect = "central"\n')
    with pytest.raises(ConfigError, match="voice.dialect"):
        load_settings(f)
