"""Spoken calls for the display board: the voice pack opened once (in a thread, never on
the event loop) and each call rendered to WAV bytes once, then served from a small cache.

The board fetches ``/board/<site>/announce/<event id>.wav``; the same audio as
``queue-server announce NUMBER COUNTER --out FILE.wav`` (docs/voice-pack.md).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from config.voice import VoiceSettings
from ticketing.numbers import NumberError
from voice.announcement import announce_wav
from voice.build import open_pack
from voice.numbers_vi import NumberReading
from voice.pack import VoicePack, VoicePackError

log = logging.getLogger(__name__)

CACHE_SIZE = 64  # calls kept (about 230 KB each at 22,050 Hz): the board's recent calls


class AnnouncementUnavailable(Exception):
    """The call cannot be spoken (no pack, a missing clip, an unreadable number); the
    message is one line for staff."""


class Announcer:
    """Renders calls with the settings' voice pack; thread-safe.

    ``prepare()`` opens (and for the default pack, builds once) the pack; it runs in a
    background thread when the first board page is served, and in the first ``wav()`` if
    that came earlier.
    """

    def __init__(self, settings: VoiceSettings, data_dir: Path) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._pack: VoicePack | None = None
        self._error: str | None = None
        self._started = False
        self._cache: OrderedDict[tuple[str, str, bool], bytes] = OrderedDict()

    def prepare(self) -> VoicePack | None:
        """Open the pack once; None (and ``error`` set) when it cannot be opened."""
        with self._lock:
            if self._pack is None and self._error is None:
                try:
                    self._pack = open_pack(self.settings, self.data_dir)
                except (VoicePackError, OSError) as exc:
                    self._error = f"voice pack unavailable: {str(exc).splitlines()[0]}"
                    log.warning("%s", self._error)
            return self._pack

    def start_in_background(self) -> None:
        """Open the pack in a daemon thread (the default pack takes about 1 s to build),
        once: called when a board page is served, so a server that never shows a board
        (or is just starting) spends nothing on it."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self.prepare, name="voice-pack", daemon=True).start()

    @property
    def error(self) -> str | None:
        """Why calls cannot be spoken, or None."""
        return self._error

    def wav(self, number: str, counter: str | int, *, recall: bool) -> bytes:
        """The call of ``number`` to ``counter`` as WAV bytes (mono, 16-bit, the pack's
        rate). Raises :class:`AnnouncementUnavailable` with a one-line reason."""
        key = (number, str(counter), recall)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        pack = self.prepare()
        if pack is None:
            raise AnnouncementUnavailable(self._error or "voice pack unavailable")
        v = self.settings
        try:
            audio = announce_wav(
                number, counter, recall=recall, pack=pack,
                reading=NumberReading(v.dialect, v.four_after_tens),
                ticket_digits=v.ticket_digits, pause_ms=v.pause_ms,
                phrase_pause_ms=v.phrase_pause_ms, chime=v.chime)
        except (NumberError, VoicePackError) as exc:
            raise AnnouncementUnavailable(str(exc).splitlines()[0]) from None
        with self._lock:
            self._cache[key] = audio
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return audio
