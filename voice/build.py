"""The default voice pack, synthesised offline with espeak-ng and cached; which pack to use.

``ensure_default_pack`` builds every clip of ``voice.vocabulary`` with
``espeak-ng -v <voice> -w clip.wav "<text>"`` into ``<data dir>/voice/default-<voice>/``,
and rebuilds only when a clip is missing or espeak-ng's version or voice changed (the
``generator`` line of ``pack.toml`` records both).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from config.voice import VoiceSettings
from voice.pack import PACK_FILE, VoicePack, VoicePackError, load_pack
from voice.vocabulary import ALL_TOKENS, clip_name, spoken_text

ESPEAK = "espeak-ng"
SPEED_WPM = 150  # a little slower than espeak's 175 words a minute, for a hall
INSTALL_HINT = ("install it with `sudo apt-get install espeak-ng` (scripts/setup.sh does), "
                "or set voice.pack to the folder of a recorded pack")


def _run(cmd: list[str], timeout_s: float = 30.0) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except FileNotFoundError:
        raise VoicePackError(f"{cmd[0]} is not installed: {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise VoicePackError(f"{cmd[0]} did not finish within {timeout_s:.0f} s") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[0]
        raise VoicePackError(f"{cmd[0]} failed: {reason}")
    return done.stdout


def espeak_version(espeak: str = ESPEAK) -> str:
    """espeak-ng's version, e.g. "1.51"; ``VoicePackError`` with the install hint if missing."""
    words = _run([espeak, "--version"]).split()
    # "eSpeak NG text-to-speech: 1.51  Data at: ..."
    for i, word in enumerate(words):
        if word.endswith(":") and i + 1 < len(words):
            return words[i + 1]
    return " ".join(words[:4])


def generator_id(voice: str, espeak: str = ESPEAK) -> str:
    """What a default pack was made with: ``"espeak-ng 1.51 voice vi speed 150"``."""
    return f"espeak-ng {espeak_version(espeak)} voice {voice} speed {SPEED_WPM}"


def synthesise(text: str, dest: Path, voice: str = "vi", espeak: str = ESPEAK,
               timeout_s: float = 60.0) -> Path:
    """Speak ``text`` with espeak-ng's ``voice`` at ``SPEED_WPM`` into the WAV file ``dest``
    (mono 16-bit PCM at espeak's 22,050 Hz); ``VoicePackError`` says why it could not."""
    _run([espeak, "-v", voice, "-s", str(SPEED_WPM), "-w", str(dest), text], timeout_s)
    return dest


def build_default_pack(dest: Path, voice: str = "vi", espeak: str = ESPEAK) -> VoicePack:
    """Synthesise every clip into ``dest`` (replaced as a whole once all clips are made)."""
    generator = generator_id(voice, espeak)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for token in ALL_TOKENS:
            synthesise(spoken_text(token), work / clip_name(token), voice, espeak)
        with wave.open(str(work / clip_name(ALL_TOKENS[0])), "rb") as wav:
            rate = wav.getframerate()
        (work / PACK_FILE).write_text(
            f'name = "espeak-ng {voice}"\nlanguage = "vi"\n'
            f'voice = "espeak-ng {voice}"\nsample_rate = {rate}\n'
            f'generator = "{generator}"\n',
            encoding="utf-8",
        )
        if dest.exists():
            old = dest.with_name(f".{dest.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        work.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return load_pack(dest)


def ensure_default_pack(data_dir: Path, voice: str = "vi", espeak: str = ESPEAK) -> VoicePack:
    """The cached default pack under ``data_dir/voice/``, built first if missing or stale."""
    dest = Path(data_dir) / "voice" / f"default-{voice}"
    if (dest / PACK_FILE).is_file():
        try:
            pack = load_pack(dest)
        except VoicePackError:
            pack = None
        if (pack is not None and pack.generator == generator_id(voice, espeak)
                and not pack.missing(ALL_TOKENS)):
            return pack
    return build_default_pack(dest, voice, espeak)


def open_pack(settings: VoiceSettings, data_dir: Path, espeak: str = ESPEAK) -> VoicePack:
    """The pack the settings name: a recorded pack's folder (relative: under ``data_dir``),
    or for "default" the espeak-ng pack, built once and cached."""
    if settings.pack.strip() == "default":
        return ensure_default_pack(data_dir, settings.espeak_voice, espeak)
    folder = Path(settings.pack).expanduser()
    return load_pack(folder if folder.is_absolute() else Path(data_dir) / folder)
