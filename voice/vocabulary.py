"""The clips a voice pack holds: every word and letter an announcement can use.

A token is either a Vietnamese word in lower case ("mười") or a capital letter ("A") of a
ticket number or counter name. Each token has one clip whose file name is ASCII-safe:
words are spelt in Telex (the Vietnamese typing scheme: "mười" -> ``muwowif.wav``), letters
are ``letter_a.wav``. The pause token ``","`` has no clip (a longer pause between phrases).
"""

from __future__ import annotations

import unicodedata

from voice.numbers_vi import UNITS

PAUSE = ","

#: Words of the sentences (calls, recalls, the kiosk's "your number is").
SENTENCE_WORDS = ("mời", "gọi", "lại", "số", "đến", "quầy", "của", "bạn", "là")
#: Words of numbers beyond the units, in both dialects and both forms of 4.
NUMBER_WORDS = ("mười", "mươi", "mốt", "lăm", "tư", "linh", "lẻ", "trăm", "nghìn", "ngàn")
WORDS: tuple[str, ...] = SENTENCE_WORDS + UNITS + NUMBER_WORDS

#: How each capital letter is spoken in Vietnamese (the text a synthesiser is given).
LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê",
    "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ",
    "O": "o", "P": "pê", "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê",
    "W": "vê kép", "X": "ích xì", "Y": "i dài", "Z": "dét",
}
LETTERS: tuple[str, ...] = tuple(LETTER_NAMES)

ALL_TOKENS: tuple[str, ...] = WORDS + LETTERS

_VOWEL_MARKS = {"\u0302": {"a": "aa", "e": "ee", "o": "oo"},  # circumflex
                "\u031b": {"o": "ow", "u": "uw"},               # horn
                "\u0306": {"a": "aw"}}                          # breve
_TONE_MARKS = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def telex(word: str) -> str:
    """The Telex spelling of a Vietnamese word: "mười" -> "muwowif", "đến" -> "ddeens".

    Letters with a circumflex, horn or breve double or take a ``w``; ``đ`` is ``dd``; the
    tone mark goes last (s sắc, f huyền, r hỏi, x ngã, j nặng). Spaces become ``_``.
    """
    out: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        elif ch in _VOWEL_MARKS:
            base = out.pop() if out else ""
            out.append(_VOWEL_MARKS[ch].get(base, base))
        elif ch == "đ":
            out.append("dd")
        elif ch == " ":
            out.append("_")
        elif ch.isascii() and (ch.isalnum() or ch in "_-"):
            out.append(ch)
        else:
            raise ValueError(f"cannot spell {word!r} in Telex (character {ch!r})")
    return "".join(out) + tone


def clip_name(token: str) -> str:
    """The clip file name of a token: ``letter_a.wav`` for "A", Telex + ``.wav`` for words."""
    if token in LETTER_NAMES:
        return "letter_" + telex(token) + ".wav"
    return telex(token) + ".wav"


def spoken_text(token: str) -> str:
    """What a synthesiser should say for a token (a letter's Vietnamese name, else the word)."""
    return LETTER_NAMES.get(token, token)
