"""The kiosk reads the issued number aloud through its own player, and stays quiet (never
stuck, never crashed) when it cannot."""

from __future__ import annotations

import time
from pathlib import Path

from config.voice import VoiceSettings
from kiosk.adapters.speech import NumberSpeaker
from tests.voice.sound import read, sounds_and_gaps


def _wait(pred, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_the_issued_number_is_played_by_the_player(tone_pack: Path, tmp_path: Path) -> None:
    played = tmp_path / "played"
    played.mkdir()
    # a real program as the player: it copies the WAV it is given, as aplay would read it
    settings = VoiceSettings(pack=str(tone_pack), player=f"cp {{file}} {played}")
    speaker = NumberSpeaker(settings, tmp_path / "data")
    speaker.say("A012")
    _wait(lambda: speaker.spoken == ["A012"])
    speaker.close()
    [wav] = list(played.iterdir())
    samples, rate, channels, width = read(wav.read_bytes())
    assert (channels, width) == (1, 2)
    sounds, _ = sounds_and_gaps(samples, rate)
    # "số của bạn là" + "A" + "mười hai": 4 + 1 + 2 clips of the tone pack, no chime
    assert len(sounds) == 7
    assert speaker.problem is None
    assert not list((tmp_path / "data" / "tmp").iterdir()), "temporary WAV left behind"


def test_a_failing_player_or_a_broken_pack_leaves_the_kiosk_quiet(tone_pack: Path,
                                                                   tmp_path: Path) -> None:
    speaker = NumberSpeaker(VoiceSettings(pack=str(tone_pack), player="false {file}"),
                            tmp_path)
    speaker.say("A001")
    _wait(lambda: speaker.problem is not None)
    assert "false failed" in speaker.problem and speaker.spoken == []
    speaker.close()

    broken = NumberSpeaker(VoiceSettings(pack=str(tmp_path / "no-such-pack"),
                                         player="true {file}"), tmp_path)
    broken.say("A002")
    _wait(lambda: broken.problem is not None)
    assert "pack" in broken.problem.lower()
    broken.say("A003")  # still takes work, still never raises
    broken.close()
    assert broken.spoken == []


def test_no_player_on_the_machine_is_said_once(tone_pack: Path, tmp_path: Path) -> None:
    speaker = NumberSpeaker(VoiceSettings(pack=str(tone_pack), player="no-such-player {file}"),
                            tmp_path)
    speaker.say("A001")
    _wait(lambda: speaker.problem is not None)
    assert "no sound player" in speaker.problem
    speaker.close()


def test_the_consent_reading_and_an_issued_number_never_play_at_once(tone_pack: Path,
                                                                       tmp_path: Path) -> None:
    """Both players take the kiosk's one sound output in turn: a number issued while the
    consent text is read waits for it (here: for "Dừng"), and is then read as usual."""
    from kiosk.adapters.consent_voice import PLAYING, ConsentReader

    played = tmp_path / "played"
    played.mkdir()
    recording = tmp_path / "data" / "voice" / "consent-vi-v1.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(sorted(tone_pack.glob("*.wav"))[0].read_bytes())
    reader = ConsentReader(VoiceSettings(player="sh -c 'exec sleep 60' {file}"),
                           tmp_path / "data")
    speaker = NumberSpeaker(VoiceSettings(pack=str(tone_pack), player=f"cp {{file}} {played}"),
                            tmp_path / "data")
    reader.listen("vi", "1", "không dùng: có bản ghi")
    _wait(lambda: reader.state == PLAYING)
    speaker.say("A012")
    time.sleep(1.0)
    assert speaker.spoken == [] and not list(played.iterdir())  # waits for the consent
    reader.stop()
    _wait(lambda: speaker.spoken == ["A012"])
    assert speaker.problem is None and reader.problem is None
    speaker.close()
    reader.close()
