"""What a call says: the sentence, the ticket number and the counter as word tokens."""

from __future__ import annotations

import pytest

from ticketing.numbers import DEFAULT_PATTERN, NumberError, format_number
from voice.announcement import call_tokens, issued_tokens, read_label
from voice.numbers_vi import NumberReading
from voice.vocabulary import ALL_TOKENS, PAUSE, clip_name, telex


def test_call_reads_the_number_as_a_number_by_default() -> None:
    assert call_tokens("A012", 3) == [
        "mời", "số", "A", "mười", "hai", PAUSE, "đến", "quầy", "số", "ba"]


def test_call_can_read_the_digits_one_by_one() -> None:
    assert call_tokens("A012", "3", ticket_digits="digits") == [
        "mời", "số", "A", "không", "một", "hai", PAUSE, "đến", "quầy", "số", "ba"]


def test_recall_says_goi_lai_first() -> None:
    tokens = call_tokens("B105", 12, recall=True)
    assert tokens[:3] == ["gọi", "lại", PAUSE]
    assert tokens[3:] == call_tokens("B105", 12)
    assert call_tokens("B105", 12) == [
        "mời", "số", "B", "một", "trăm", "linh", "năm", PAUSE,
        "đến", "quầy", "số", "mười", "hai"]


def test_dialect_applies_to_ticket_and_counter() -> None:
    tokens = call_tokens("C101", 21, reading=NumberReading("south", "tư"))
    assert tokens == ["mời", "số", "C", "một", "trăm", "lẻ", "một", PAUSE,
                      "đến", "quầy", "số", "hai", "mươi", "mốt"]


def test_every_number_the_default_pattern_prints_can_be_read() -> None:
    for seq in (1, 9, 10, 99, 100, 999, 1000, 9999):
        tokens = read_label(format_number(DEFAULT_PATTERN, "D", seq, "X"))
        assert tokens[0] == "D" and set(tokens) <= set(ALL_TOKENS)


def test_numbers_above_9999_are_read_digit_by_digit() -> None:
    assert read_label("A12345") == ["A", "một", "hai", "ba", "bốn", "năm"]


def test_separators_are_short_pauses_and_letters_are_spelt() -> None:
    assert read_label("CT-07") == ["C", "T", PAUSE, "bảy"]
    assert read_label("đ5") == ["Đ", "năm"]


def test_counter_name_with_letters() -> None:
    assert call_tokens("A1", "B2")[-3:] == ["số", "B", "hai"]


@pytest.mark.parametrize("bad", ["", "   ", "A0?2", "A" * 17, "Ω12"])
def test_unreadable_number_is_a_clear_error(bad: str) -> None:
    with pytest.raises(NumberError) as err:
        call_tokens(bad, 1)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("bad", [-1, True, ""])
def test_bad_counter_is_a_clear_error(bad: object) -> None:
    with pytest.raises(NumberError):
        call_tokens("A1", bad)  # type: ignore[arg-type]


def test_kiosk_says_your_number_is() -> None:
    assert issued_tokens("A012") == ["số", "của", "bạn", "là", "A", "mười", "hai"]


def test_clip_names_are_ascii_telex_and_unique() -> None:
    assert telex("mười") == "muwowif"
    assert telex("mươi") == "muwowi"
    assert telex("đến") == "ddeens"
    assert telex("quầy") == "quaayf"
    assert clip_name("A") == "letter_a.wav"
    names = [clip_name(t) for t in ALL_TOKENS]
    assert len(set(n.lower() for n in names)) == len(ALL_TOKENS)
    assert all(n.isascii() and n.endswith(".wav") for n in names)
