"""The printed ticket number: one pattern, one formatter, one parser.

The pattern is a Python format string with the fields ``prefix`` (the service's letter),
``seq`` (the day's sequence, 1..999999) and ``service`` (the service's code), e.g.
``"{prefix}{seq:03d}"`` -> ``"A012"``. The queue server's ``server.number_pattern`` is the
one setting; kiosks format leased numbers with the pattern the lease carries.
"""

from __future__ import annotations

import hashlib
import re

DEFAULT_PATTERN = "{prefix}{seq:03d}"
MAX_SEQ = 999_999
MAX_LENGTH = 16

#: Emergency series: a kiosk that cannot reach its server and has no leased number left
#: numbers tickets in its own slot of the sequences 900000..998999 (slot s: 900000 +
#: 1000*s + 1..999), which the server's daily numbering never reaches; the number is written
#: with the usual pattern ("A901017"), so the server reads it back and accepts it.
EMERGENCY_FIRST = 900_000
EMERGENCY_SLOTS = 99
EMERGENCY_PER_SLOT = 999

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


def emergency_slot(kiosk_key: str) -> int:
    """The emergency slot (0..98) of a kiosk, from its key (the bearer token): the kiosk and
    the server compute the same slot without having talked to each other."""
    digest = hashlib.sha256(kiosk_key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % EMERGENCY_SLOTS


def emergency_seq(slot: int, n: int) -> int:
    """The sequence of the ``n``-th (1..999) emergency ticket of a day in ``slot`` (0..98)."""
    if not 0 <= slot < EMERGENCY_SLOTS:
        raise NumberError(f"emergency slot must be 0..{EMERGENCY_SLOTS - 1}")
    if not 1 <= n <= EMERGENCY_PER_SLOT:
        raise NumberError(f"only {EMERGENCY_PER_SLOT} emergency numbers per day and service")
    return EMERGENCY_FIRST + 1000 * slot + n


def is_emergency_seq(seq: int) -> bool:
    """True for a sequence of the emergency series (never given by the server's numbering)."""
    return EMERGENCY_FIRST < seq < EMERGENCY_FIRST + 1000 * EMERGENCY_SLOTS


def emergency_slot_of(seq: int) -> int | None:
    """The slot of an emergency sequence; None for an ordinary one."""
    return (seq - EMERGENCY_FIRST) // 1000 if is_emergency_seq(seq) else None
