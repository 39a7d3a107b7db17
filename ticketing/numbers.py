"""The printed ticket number: one pattern, one formatter, one parser.

The pattern is a Python format string with the fields ``prefix`` (the service's letter),
``seq`` (the day's sequence, 1..999999) and ``service`` (the service's code), e.g.
``"{prefix}{seq:03d}"`` -> ``"A012"``. The queue server's ``server.number_pattern`` is the
one setting; kiosks format leased numbers with the pattern the lease carries.
"""

from __future__ import annotations

import re

DEFAULT_PATTERN = "{prefix}{seq:03d}"
MAX_SEQ = 999_999
MAX_LENGTH = 16

_DIGITS = re.compile(r"(\d+)\D*$")


class NumberError(ValueError):
    """A pattern or a printed number that is not usable; the message says why."""


def check_pattern(pattern: str) -> str:
    """Return ``pattern`` if it formats a number of 1..16 characters that shows ``seq``.

    Raises ``NumberError`` naming the problem otherwise.
    """
    if not isinstance(pattern, str):
        raise NumberError("number pattern must be text")
    try:
        sample = pattern.format(prefix="A", seq=12, service="CT")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise NumberError(
            f"bad number pattern {pattern!r}: fields are {{prefix}}, {{seq}} and {{service}} "
            f"({exc})"
        ) from None
    if "{seq" not in pattern:
        raise NumberError("number pattern must contain {seq}")
    if not sample or len(sample) > MAX_LENGTH:
        raise NumberError(f"number pattern must give 1 to {MAX_LENGTH} characters")
    return pattern


def format_number(pattern: str, prefix: str, seq: int, service_code: str) -> str:
    """The printed number of sequence ``seq`` (1..999999) of a service."""
    return pattern.format(prefix=prefix, seq=seq, service=service_code)


def parse_number(pattern: str, prefix: str, service_code: str, number: int | str) -> int:
    """The sequence of a number given as an int or as printed (``"A012"``).

    Raises ``NumberError`` when the text does not read back under ``pattern`` for this
    service, or the sequence is out of 1..999999.
    """
    if isinstance(number, bool):
        raise NumberError("number must be an integer or a printed number like 'A012'")
    if isinstance(number, int):
        seq = number
    else:
        text = number.strip()
        match = _DIGITS.search(text)
        if not match:
            raise NumberError(f"number {number!r} has no digits")
        seq = int(match.group(1))
        expected = format_number(pattern, prefix, seq, service_code)
        if expected != text:
            raise NumberError(
                f"number {number!r} does not match service {service_code}'s numbers "
                f"(expected like {expected!r})"
            )
    if seq < 1 or seq > MAX_SEQ:
        raise NumberError(f"number must be between 1 and {MAX_SEQ}")
    return seq
