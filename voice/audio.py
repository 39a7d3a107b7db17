"""Mono audio as numpy arrays: read and write 16-bit WAV, resample, trim, chime, silence.

Samples are ``float32`` arrays of shape ``(n,)`` in -1..1; rates are in Hz.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

SILENCE_LEVEL = 0.01  # |sample| below this (1% of full scale) counts as silence when trimming


class AudioError(ValueError):
    """A WAV file that cannot be used; the message names the file and the reason."""


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file as mono samples, shape ``(n,)``, and its rate in Hz.

    Stereo (or more channels) is mixed down. Raises ``AudioError`` for anything that is
    not uncompressed 16-bit PCM WAV.
    """
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a PCM WAV file ({exc})") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror})") from None
    if width != 2:
        raise AudioError(f"{path}: samples are {8 * width}-bit; clips must be 16-bit PCM")
    data = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data[: len(data) // channels * channels].reshape(-1, channels).mean(axis=1)
    return data, rate


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Mono samples (shape ``(n,)``, -1..1) as a 16-bit PCM WAV file's bytes."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return buf.getvalue()


def resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """``samples`` at ``rate`` Hz resampled to ``to_rate`` Hz (linear interpolation).

    Downsampling first averages over the ratio so high frequencies fold in less.
    """
    if rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32)
    if to_rate < rate:
        width = max(1, round(rate / to_rate))
        if width > 1:
            samples = np.convolve(samples, np.ones(width) / width, mode="same")
    n_out = max(1, round(len(samples) * to_rate / rate))
    t_out = np.arange(n_out) * (rate / to_rate)
    out: np.ndarray = np.interp(t_out, np.arange(len(samples)), samples).astype(np.float32)
    return out


def trim(samples: np.ndarray, rate: int, margin_ms: int = 10) -> np.ndarray:
    """``samples`` without the leading and trailing silence, keeping ``margin_ms`` of it."""
    loud = np.flatnonzero(np.abs(samples) >= SILENCE_LEVEL)
    if len(loud) == 0:
        return samples[:0]
    margin = int(rate * margin_ms / 1000)
    return samples[max(0, loud[0] - margin): loud[-1] + 1 + margin]


def silence(ms: int, rate: int) -> np.ndarray:
    """``ms`` milliseconds of silence at ``rate`` Hz."""
    return np.zeros(int(rate * ms / 1000), dtype=np.float32)


def chime(rate: int) -> np.ndarray:
    """A two-tone "ding-dong" (880 Hz then 659 Hz, 0.35 s each, decaying), at ``rate`` Hz."""
    parts = []
    for freq in (880.0, 659.25):
        t = np.arange(int(rate * 0.35)) / rate
        tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)
        envelope = np.exp(-t * 6.0) * np.minimum(1.0, t / 0.005)
        parts.append(0.45 * tone * envelope)
    return np.concatenate(parts).astype(np.float32)
