"""Vietnamese reading of whole numbers 0..9999 as a list of word tokens.

The rules (standard Vietnamese, as a person reads a number aloud):

- units: không một hai ba bốn năm sáu bảy tám chín;
- tens: 10..19 are "mười ..." ("mười một", "mười lăm"); from 20 the tens word is
  "mươi" ("hai mươi"), and a units 1 after it is "mốt" ("hai mươi mốt");
- a units 5 after any tens word is "lăm" ("mười lăm", "hai mươi lăm"), but "năm" after a
  zero tens digit ("một trăm linh năm");
- a units 4 after "mươi" may be "tư" ("hai mươi tư"); "bốn" is the default;
- a zero tens digit before a non-zero units digit is "linh" (Northern, the default) or
  "lẻ" (Southern): "một trăm linh một" / "một trăm lẻ một";
- a zero hundreds digit inside thousands is read: "một nghìn không trăm linh năm";
- thousands are "nghìn" (Northern) or "ngàn" (Southern).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dialect = Literal["north", "south"]
Four = Literal["bốn", "tư"]

MAX_NUMBER = 9999
UNITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class NumberReading:
    """How numbers are read: the dialect's words and the form of 4 after tens from 20.

    ``dialect`` "north" uses "linh" and "nghìn", "south" uses "lẻ" and "ngàn".
    ``four_after_tens`` is "bốn" (standard) or "tư" ("hai mươi tư").
    """

    dialect: Dialect = "north"
    four_after_tens: Four = "bốn"

    @property
    def zero_tens(self) -> str:
        """The word for a zero tens digit before units: "linh" or "lẻ"."""
        return "linh" if self.dialect == "north" else "lẻ"

    @property
    def thousand(self) -> str:
        """The word for thousand: "nghìn" or "ngàn"."""
        return "nghìn" if self.dialect == "north" else "ngàn"


def _below_hundred(n: int, reading: NumberReading, *, inside: bool) -> list[str]:
    """0..99; ``inside`` means hundreds were read before (so 0..9 get "linh"/"lẻ")."""
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        return [reading.zero_tens, UNITS[units]] if inside else [UNITS[units]]
    words = ["mười"] if tens == 1 else [UNITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 5:
        words.append("lăm")
    elif units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 4 and tens >= 2:
        words.append(reading.four_after_tens)
    else:
        words.append(UNITS[units])
    return words


def read_number(n: int, reading: NumberReading | None = None) -> list[str]:
    """The words of ``n`` (0..9999), e.g. ``1005`` -> ["một", "nghìn", "không", "trăm",
    "linh", "năm"]. Raises ``ValueError`` outside 0..9999."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"number to read must be an integer (got {n!r})")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"number to read must be between 0 and {MAX_NUMBER} (got {n})")
    reading = reading or NumberReading()
    if n < 10:
        return [UNITS[n]]
    thousands, rest = divmod(n, 1000)
    hundreds, last = divmod(rest, 100)
    words: list[str] = []
    if thousands:
        words += [UNITS[thousands], reading.thousand]
        if rest == 0:
            return words
        words += [UNITS[hundreds], "trăm"]
    elif hundreds:
        words += [UNITS[hundreds], "trăm"]
    words += _below_hundred(last, reading, inside=bool(thousands or hundreds))
    return words


def read_digits(digits: str) -> list[str]:
    """The words of a digit string read one digit at a time: "012" -> không một hai."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{digits!r} is not a string of digits")
    return [UNITS[int(d)] for d in digits]
