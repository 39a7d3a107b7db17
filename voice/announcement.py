"""What is said: an announcement as a list of tokens, and rendered to WAV with a pack.

Sentences (a ``","`` is a longer pause between phrases):

- call: "Mời số A012, đến quầy số 3";
- recall: "Gọi lại, mời số A012, đến quầy số 3" (so "gọi lại" is heard);
- the kiosk's issued number: "Số của bạn là A012".

A printed number or counter name is read as its letters spelt one by one ("A") and its
runs of digits read as a number: "A012" is "A mười hai", as centres usually call it
(``ticket_digits="number"``, the default). With ``ticket_digits="digits"`` the digits are
read one at a time ("A không một hai"). A run of more than four digits (a number above
9999) is always read digit by digit. Other characters ("-", ".", spaces) are short pauses.
"""

from __future__ import annotations

from typing import Literal

from ticketing.numbers import MAX_LENGTH, NumberError
from voice.numbers_vi import MAX_NUMBER, NumberReading, read_digits, read_number
from voice.pack import VoicePack
from voice.vocabulary import LETTER_NAMES, PAUSE

TicketDigits = Literal["number", "digits"]


def read_label(text: str, reading: NumberReading | None = None,
               ticket_digits: TicketDigits = "number") -> list[str]:
    """Tokens of a printed number or counter name: letters spelt, digit runs read.

    Raises ``NumberError`` for empty text, text longer than 16 characters, or a character
    that is neither a letter with a clip, a digit nor a separator (space, ``-``, ``.``, ``/``).
    """
    label = text.strip()
    if not label:
        raise NumberError("number to announce is empty")
    if len(label) > MAX_LENGTH:
        raise NumberError(f"number {text!r} is longer than {MAX_LENGTH} characters")
    tokens: list[str] = []
    i = 0
    while i < len(label):
        ch = label[i]
        if ch.isascii() and ch.isdigit():
            j = i
            while j < len(label) and label[j].isascii() and label[j].isdigit():
                j += 1
            run = label[i:j]
            if ticket_digits == "digits" or int(run) > MAX_NUMBER:
                tokens += read_digits(run)
            else:
                tokens += read_number(int(run), reading)
            i = j
            continue
        if ch.upper() in LETTER_NAMES:
            tokens.append(ch.upper())
        elif ch in " -./":
            if tokens and tokens[-1] != PAUSE:
                tokens.append(PAUSE)
        else:
            raise NumberError(f"number {text!r}: cannot read the character {ch!r} aloud")
        i += 1
    return tokens


def _counter_label(counter: str | int) -> str:
    if isinstance(counter, bool):
        raise NumberError("counter must be a number or a name like '3' or 'B2'")
    if isinstance(counter, int):
        if counter < 0:
            raise NumberError(f"counter must not be negative (got {counter})")
        return str(counter)
    return counter


def call_tokens(number: str, counter: str | int, *, recall: bool = False,
                reading: NumberReading | None = None,
                ticket_digits: TicketDigits = "number") -> list[str]:
    """Tokens of "Mời số <number>, đến quầy số <counter>" (recall: "Gọi lại, ..." first).

    The counter's digits are always read as a number ("quầy số mười hai").
    Raises ``NumberError`` for a number or counter that cannot be read aloud.
    """
    head = ["gọi", "lại", PAUSE] if recall else []
    ticket = read_label(number, reading, ticket_digits)
    where = read_label(_counter_label(counter), reading, "number")
    return head + ["mời", "số", *ticket, PAUSE, "đến", "quầy", "số", *where]


def issued_tokens(number: str, *, reading: NumberReading | None = None,
                  ticket_digits: TicketDigits = "number") -> list[str]:
    """Tokens of the kiosk's "Số của bạn là <number>"."""
    return ["số", "của", "bạn", "là", *read_label(number, reading, ticket_digits)]


def announce_wav(number: str, counter: str | int, *, recall: bool, pack: VoicePack,
                 reading: NumberReading | None = None, ticket_digits: TicketDigits = "number",
                 pause_ms: int = 120, phrase_pause_ms: int = 350, chime: bool = True) -> bytes:
    """One call as a WAV file's bytes (mono, 16-bit, at the pack's sample rate).

    A chime (the pack's ``chime.wav`` or a generated two-tone one) comes first unless
    ``chime`` is false, then the clips with ``pause_ms`` of silence between words and
    ``phrase_pause_ms`` between phrases. Raises ``NumberError`` for an unreadable number
    and ``VoicePackError`` naming any clip the pack lacks.
    """
    tokens = call_tokens(number, counter, recall=recall, reading=reading,
                         ticket_digits=ticket_digits)
    return pack.render(tokens, pause_ms=pause_ms, phrase_pause_ms=phrase_pause_ms, chime=chime)


def issued_wav(number: str, *, pack: VoicePack, reading: NumberReading | None = None,
               ticket_digits: TicketDigits = "number", pause_ms: int = 120,
               chime: bool = False) -> bytes:
    """The kiosk's "Số của bạn là <number>" as WAV bytes (no chime by default)."""
    tokens = issued_tokens(number, reading=reading, ticket_digits=ticket_digits)
    return pack.render(tokens, pause_ms=pause_ms, phrase_pause_ms=pause_ms, chime=chime)
