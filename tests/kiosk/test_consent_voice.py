"""The enrolment wizard reads the consent text aloud (offscreen Qt, real clicks, the real
espeak-ng, a real player program: a shell script that copies the WAV it is given, notes its
process id and plays on as ``sleep`` until it is ended).

What an admin relies on: "Nghe đọc" plays real speech of the consent text in the wizard's
language; it is synthesised once and cached (a new consent version is built anew); a
centre's own recording is played instead when present; leaving the step, the idle lock and
"Dừng" end the player; a kiosk without sound says so on the button and the citizen can
still agree; the button does not crowd the answers, in landscape and portrait.
"""

from __future__ import annotations

import os
import shlex
import shutil
import wave
from pathlib import Path

import pytest

from config import Settings
from kiosk.adapters.consent_voice import IDLE, PLAYING, ConsentReader, recorded_consent
from kiosk.adapters.registry_desk import RegistryDesk
from kiosk.consent import CONSENT_TEXT_VERSION
from kiosk.context import KioskContext
from kiosk.ui.staff.texts import staff_text
from tests.kiosk.test_staff_enrol import ADMIN, admin_gate
from tests.kiosk.test_staff_ui import check, open_window, press
from tests.voice.sound import read, sounds_and_gaps, write_tone

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None and not os.environ.get("CI"),
                                reason="espeak-ng is not installed (scripts/setup.sh does)")


@pytest.fixture
def kiosk(tmp_path: Path) -> KioskContext:
    data = tmp_path / "kiosk"
    data.mkdir()
    return KioskContext(data, Settings(), None)


def recording_player(log: Path, keeps_playing: bool = True) -> str:
    """``voice.player``: copies the WAV into ``log`` as played-<pid>.wav; then, like a real
    player in the middle of a long text, plays on (``sleep``) until it is ended."""
    log.mkdir(exist_ok=True)
    script = f'cp "$0" {shlex.quote(str(log))}/played-$$.wav'
    if keeps_playing:
        script += "; exec sleep 120"
    return f"sh -c {shlex.quote(script)} {{file}}"


def played(log: Path) -> list[Path]:
    return sorted(log.glob("played-*.wav"), key=lambda p: p.stat().st_mtime)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wizard_at_consent(qtbot, ctx: KioskContext, player: str, size=(1920, 1080),
                      language: str = "vi", espeak: str = "espeak-ng"):
    gate = admin_gate(ctx)
    window, staff, actions = open_window(qtbot, gate, size, language)
    desk = RegistryDesk(ctx, audit=gate.audit)
    staff.enrol.desk = desk
    reader = ConsentReader(ctx.settings.voice.model_copy(update={"player": player}),
                           ctx.data_dir, espeak)
    staff.enrol.reader = reader
    press(qtbot, staff.login.extra["account"])
    staff.account.username.setText(ADMIN)
    staff.account.password.setText("pw-1")
    press(qtbot, staff.account.log_in)
    press(qtbot, staff.home.enrol)
    wizard = staff.enrol
    assert wizard.step is wizard.consent
    return window, staff, wizard, reader, desk


def listen_to_the_end(qtbot, wizard, reader: ConsentReader, log: Path, plays: int) -> None:  # type: ignore[no-untyped-def]
    """Tap Listen and wait until the player has been given its ``plays``-th file and the
    reader is idle again (the player of ``recording_player(keeps_playing=False)`` ends)."""
    press(qtbot, wizard.consent.listen)
    qtbot.waitUntil(lambda: len(played(log)) == plays and reader.state == IDLE,
                    timeout=30_000)


def text(key: str, language: str = "vi") -> str:
    return staff_text(key, language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_listen_plays_the_consent_text_as_speech_then_stop_ends_the_player(
        qtbot, kiosk: KioskContext, tmp_path: Path, language: str) -> None:
    log = tmp_path / "player"
    window, staff, wizard, reader, desk = wizard_at_consent(
        qtbot, kiosk, recording_player(log), language=language)
    try:
        listen = wizard.consent.listen
        assert listen.text() == text("consent_listen", language)
        press(qtbot, listen)
        assert listen.text() in (text("consent_preparing", language),
                                 text("consent_stop", language))
        qtbot.waitUntil(lambda: len(played(log)) == 1 and reader.state == PLAYING,
                        timeout=30_000)
        qtbot.waitUntil(lambda: listen.text() == text("consent_stop", language))
        [wav] = played(log)
        audio = wav.read_bytes()
        assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE"
        samples, rate, channels, width = read(audio)
        seconds = len(samples) / rate
        assert 20 < seconds < 120, seconds  # the three paragraphs: ~40 s at 150 words/min
        sounds, gaps = sounds_and_gaps(samples, rate)
        assert len(sounds) > 30 and len(gaps) > 30  # words and pauses, not a tone
        assert f"consent-{language}-v{CONSENT_TEXT_VERSION}-{language}-espeak-" in \
            reader.played[-1].name
        pid = int(wav.stem.split("-")[1])
        assert alive(pid)
        press(qtbot, listen)  # "Dừng"
        qtbot.waitUntil(lambda: not alive(pid), timeout=5_000)
        assert reader.state == IDLE and listen.text() == text("consent_listen", language)
        assert reader.problem is None
    finally:
        reader.close()
        desk.shutdown()


def test_the_synthesis_is_cached_and_a_new_version_is_built_anew(
        qtbot, kiosk: KioskContext, tmp_path: Path) -> None:
    log = tmp_path / "player"
    window, staff, wizard, reader, desk = wizard_at_consent(
        qtbot, kiosk, recording_player(log, keeps_playing=False))
    try:
        listen_to_the_end(qtbot, wizard, reader, log, 1)
        cached = reader.played[-1]
        mtime = cached.stat().st_mtime_ns
        assert reader.syntheses == 1 and cached.is_relative_to(kiosk.data_dir / "voice")
        listen_to_the_end(qtbot, wizard, reader, log, 2)
        assert reader.syntheses == 1 and reader.played[-1] == cached
        assert cached.stat().st_mtime_ns == mtime
        assert played(log)[0].read_bytes() == played(log)[1].read_bytes()
        # A new consent text version: synthesised anew, the old one's file removed.
        wizard.draft.consent_version = "2099-01"
        listen_to_the_end(qtbot, wizard, reader, log, 3)
        assert reader.syntheses == 2 and "-v2099-01-" in reader.played[-1].name
        assert not cached.exists()
        assert reader.problem is None
        assert not list((kiosk.data_dir / "tmp").iterdir()), "a partial file left behind"
    finally:
        reader.close()
        desk.shutdown()


def test_a_centres_own_recording_is_played_instead(qtbot, kiosk: KioskContext,
                                                   tmp_path: Path) -> None:
    recording = recorded_consent(kiosk.data_dir, "vi", CONSENT_TEXT_VERSION)
    recording.parent.mkdir(parents=True)
    write_tone(recording, 440.0, 16000, seconds=1.0)
    log = tmp_path / "player"
    window, staff, wizard, reader, desk = wizard_at_consent(
        qtbot, kiosk, recording_player(log, keeps_playing=False))
    try:
        listen_to_the_end(qtbot, wizard, reader, log, 1)
        assert played(log)[0].read_bytes() == recording.read_bytes()
        assert reader.syntheses == 0
        # Not a WAV: the synthesised voice is played, the wizard goes on.
        recording.write_bytes(b"not a wav")
        listen_to_the_end(qtbot, wizard, reader, log, 2)
        assert reader.syntheses == 1 and played(log)[1].read_bytes()[:4] == b"RIFF"
    finally:
        reader.close()
        desk.shutdown()


def test_leaving_the_step_or_the_idle_lock_ends_the_player(qtbot, kiosk: KioskContext,
                                                          tmp_path: Path) -> None:
    log = tmp_path / "player"
    window, staff, wizard, reader, desk = wizard_at_consent(qtbot, kiosk,
                                                            recording_player(log))
    try:
        press(qtbot, wizard.consent.listen)
        qtbot.waitUntil(lambda: len(played(log)) == 1, timeout=30_000)
        first = int(played(log)[0].stem.split("-")[1])
        press(qtbot, wizard.consent.agree)  # still on the step: the reading goes on
        assert alive(first) and reader.state == PLAYING
        press(qtbot, wizard.consent.confirm)
        assert wizard.step is wizard.identity
        qtbot.waitUntil(lambda: not alive(first), timeout=5_000)
        assert reader.state == IDLE

        wizard.start(ADMIN)  # a new enrolment, heard again, then the admin walks away
        press(qtbot, wizard.consent.listen)
        qtbot.waitUntil(lambda: len(played(log)) == 2, timeout=30_000)
        second = int(played(log)[-1].stem.split("-")[1])
        assert alive(second)
        staff.clock.t += staff.gate.idle_lock_s + 1
        staff.tick()
        assert staff.gate.session is None
        qtbot.waitUntil(lambda: not alive(second), timeout=5_000)
        assert reader.state == IDLE and reader.problem is None
    finally:
        reader.close()
        desk.shutdown()


@pytest.mark.parametrize("what", ["no player", "no espeak-ng", "player fails"])
def test_a_kiosk_without_sound_says_so_and_the_citizen_can_still_agree(
        qtbot, kiosk: KioskContext, tmp_path: Path, what: str) -> None:
    player = {"no player": "no-such-player {file}", "no espeak-ng": "true {file}",
              "player fails": "false {file}"}[what]
    espeak = "no-such-espeak" if what == "no espeak-ng" else "espeak-ng"
    window, staff, wizard, reader, desk = wizard_at_consent(qtbot, kiosk, player,
                                                            espeak=espeak)
    try:
        listen = wizard.consent.listen
        press(qtbot, listen)
        qtbot.waitUntil(lambda: listen.text() == text("consent_no_sound"), timeout=30_000)
        assert reader.problem is not None
        if what != "player fails":
            assert reader.played == []
        press(qtbot, listen)  # tapping again tries again, and says so again
        qtbot.waitUntil(lambda: listen.text() == text("consent_no_sound"), timeout=30_000)
        press(qtbot, wizard.consent.agree)
        press(qtbot, wizard.consent.confirm)
        assert wizard.step is wizard.identity and wizard.draft.consented
    finally:
        reader.close()
        desk.shutdown()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["1920x1080", "1080x1920"])
def test_the_listen_button_fits_beside_the_answers(qtbot, kiosk: KioskContext,
                                                   tmp_path: Path, size) -> None:
    log = tmp_path / "player"
    window, staff, wizard, reader, desk = wizard_at_consent(qtbot, kiosk,
                                                            recording_player(log), size)
    try:
        problems = check(window, "enrol-consent-listen", size)
        press(qtbot, wizard.consent.listen)
        qtbot.waitUntil(lambda: wizard.consent.listen.text() == text("consent_stop"),
                        timeout=30_000)
        problems += check(window, "enrol-consent-playing", size)
        press(qtbot, wizard.consent.listen)
        reader._player = None  # this kiosk has no player after all
        press(qtbot, wizard.consent.listen)
        qtbot.waitUntil(lambda: wizard.consent.listen.text() == text("consent_no_sound"),
                        timeout=10_000)
        problems += check(window, "enrol-consent-no-sound", size)
        listen, agree = wizard.consent.listen.geometry(), wizard.consent.agree.geometry()
        at = wizard.consent.listen.mapTo(window, listen.topLeft() - listen.topLeft())
        ag = wizard.consent.agree.mapTo(window, agree.topLeft() - agree.topLeft())
        # apart from the answers: no overlap, and a clear gap between them
        gap_x = max(ag.x() - (at.x() + listen.width()), at.x() - (ag.x() + agree.width()))
        gap_y = max(ag.y() - (at.y() + listen.height()), at.y() - (ag.y() + agree.height()))
        assert max(gap_x, gap_y) >= 24, (at, ag)
    finally:
        reader.close()
        desk.shutdown()
    assert not problems, "\n".join(problems)


def test_the_cached_synthesis_is_a_plain_wav_pcm_file(tmp_path: Path) -> None:
    """The cached synthesis is a plain WAV PCM file a centre could replace by hand."""
    reader = ConsentReader(Settings().voice, tmp_path)
    wav = reader.wav_for("vi", CONSENT_TEXT_VERSION, "Xin chào. Tôi đồng ý.")
    with wave.open(str(wav), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2) and w.getnframes() > 0
