"""Telex: typing Vietnamese with the 26 Latin letters, as on every Vietnamese keyboard.

``type_key(word, key)`` is the word after one more key; ``telex(keys)`` folds a whole
keystroke sequence ("Nguyeenx Vawn An" → "Nguyễn Văn An"). Plain functions: the staff
keyboard calls ``type_key`` on the word before the cursor.

- Letter shapes: aa → â, aw → ă, ee → ê, oo → ô, ow → ơ, uw → ư, uow → ươ, dd → đ (the
  word's first letter), a lone w → ư. The shape key may come later in the word
  ("tuaan" → "tuân"), and pressing it again undoes it ("aaa" → "aa").
- Tones: s sắc, f huyền, r hỏi, x ngã, j nặng, z removes the tone; the same tone key twice
  undoes it ("ass" → "as"). The tone sits on the vowel the spelling rules choose (the
  classic placement, "hòa", "thúy"), and moves when later letters change the syllable
  ("hoaf" + "n" → "hoàn").
- Capitals are kept ("DDoox" → "Đỗ"); a key that changes nothing is typed as itself.
"""

from __future__ import annotations

import unicodedata

TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_TONES = frozenset(TONE_KEYS.values())
_HAT, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_VOWELS = frozenset("aeiouy")


def _parts(ch: str) -> tuple[str, str, str]:
    """(base letter as typed, shape mark or '', tone mark or '') of one character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    shape = "".join(m for m in marks if m not in _TONES)
    tone = "".join(m for m in marks if m in _TONES)
    return base, shape, tone


def _make(base: str, shape: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + shape + tone)


def _vowel_positions(word: str) -> list[int]:
    """Positions of the syllable's vowel nucleus: the first run of vowels, where the u of
    'qu' and the i of 'gi' (before another vowel) count as consonants."""
    bases = [_parts(c)[0].lower() for c in word]
    run: list[int] = []
    for i, b in enumerate(bases):
        vowel = b in _VOWELS
        if vowel and b == "u" and i > 0 and bases[i - 1] == "q":
            vowel = False
        if vowel and b == "i" and i > 0 and bases[i - 1] == "g" and i + 1 < len(bases) \
                and bases[i + 1] in _VOWELS:
            vowel = False
        if vowel:
            if run and run[-1] != i - 1:
                break
            run.append(i)
        elif run:
            break
    return run


def _tone_position(word: str, vowels: list[int]) -> int:
    """Where the tone goes (classic rules): a vowel with a shape mark (the last one, ươ →
    ơ); else the only vowel; else, with a final consonant, the last vowel; else the middle
    of three; else the first of two (hòa, thúy, mùa)."""
    shaped = [i for i in vowels if _parts(word[i])[1]]
    if shaped:
        return shaped[-1]
    if len(vowels) == 1:
        return vowels[0]
    if vowels[-1] < len(word) - 1:
        return vowels[-1]
    if len(vowels) >= 3:
        return vowels[1]
    return vowels[0]


def _tone_of(word: str, vowels: list[int]) -> str:
    return next((t for t in (_parts(word[i])[2] for i in vowels) if t), "")


def _with_tone(word: str, tone: str) -> str:
    """The word with its tone (or none) moved to where the rules put it."""
    vowels = _vowel_positions(word)
    if not vowels:
        return word
    chars = list(word)
    for i in vowels:
        base, shape, _ = _parts(chars[i])
        chars[i] = _make(base, shape, "")
    if tone:
        at = _tone_position("".join(chars), vowels)
        base, shape, _ = _parts(chars[at])
        chars[at] = _make(base, shape, tone)
    return "".join(chars)


def _reshape(word: str, i: int, shape: str) -> str:
    base, _, tone = _parts(word[i])
    return word[:i] + _make(base, shape, tone) + word[i + 1:]


def _shape_key(word: str, key: str, vowels: list[int]) -> str | None:
    """aa/ee/oo/aw/ow/uw/uow; None when the key shapes nothing (then it is typed)."""
    k = key.lower()
    found = [(i, *_parts(word[i])[:2]) for i in vowels]
    if k in "aeo":
        same = [(i, shape) for i, base, shape in found if base.lower() == k]
        for i, shape in reversed(same):
            if shape == "":
                return _reshape(word, i, _HAT)
            if shape == _HAT:  # pressed again: undo, and type the letter
                return _reshape(word, i, "") + key
        return None
    # k == "w"
    bases = [(i, base.lower(), shape) for i, base, shape in found]
    for (i, b, s), (j, b2, s2) in zip(bases, bases[1:], strict=False):
        if b == "u" and b2 == "o" and s == "" and s2 in ("", _HAT):
            return _reshape(_reshape(word, i, _HORN), j, _HORN)
    for i, b, s in reversed(bases):
        if b in "aou" and s == "":
            return _reshape(word, i, _BREVE if b == "a" else _HORN)
    horned = [i for i, b, s in bases if s in (_BREVE, _HORN)]
    if horned:  # pressed again: undo, and type the w
        for i in horned:
            word = _reshape(word, i, "")
        return word + key
    return None


def type_key(word: str, key: str) -> str:
    """The word after typing ``key`` (one character) at its end, Telex rules applied."""
    k = key.lower()
    vowels = _vowel_positions(word)
    tone = _tone_of(word, vowels)
    if k == "d" and word:
        base, shape, _ = _parts(word[0])
        if base.lower() == "d" and not shape:
            return ("Đ" if base.isupper() else "đ") + word[1:]
        if word[0] in "đĐ":
            return ("D" if word[0] == "Đ" else "d") + word[1:] + key
    if k in TONE_KEYS and vowels:
        if tone == TONE_KEYS[k]:  # the same tone again: undo it, type the key
            return _with_tone(word, "") + key
        return _with_tone(word, TONE_KEYS[k])
    if k == "z" and tone:
        return _with_tone(word, "")
    if k in "aeow" and vowels:
        shaped = _shape_key(word, key, vowels)
        if shaped is not None:
            return _with_tone(shaped, _tone_of(shaped, _vowel_positions(shaped)) or tone)
    if k == "w" and not vowels:
        return word + ("Ư" if key.isupper() else "ư")
    return _with_tone(word + key, tone)


def telex(keys: str) -> str:
    """Type a whole keystroke sequence; anything but a letter ends the word."""
    out: list[str] = []
    word = ""
    for ch in keys:
        if ch.isalpha():
            word = type_key(word, ch)
        else:
            out.append(word + ch)
            word = ""
    return "".join(out) + word
