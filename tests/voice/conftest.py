"""Voice packs for the tests: the real espeak-ng default pack and hand-made tone packs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.voice.sound import tone_freq, write_tone
from voice.vocabulary import ALL_TOKENS, clip_name


@pytest.fixture(scope="session")
def espeak_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the default pack built with the real espeak-ng (once a session)."""
    from voice.build import ensure_default_pack

    if shutil.which("espeak-ng") is None:
        message = "espeak-ng is not installed (scripts/setup.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    data_dir = tmp_path_factory.mktemp("voice-data")
    ensure_default_pack(data_dir)
    return data_dir


@pytest.fixture
def tone_pack(tmp_path: Path) -> Path:
    """A "recorded by a person" pack at 16 kHz: one tone per token, "mười" at 44.1 kHz stereo."""
    root = tmp_path / "recorded"
    root.mkdir()
    (root / "pack.toml").write_text(
        'name = "Chị Lan"\nlanguage = "vi"\nvoice = "female, Hà Nội"\nsample_rate = 16000\n',
        encoding="utf-8")
    for token in ALL_TOKENS:
        if token == "mười":
            write_tone(root / clip_name(token), tone_freq(token), 44100, channels=2)
        else:
            write_tone(root / clip_name(token), tone_freq(token), 16000)
    return root
