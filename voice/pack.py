"""A voice pack: a folder of WAV clips, one per token, and its ``pack.toml``.

See docs/voice-pack.md for the folder format. ``load_pack`` reads and checks the
description; ``VoicePack.render`` joins clips into one announcement.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voice.audio import AudioError, chime, read_wav, resample, silence, trim, wav_bytes
from voice.vocabulary import PAUSE, clip_name

PACK_FILE = "pack.toml"
CHIME_FILE = "chime.wav"
MIN_RATE, MAX_RATE = 8000, 48000
CHIME_GAP_MS = 300  # silence between the chime and the first word


class VoicePackError(Exception):
    """A voice pack that cannot be used; the message says which file and what to do."""


@dataclass
class VoicePack:
    """A loaded pack: its folder, description, and the clips read so far (cached)."""

    root: Path
    name: str
    language: str
    voice: str
    sample_rate: int
    generator: str = ""
    _clips: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def clip_path(self, token: str) -> Path:
        """The file of a token's clip (which may not exist)."""
        return self.root / clip_name(token)

    def missing(self, tokens: list[str] | tuple[str, ...]) -> list[str]:
        """The tokens among ``tokens`` (pauses ignored) whose clip file is missing."""
        seen: list[str] = []
        for token in tokens:
            if token != PAUSE and token not in seen and not self.clip_path(token).is_file():
                seen.append(token)
        return seen

    def require(self, tokens: list[str] | tuple[str, ...]) -> None:
        """Raise ``VoicePackError`` naming each missing clip (file and word), if any."""
        missing = self.missing(tokens)
        if missing:
            shown = ", ".join(f"{clip_name(t)} ({t})" for t in missing)
            raise VoicePackError(
                f"voice pack {self.root} lacks {len(missing)} clip(s): {shown}; "
                "record them or rebuild the default pack"
            )

    def clip(self, token: str) -> np.ndarray:
        """A token's clip trimmed of silence at both ends, at the pack's rate, shape ``(n,)``."""
        if token not in self._clips:
            self.require([token])
            try:
                samples, rate = read_wav(self.clip_path(token))
            except AudioError as exc:
                raise VoicePackError(f"voice pack clip {exc}") from None
            samples = trim(resample(samples, rate, self.sample_rate), self.sample_rate)
            if len(samples) == 0:
                raise VoicePackError(f"voice pack clip {self.clip_path(token)} is silent")
            self._clips[token] = samples
        return self._clips[token]

    def chime(self) -> np.ndarray:
        """The pack's ``chime.wav`` if it has one, else the generated two-tone chime."""
        path = self.root / CHIME_FILE
        if not path.is_file():
            return chime(self.sample_rate)
        try:
            samples, rate = read_wav(path)
        except AudioError as exc:
            raise VoicePackError(f"voice pack chime {exc}") from None
        return resample(samples, rate, self.sample_rate)

    def render(self, tokens: list[str], *, pause_ms: int = 120, phrase_pause_ms: int = 350,
               chime: bool = True) -> bytes:
        """``tokens`` spoken as one WAV file's bytes (mono, 16-bit, ``sample_rate`` Hz).

        Clips are joined with ``pause_ms`` of silence; a ``","`` token makes that pause
        ``phrase_pause_ms`` long. With ``chime``, the chime and 300 ms of silence come
        first. Every missing clip is named in one ``VoicePackError`` before any is read.
        """
        self.require(tokens)
        rate = self.sample_rate
        parts: list[np.ndarray] = []
        if chime:
            parts += [self.chime(), silence(CHIME_GAP_MS, rate)]
        spoken = False
        gap = pause_ms
        for token in tokens:
            if token == PAUSE:
                gap = max(gap, phrase_pause_ms)
                continue
            if spoken:
                parts.append(silence(gap, rate))
            parts.append(self.clip(token))
            spoken, gap = True, pause_ms
        return wav_bytes(np.concatenate(parts) if parts else silence(0, rate), rate)


def load_pack(root: str | Path) -> VoicePack:
    """Read a pack's ``pack.toml``; raise ``VoicePackError`` saying what is wrong.

    Clips are read lazily; call ``VoicePack.require`` to check them up front.
    """
    folder = Path(root)
    path = folder / PACK_FILE
    if not folder.is_dir():
        raise VoicePackError(f"voice pack folder {folder} does not exist")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise VoicePackError(f"voice pack {folder} has no {PACK_FILE} "
                             "(see docs/voice-pack.md)") from None
    except tomllib.TOMLDecodeError as exc:
        raise VoicePackError(f"{path} is not valid TOML: {exc}") from None
    rate = data.get("sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, int) or not MIN_RATE <= rate <= MAX_RATE:
        raise VoicePackError(
            f"{path}: sample_rate must be an integer from {MIN_RATE} to {MAX_RATE} Hz "
            f"(got {rate!r})"
        )
    for key in ("name", "language", "voice"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise VoicePackError(f"{path}: '{key}' must be a non-empty text")
    if not data["language"].lower().startswith("vi"):
        raise VoicePackError(f"{path}: language must be Vietnamese, 'vi' "
                             f"(got {data['language']!r})")
    generator = data.get("generator", "")
    return VoicePack(root=folder, name=data["name"], language=data["language"],
                     voice=data["voice"], sample_rate=rate,
                     generator=generator if isinstance(generator, str) else "")
