"""The kiosk reads the issued number aloud ("Số của bạn là A012"), offline.

The audio comes from the same voice pack as the board's calls (``voice/``); it is played by
a command-line player on the kiosk's own sound output (ALSA's ``aplay`` by default), in a
thread of its own, so speech never holds up the screen or the printer. A kiosk without
sound (no player, no sound card, a broken pack) logs why once and goes on silently.
"""

from __future__ import annotations

import logging
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from config.voice import VoiceSettings
from voice.announcement import issued_wav
from voice.build import open_pack
from voice.numbers_vi import NumberReading
from voice.pack import VoicePack

log = logging.getLogger(__name__)

PLAYERS = ("aplay -q {file}", "pw-play {file}", "paplay {file}")
PLAY_TIMEOUT_S = 15.0

#: Held while a player runs on the kiosk's sound output: the issued number and the consent
#: text (kiosk/adapters/consent_voice.py) never play over each other.
SOUND_OUTPUT = threading.Lock()


def find_player(configured: str) -> list[str] | None:
    """The player command as an argument list with ``{file}`` still in it, or None."""
    for line in ([configured] if configured.strip() else list(PLAYERS)):
        argv = shlex.split(line)
        if argv and shutil.which(argv[0]):
            if "{file}" not in line:
                argv.append("{file}")
            return argv
    return None


#: why a kiosk without a player program is silent
NO_PLAYER = "no sound player (install alsa-utils for aplay, or set voice.player)"


def player_failed(argv: list[str], returncode: int | None, stderr: bytes) -> str:
    """One line on a player that exited with an error: its name and its last words."""
    lines = stderr.decode(errors="replace").strip().splitlines()
    return f"{argv[0]} failed: {lines[-1] if lines else returncode}"


def tmp_dir(data_dir: Path) -> Path:
    """``<data dir>/tmp``, made when missing: where sound files wait for the player."""
    path = Path(data_dir) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


class NumberSpeaker:
    """Speaks issued numbers one at a time; ``say`` returns at once and never raises."""

    def __init__(self, settings: VoiceSettings, data_dir: Path) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir)
        self._jobs: queue.Queue[str | None] = queue.Queue(maxsize=4)
        self._pack: VoicePack | None = None
        self._player = find_player(settings.player)
        self.spoken: list[str] = []  # numbers played, for the staff line and the tests
        self.problem: str | None = None  # why the kiosk is silent, when it is
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def say(self, number: str) -> None:
        """Queue "Số của bạn là <number>"; dropped when four are already waiting."""
        try:
            self._jobs.put_nowait(number)
        except queue.Full:
            log.info("speech queue full: number %s not read aloud", number)

    def close(self, timeout: float = 5.0) -> None:
        try:
            self._jobs.put(None, timeout=timeout)
        except queue.Full:
            pass
        self._thread.join(timeout)

    def _silent(self, why: str) -> None:
        if self.problem != why:
            log.warning("the kiosk cannot read numbers aloud: %s", why)
        self.problem = why

    def _run(self) -> None:
        while True:
            number = self._jobs.get()
            if number is None:
                return
            try:
                self._speak(number)
            except Exception as exc:  # speech must never stop the kiosk
                self._silent(f"{type(exc).__name__}: {exc}")

    def _speak(self, number: str) -> None:
        if self._player is None:
            self._silent(NO_PLAYER)
            return
        if self._pack is None:
            self._pack = open_pack(self.settings, self.data_dir)
        s = self.settings
        audio = issued_wav(number, pack=self._pack,
                           reading=NumberReading(s.dialect, s.four_after_tens),
                           ticket_digits=s.ticket_digits, pause_ms=s.pause_ms)
        with tempfile.NamedTemporaryFile(suffix=".wav", dir=tmp_dir(self.data_dir)) as f:
            f.write(audio)
            f.flush()
            argv = [a.replace("{file}", f.name) for a in self._player]
            with SOUND_OUTPUT:
                done = subprocess.run(argv, capture_output=True, timeout=PLAY_TIMEOUT_S,
                                      check=False)
        if done.returncode != 0:
            self._silent(player_failed(argv, done.returncode, done.stderr))
            return
        self.problem = None
        self.spoken.append(number)
