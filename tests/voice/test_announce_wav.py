"""Calls rendered to audio: chime, then words with pauses, from the espeak-ng or a recorded pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from config.voice import VoiceSettings
from tests.voice.sound import dominant_hz, read, sounds_and_gaps, tone_freq, window_rms, write_tone
from voice.announcement import announce_wav, call_tokens
from voice.build import open_pack
from voice.pack import VoicePackError, load_pack

CHIME_MS = 700  # the generated chime: two 350 ms tones


@pytest.fixture
def espeak_pack(espeak_data_dir: Path):
    return open_pack(VoiceSettings(), espeak_data_dir)


def test_call_is_a_mono_16_bit_wav_with_chime_then_speech(espeak_pack) -> None:
    samples, rate, channels, width = read(announce_wav("A012", 3, recall=False,
                                                       pack=espeak_pack))
    assert (channels, width, rate) == (1, 2, 22050)
    rms = window_rms(samples, rate)
    chime = rms[: CHIME_MS // 10]
    assert chime[:20].min() > 0.05, "the chime is not heard at the start"
    assert 850 < dominant_hz(samples[: int(0.3 * rate)], rate) < 910  # the 880 Hz "ding"
    gap = rms[CHIME_MS // 10 + 5: CHIME_MS // 10 + 25]  # 50..250 ms after the chime
    assert gap.max() < 0.005, "no pause between the chime and the speech"
    speech = samples[int((CHIME_MS + 300) / 1000 * rate):]
    assert len(speech) / rate > 2.0
    assert np.sqrt((speech ** 2).mean()) > 0.03, "the speech is silent"


def test_words_are_separated_by_pauses(espeak_pack) -> None:
    tokens = call_tokens("A012", 3)  # 9 words and one phrase pause
    samples, rate, _, _ = read(announce_wav("A012", 3, recall=False, pack=espeak_pack,
                                            pause_ms=150, chime=False))
    _, gaps = sounds_and_gaps(samples, rate)
    word_gaps = [g for g in gaps if g >= 130]
    assert len(word_gaps) >= len([t for t in tokens if t != ","]) - 1
    assert max(gaps) >= 330  # the phrase pause before "đến quầy"


def test_recall_is_longer_and_starts_differently(espeak_pack) -> None:
    call, rate, _, _ = read(announce_wav("A012", 3, recall=False, pack=espeak_pack))
    recall, _, _, _ = read(announce_wav("A012", 3, recall=True, pack=espeak_pack))
    assert len(recall) / rate > len(call) / rate + 0.6  # "gọi lại" and its pauses
    start = int(1.0 * rate)
    assert not np.allclose(call[start: start + rate // 2], recall[start: start + rate // 2])


def test_no_chime_when_turned_off(espeak_pack) -> None:
    samples, rate, _, _ = read(announce_wav("A012", 3, recall=False, pack=espeak_pack,
                                            chime=False))
    assert window_rms(samples, rate)[:5].max() > 0.005  # speech within 50 ms
    with_chime, _, _, _ = read(announce_wav("A012", 3, recall=False, pack=espeak_pack))
    assert len(with_chime) - len(samples) == pytest.approx(1.0 * rate, abs=rate * 0.02)


def test_missing_clips_are_named(espeak_data_dir: Path, tmp_path: Path) -> None:
    src = open_pack(VoiceSettings(), espeak_data_dir).root
    broken = tmp_path / "broken"
    shutil.copytree(src, broken)
    (broken / "muwowif.wav").unlink()
    (broken / "letter_a.wav").unlink()
    pack = load_pack(broken)
    with pytest.raises(VoicePackError) as err:
        announce_wav("A012", 3, recall=False, pack=pack)
    message = str(err.value)
    assert "muwowif.wav (mười)" in message and "letter_a.wav (A)" in message
    assert "\n" not in message
    # a call that needs neither clip still works with that pack
    samples, _, _, _ = read(announce_wav("B2", 3, recall=False, pack=pack))
    assert len(samples) > 0


def test_recorded_pack_is_used_instead_of_espeak(tone_pack: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    pack = open_pack(VoiceSettings(pack=str(tone_pack)), data_dir, espeak="/nonexistent/espeak")
    assert pack.name == "Chị Lan" and pack.sample_rate == 16000
    assert not (data_dir / "voice").exists(), "the default pack was built anyway"
    samples, rate, channels, _ = read(announce_wav("A012", 3, recall=False, pack=pack,
                                                   pause_ms=120, phrase_pause_ms=400,
                                                   chime=False))
    assert (rate, channels) == (16000, 1)
    sounds, gaps = sounds_and_gaps(samples, rate)
    assert len(sounds) == 9  # mời số A mười hai đến quầy số ba
    # each clip is 200 ms of tone plus 10 ms of kept margin either side
    assert all(200 <= s <= 240 for s in sounds), sounds
    assert sorted(gaps)[:-1] == pytest.approx([120] * 7, abs=30)
    assert gaps[4] == pytest.approx(400, abs=30)  # between "hai" and "đến"
    # "mười" was recorded at 44.1 kHz stereo: resampled, it keeps its pitch and length
    start = int((sum(sounds[:3]) + sum(gaps[:3])) / 1000 * rate)
    first = np.flatnonzero(np.abs(samples) > 0.01)[0]
    muoi = samples[first + start: first + start + int(0.15 * rate)]
    assert dominant_hz(muoi, rate) == pytest.approx(tone_freq("mười"), abs=10)


def test_recorded_pack_relative_to_data_dir(tone_pack: Path) -> None:
    pack = open_pack(VoiceSettings(pack=tone_pack.name), tone_pack.parent)
    assert pack.root == tone_pack


def test_pack_chime_clip_replaces_the_generated_chime(tone_pack: Path) -> None:
    write_tone(tone_pack / "chime.wav", 500.0, 8000, seconds=0.6, pad_s=0.0)
    samples, rate, _, _ = read(announce_wav("A1", 1, recall=False, pack=load_pack(tone_pack)))
    assert dominant_hz(samples[: int(0.5 * rate)], rate) == pytest.approx(500, abs=10)


def test_bad_packs_give_clear_errors(tone_pack: Path, tmp_path: Path) -> None:
    with pytest.raises(VoicePackError, match="does not exist"):
        load_pack(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(VoicePackError, match="no pack.toml"):
        load_pack(empty)
    (tone_pack / "pack.toml").write_text('name = "x"\nlanguage = "vi"\nvoice = "y"\n')
    with pytest.raises(VoicePackError, match="sample_rate"):
        load_pack(tone_pack)
    (tone_pack / "pack.toml").write_text(
        'name = "x"\nlanguage = "vi"\nvoice = "y"\nsample_rate = 16000\n')
    (tone_pack / "soos.wav").write_text("not audio")
    with pytest.raises(VoicePackError, match="soos.wav"):
        announce_wav("A1", 1, recall=False, pack=load_pack(tone_pack))
