"""The enrolment wizard reads the consent text aloud, offline (docs/voice-pack.md, "The
consent text read aloud").

``ConsentReader.listen(language, version, text)`` returns at once; on a thread of its own
the reader finds the WAV to play and plays it with the kiosk's player (``find_player``):

1. a recording made by a person, ``<data dir>/voice/consent-<lang>-v<version>.wav``
   (WAV PCM), when the centre dropped one there;
2. else the text synthesised with espeak-ng (``voice.build.synthesise``: the Vietnamese
   voice of ``voice.espeak_voice`` for vi, ``en`` for en), cached as
   ``<data dir>/voice/consent-cache/consent-<lang>-v<version>-<voice>-espeak-<espeak
   version>-<text digest>.wav``: built once, built anew for a new consent version or a new
   espeak-ng; older files of that language are removed.

One reading at a time: ``listen`` or ``stop`` ends the reading in progress (the player
process is terminated). The player holds ``SOUND_OUTPUT`` while it runs, so the consent
never plays over an issued number (it waits for the number to end). ``listen`` never
raises: no player, no espeak-ng, a failed synthesis or player sets ``problem`` (logged once
per reason) and the wizard goes on.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import subprocess
import threading
import wave
from pathlib import Path

from config.voice import VoiceSettings
from kiosk.adapters.speech import (
    NO_PLAYER,
    PLAY_TIMEOUT_S,
    SOUND_OUTPUT,
    find_player,
    player_failed,
    tmp_dir,
)
from voice.build import ESPEAK, espeak_version, synthesise

log = logging.getLogger(__name__)

IDLE, PREPARING, PLAYING = "idle", "preparing", "playing"
#: the longest a consent reading may play before its player is ended (the text is ~40 s)
MAX_PLAY_S = 600.0
#: a player still running this long after it was asked to stop is killed
KILL_AFTER_S = 2.0


class SoundProblem(Exception):
    """Why the consent text cannot be heard on this kiosk."""


def recorded_consent(data_dir: Path, language: str, version: str) -> Path:
    """Where a centre drops a person's recording of the consent text (WAV PCM)."""
    return Path(data_dir) / "voice" / f"consent-{language}-v{_safe(version)}.wav"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", part)


def _is_pcm_wav(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


class ConsentReader:
    """Reads the consent text aloud; ``state`` is IDLE, PREPARING or PLAYING."""

    def __init__(self, settings: VoiceSettings, data_dir: Path, espeak: str = ESPEAK) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.espeak = espeak
        self.state = IDLE
        self.problem: str | None = None  # why the last reading was not heard
        self.syntheses = 0  # espeak-ng runs, for the tests: the cache saves them
        self.played: list[Path] = []  # WAVs whose playing began
        self._player = find_player(settings.player)
        self._espeak_id: str | None = None
        self._said: set[str] = set()
        self._lock = threading.Lock()
        self._generation = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._jobs: queue.SimpleQueue[tuple[int, str, str, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    # -- from the screen (returns at once, never raises)

    def listen(self, language: str, version: str, text: str) -> None:
        """Read ``text`` (the consent ``version`` in ``language``), ending any reading."""
        with self._lock:
            self._generation += 1
            self._end_player()
            self.state = PREPARING
            self.problem = None
            job = (self._generation, language, version, text)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="consent-voice",
                                                daemon=True)
                self._thread.start()
        self._jobs.put(job)

    def stop(self) -> None:
        """End the reading in progress (the player is terminated); nothing when idle."""
        with self._lock:
            self._generation += 1
            self._end_player()
            self.state = IDLE

    def close(self, timeout: float = 5.0) -> None:
        self.stop()
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout)

    # -- the WAV

    def wav_for(self, language: str, version: str, text: str) -> Path:
        """The recording when there is a good one, else the cached synthesis (built first
        when missing). ``SoundProblem`` when espeak-ng is missing or fails."""
        recorded = recorded_consent(self.data_dir, language, version)
        if recorded.is_file():
            if _is_pcm_wav(recorded):
                return recorded
            self._say(f"{recorded} is not a WAV PCM file: the synthesised voice is used")
        voice = self.settings.espeak_voice if language == "vi" else "en"
        try:
            if self._espeak_id is None:
                self._espeak_id = espeak_version(self.espeak)
            digest = hashlib.sha256(text.encode()).hexdigest()[:10]
            cache = self.data_dir / "voice" / "consent-cache"
            name = _safe(f"consent-{language}-v{version}-{voice}-espeak-{self._espeak_id}"
                         f"-{digest}") + ".wav"
            wav = cache / name
            if wav.is_file():
                return wav
            part = tmp_dir(self.data_dir) / f"{name}.part"
            synthesise(text, part, voice, self.espeak)
            self.syntheses += 1
            cache.mkdir(parents=True, exist_ok=True)
            part.replace(wav)
        except Exception as exc:  # VoicePackError (no espeak-ng, failed), a full disk
            raise SoundProblem(f"the consent text could not be synthesised: {exc}") from None
        for old in cache.glob(f"consent-{language}-*.wav"):
            if old != wav:
                old.unlink(missing_ok=True)
        return wav

    # -- the thread

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            generation = job[0]
            try:
                if generation == self._generation:
                    self._read(*job)
            except Exception as exc:  # a reading must never stop the wizard
                why = str(exc) if isinstance(exc, SoundProblem) else \
                    f"{type(exc).__name__}: {exc}"
                with self._lock:
                    if generation == self._generation:
                        self.problem = why
                self._say(why)
            finally:
                with self._lock:
                    if generation == self._generation:
                        self.state = IDLE

    def _read(self, generation: int, language: str, version: str, text: str) -> None:
        if self._player is None:
            raise SoundProblem(NO_PLAYER)
        wav = self.wav_for(language, version, text)
        if not SOUND_OUTPUT.acquire(timeout=PLAY_TIMEOUT_S):
            raise SoundProblem("the sound output stayed busy")
        try:
            with self._lock:
                if generation != self._generation:
                    return  # stopped while it was prepared
                argv = [a.replace("{file}", str(wav)) for a in self._player]
                proc = self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                                     stdout=subprocess.DEVNULL,
                                                     stderr=subprocess.PIPE)
                self.state = PLAYING
                self.played.append(wav)
            try:
                _, err = proc.communicate(timeout=MAX_PLAY_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
        finally:
            SOUND_OUTPUT.release()
        with self._lock:
            if self._proc is proc:
                self._proc = None
            if generation != self._generation:
                return  # stopped: the player was ended on purpose
        if proc.returncode != 0:
            raise SoundProblem(player_failed(argv, proc.returncode, err))

    def _end_player(self) -> None:
        """Terminate the running player (under ``_lock``); killed if it lingers."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            timer = threading.Timer(KILL_AFTER_S,
                                    lambda: proc.poll() is None and proc.kill())
            timer.daemon = True
            timer.start()

    def _say(self, why: str) -> None:
        if why not in self._said:
            self._said.add(why)
            log.warning("the kiosk cannot read the consent text aloud: %s", why)
