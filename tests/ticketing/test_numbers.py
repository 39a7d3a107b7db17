"""The one numbering module both kiosk and server use."""

import pytest

from ticketing.numbers import (
    DEFAULT_PATTERN,
    NumberError,
    check_pattern,
    format_number,
    parse_number,
)


def test_default_pattern_pads_to_three_digits() -> None:
    assert format_number(DEFAULT_PATTERN, "A", 12, "CT") == "A012"
    assert format_number(DEFAULT_PATTERN, "A", 1234, "CT") == "A1234"


@pytest.mark.parametrize("pattern", ["{prefix}{seq:03d}", "{service}-{seq:04d}", "{prefix}.{seq}"])
def test_a_formatted_number_parses_back_to_its_sequence(pattern: str) -> None:
    for seq in (1, 42, 999, 1000, 999_999):
        text = format_number(pattern, "B", seq, "DD")
        assert parse_number(pattern, "B", "DD", text) == seq


def test_a_number_of_another_pattern_or_service_is_refused() -> None:
    with pytest.raises(NumberError, match="expected like 'CT-0012'"):
        parse_number("{service}-{seq:04d}", "A", "CT", "A012")
    with pytest.raises(NumberError, match="does not match"):
        parse_number(DEFAULT_PATTERN, "A", "CT", "B012")
    with pytest.raises(NumberError, match="no digits"):
        parse_number(DEFAULT_PATTERN, "A", "CT", "AAA")
    with pytest.raises(NumberError, match="between"):
        parse_number(DEFAULT_PATTERN, "A", "CT", 0)
    with pytest.raises(NumberError):
        parse_number(DEFAULT_PATTERN, "A", "CT", True)


@pytest.mark.parametrize(
    "pattern, message",
    [("{prefix}", "must contain {seq}"), ("{who}{seq}", "bad number pattern"),
     ("{seq:d}" + "x" * 20, "1 to 16"), ("{prefix}{seq", "bad number pattern")],
)
def test_bad_patterns_are_refused_with_the_reason(pattern: str, message: str) -> None:
    with pytest.raises(NumberError, match=message):
        check_pattern(pattern)


def test_emergency_series_is_per_kiosk_and_outside_the_servers_numbers() -> None:
    from ticketing.numbers import (
        EMERGENCY_FIRST,
        emergency_seq,
        emergency_slot,
        emergency_slot_of,
        is_emergency_seq,
    )

    slot = emergency_slot("token-of-kiosk-1")
    assert slot == emergency_slot("token-of-kiosk-1") and 0 <= slot < 99
    seq = emergency_seq(slot, 17)
    assert seq == EMERGENCY_FIRST + 1000 * slot + 17 and is_emergency_seq(seq)
    assert emergency_slot_of(seq) == slot and emergency_slot_of(12) is None
    assert not is_emergency_seq(999) and not is_emergency_seq(EMERGENCY_FIRST)
    assert format_number(DEFAULT_PATTERN, "A", seq, "HT") == f"A{seq}"
    assert parse_number(DEFAULT_PATTERN, "A", "HT", f"A{seq}") == seq  # the server reads it
    with pytest.raises(NumberError):
        emergency_seq(slot, 1000)
    with pytest.raises(NumberError):
        emergency_seq(99, 1)
