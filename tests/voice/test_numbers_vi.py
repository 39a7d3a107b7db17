"""Numbers 0..9999 are read the Vietnamese way, in both dialects."""

from __future__ import annotations

import pytest

from voice.numbers_vi import NumberReading, read_digits, read_number

NORTH = NumberReading()
SOUTH = NumberReading(dialect="south")
TU = NumberReading(four_after_tens="tư")

TABLE = [
    (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (7, "bảy"), (9, "chín"),
    (10, "mười"), (11, "mười một"), (12, "mười hai"), (14, "mười bốn"), (15, "mười lăm"),
    (19, "mười chín"), (20, "hai mươi"), (21, "hai mươi mốt"), (24, "hai mươi bốn"),
    (25, "hai mươi lăm"), (30, "ba mươi"), (31, "ba mươi mốt"), (55, "năm mươi lăm"),
    (91, "chín mươi mốt"), (99, "chín mươi chín"),
    (100, "một trăm"), (101, "một trăm linh một"), (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"), (110, "một trăm mười"), (111, "một trăm mười một"),
    (115, "một trăm mười lăm"), (121, "một trăm hai mươi mốt"), (200, "hai trăm"),
    (305, "ba trăm linh năm"), (555, "năm trăm năm mươi lăm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"), (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"), (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"), (1021, "một nghìn không trăm hai mươi mốt"),
    (1100, "một nghìn một trăm"), (1105, "một nghìn một trăm linh năm"),
    (1234, "một nghìn hai trăm ba mươi bốn"), (2000, "hai nghìn"),
    (2024, "hai nghìn không trăm hai mươi bốn"), (5500, "năm nghìn năm trăm"),
    (9999, "chín nghìn chín trăm chín mươi chín"),
]


@pytest.mark.parametrize(("n", "words"), TABLE)
def test_northern_standard_reading(n: int, words: str) -> None:
    assert read_number(n) == words.split()
    assert read_number(n, NORTH) == words.split()


@pytest.mark.parametrize(("n", "words"), [
    (101, "một trăm lẻ một"), (105, "một trăm lẻ năm"), (1000, "một ngàn"),
    (1004, "một ngàn không trăm lẻ bốn"), (2021, "hai ngàn không trăm hai mươi mốt"),
    (15, "mười lăm"), (21, "hai mươi mốt"),
])
def test_southern_reading(n: int, words: str) -> None:
    assert read_number(n, SOUTH) == words.split()


@pytest.mark.parametrize(("n", "words"), [
    (24, "hai mươi tư"), (34, "ba mươi tư"), (124, "một trăm hai mươi tư"),
    # "tư" only after "mươi": 4, 14 and 104 keep "bốn"
    (4, "bốn"), (14, "mười bốn"), (104, "một trăm linh bốn"),
])
def test_four_after_tens_may_be_tu(n: int, words: str) -> None:
    assert read_number(n, TU) == words.split()


def test_every_number_has_a_reading_made_of_known_words() -> None:
    from voice.vocabulary import WORDS

    for reading in (NORTH, SOUTH, TU):
        for n in range(10000):
            words = read_number(n, reading)
            assert words and set(words) <= set(WORDS), n


@pytest.mark.parametrize("bad", [-1, 10000, 1.5, "12", True])
def test_out_of_range_or_not_an_integer_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="number to read"):
        read_number(bad)  # type: ignore[arg-type]


def test_digits_are_read_one_by_one() -> None:
    assert read_digits("012") == ["không", "một", "hai"]
    with pytest.raises(ValueError):
        read_digits("1a")
