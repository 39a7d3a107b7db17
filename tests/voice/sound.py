"""Measuring the announcements: WAV bytes to samples, loudness in 10 ms windows, pitch."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from voice.vocabulary import ALL_TOKENS

WINDOW_MS = 10
SILENT_RMS = 0.005


def read(audio: bytes) -> tuple[np.ndarray, int, int, int]:
    """WAV bytes as (samples -1..1, rate Hz, channels, sample width bytes)."""
    with wave.open(io.BytesIO(audio), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768, rate, channels, width


def window_rms(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS of consecutive 10 ms windows."""
    n = int(rate * WINDOW_MS / 1000)
    usable = samples[: len(samples) // n * n].reshape(-1, n)
    return np.sqrt((usable ** 2).mean(axis=1))


def runs(loud: np.ndarray) -> list[tuple[bool, int]]:
    """Runs of equal values as (value, length in windows)."""
    out: list[tuple[bool, int]] = []
    for value in loud:
        if out and out[-1][0] == bool(value):
            out[-1] = (bool(value), out[-1][1] + 1)
        else:
            out.append((bool(value), 1))
    return out


def sounds_and_gaps(samples: np.ndarray, rate: int) -> tuple[list[int], list[int]]:
    """Lengths in ms of the sounding stretches and of the silences between them."""
    r = runs(window_rms(samples, rate) >= SILENT_RMS)
    while r and not r[0][0]:
        r.pop(0)
    while r and not r[-1][0]:
        r.pop()
    sounds = [n * WINDOW_MS for loud, n in r if loud]
    gaps = [n * WINDOW_MS for loud, n in r if not loud]
    return sounds, gaps


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency of ``samples``, in Hz."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(spectrum.argmax())])


def write_tone(path: Path, freq: float, rate: int, seconds: float = 0.2,
               channels: int = 1, pad_s: float = 0.03) -> None:
    """A tone clip with ``pad_s`` of silence either side, 16-bit PCM."""
    t = np.arange(int(rate * seconds)) / rate
    ramp = np.minimum(1.0, np.minimum(t, seconds - t) / 0.005)
    tone = 0.5 * np.sin(2 * np.pi * freq * t) * ramp
    pad = np.zeros(int(rate * pad_s))
    mono = (np.concatenate([pad, tone, pad]) * 32767).astype("<i2")
    frames = np.repeat(mono, channels) if channels > 1 else mono
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())


def tone_freq(token: str) -> float:
    """The frequency of a token's clip in the tone pack: 300 Hz + 50 Hz a token."""
    return 300.0 + 50.0 * ALL_TOKENS.index(token)
