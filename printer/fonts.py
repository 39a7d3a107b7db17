"""Finding a font that covers Vietnamese, and checking which characters a font covers.

Order: the configured path, else fontconfig (``fc-match`` for a sans-serif font for the
``vi`` language, then ``fc-list :lang=vi``), else a few well-known paths. Every candidate
is checked against the Vietnamese alphabet with the font's own character map, so a font
that lacks a letter is never used silently.
"""

from __future__ import annotations

import functools
import shutil
import struct
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from printer.errors import PrinterConfigError

_BASE_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def vietnamese_letters() -> list[str]:
    """Every Vietnamese letter, NFC, lower then upper case: the 12 vowels bare and with
    each of the 5 tone marks (72), đ, and the 20 other Latin letters: 186 in all."""
    vowels = []
    for base in _BASE_VOWELS:
        vowels.append(base)
        vowels.extend(unicodedata.normalize("NFC", base + tone) for tone in _TONES)
    lower = vowels + ["đ"] + list("bcdghklmnpqrstvx") + list("fjwz")
    return lower + [ch.upper() for ch in lower]


_REQUIRED = frozenset(vietnamese_letters()) | frozenset("0123456789:.,-()/ ")

WELL_KNOWN_FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)


@dataclass(frozen=True)
class FontSet:
    """The regular and bold font files used to draw a ticket."""

    regular: Path
    bold: Path

    def regular_at(self, size: int) -> ImageFont.FreeTypeFont:
        """The regular face at ``size`` pixels (cached)."""
        return load_font(str(self.regular), size)

    def bold_at(self, size: int) -> ImageFont.FreeTypeFont:
        """The bold face at ``size`` pixels (cached)."""
        return load_font(str(self.bold), size)


@functools.lru_cache(maxsize=64)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font with the basic layout engine (NFC text needs no shaping)."""
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _cmap_codepoints(data: bytes, offset: int) -> set[int]:
    fmt = struct.unpack_from(">H", data, offset)[0]
    points: set[int] = set()
    if fmt == 4:
        segx2 = struct.unpack_from(">H", data, offset + 6)[0]
        ends = offset + 14
        starts = ends + segx2 + 2
        deltas = starts + segx2
        ranges = deltas + segx2
        for i in range(segx2 // 2):
            end = struct.unpack_from(">H", data, ends + 2 * i)[0]
            start = struct.unpack_from(">H", data, starts + 2 * i)[0]
            delta = struct.unpack_from(">h", data, deltas + 2 * i)[0]
            ro_pos = ranges + 2 * i
            ro = struct.unpack_from(">H", data, ro_pos)[0]
            for cp in range(start, end + 1):
                if cp == 0xFFFF:
                    continue
                if ro == 0:
                    glyph = (cp + delta) & 0xFFFF
                else:
                    g_pos = ro_pos + ro + 2 * (cp - start)
                    glyph = struct.unpack_from(">H", data, g_pos)[0]
                    if glyph:
                        glyph = (glyph + delta) & 0xFFFF
                if glyph:
                    points.add(cp)
    elif fmt == 12:
        groups = struct.unpack_from(">I", data, offset + 12)[0]
        for i in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, offset + 16 + 12 * i)
            for cp in range(start, end + 1):
                if glyph + (cp - start):
                    points.add(cp)
    return points


@functools.lru_cache(maxsize=16)
def font_codepoints(path: str | Path) -> frozenset[int]:
    """Code points the font maps to a real glyph, read from its Unicode ``cmap`` table.

    Handles TrueType/OpenType files and the first font of a collection (.ttc). An
    unreadable file gives an empty set.
    """
    try:
        data = Path(path).read_bytes()
        base = 0
        if data[:4] == b"ttcf":
            base = struct.unpack_from(">I", data, 12)[0]
        num_tables = struct.unpack_from(">H", data, base + 4)[0]
        cmap = None
        for i in range(num_tables):
            tag, _, off, _ = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
            if tag == b"cmap":
                cmap = off
        if cmap is None:
            return frozenset()
        count = struct.unpack_from(">H", data, cmap + 2)[0]
        best: tuple[int, int] | None = None
        for i in range(count):
            pid, eid, off = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            fmt = struct.unpack_from(">H", data, cmap + off)[0]
            unicode = (pid == 3 and eid in (1, 10)) or pid == 0
            if unicode and fmt in (4, 12):
                rank = 2 if fmt == 12 else 1
                if best is None or rank > best[0]:
                    best = (rank, cmap + off)
        return frozenset(_cmap_codepoints(data, best[1])) if best else frozenset()
    except (OSError, struct.error, IndexError):
        return frozenset()


def missing_characters(path: str | Path, text: str | None = None) -> list[str]:
    """The characters of ``text`` (default: the Vietnamese alphabet and digits) that the
    font at ``path`` has no glyph for, sorted; whitespace is never reported."""
    wanted = set(unicodedata.normalize("NFC", text)) if text is not None else set(_REQUIRED)
    have = font_codepoints(str(path))
    return sorted(ch for ch in wanted if not ch.isspace() and ord(ch) not in have)


def covers_vietnamese(path: str | Path) -> bool:
    """True when the font has every Vietnamese letter and the digits."""
    return not missing_characters(path)


def _fc(args: list[str]) -> list[str]:
    exe = shutil.which(args[0])
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, *args[1:]], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def _fontconfig_candidates(bold: bool) -> list[str]:
    style = ":weight=bold" if bold else ":weight=regular"
    found = _fc(["fc-match", "-s", f"sans-serif:lang=vi{style}", "--format", "%{file}\n"])
    found += _fc(["fc-list", f":lang=vi{style}", "file", "--format", "%{file}\n"])
    return [f for f in found if f.lower().endswith((".ttf", ".otf", ".ttc"))]


def _first_covering(paths: list[str]) -> Path | None:
    seen: set[str] = set()
    for p in paths:
        if p in seen:
            continue
        seen.add(p)
        if Path(p).is_file() and covers_vietnamese(p):
            return Path(p)
    return None


@functools.lru_cache(maxsize=8)
def find_fonts(font_path: str | None = None, bold_font_path: str | None = None) -> FontSet:
    """The fonts to draw tickets with; ``PrinterConfigError`` if none covers Vietnamese.

    ``font_path``/``bold_font_path`` come from the settings; a configured font that is
    missing or lacks Vietnamese letters is an error (never silently replaced).
    """
    def check(path: str, field: str) -> Path:
        p = Path(path).expanduser()
        if not p.is_file():
            raise PrinterConfigError(f"printer.{field}: font file {p} does not exist")
        missing = missing_characters(p)
        if missing:
            shown = "".join(missing[:12])
            raise PrinterConfigError(
                f"printer.{field}: font {p} has no glyph for {len(missing)} Vietnamese "
                f"characters ({shown}...); choose a font such as DejaVu Sans"
            )
        return p

    regular: Path | None
    if font_path:
        regular = check(font_path, "font_path")
    else:
        regular = _first_covering(
            _fontconfig_candidates(bold=False) + [r for r, _ in WELL_KNOWN_FONTS]
        )
        if regular is None:
            raise PrinterConfigError(
                "no installed font covers Vietnamese: install one (Debian: apt-get install "
                "fonts-dejavu-core fontconfig) or set printer.font_path"
            )
    if bold_font_path:
        bold = check(bold_font_path, "bold_font_path")
    elif font_path:
        bold = regular
    else:
        bold = _first_covering(
            _fontconfig_candidates(bold=True) + [b for _, b in WELL_KNOWN_FONTS]
        ) or regular
    return FontSet(regular=regular, bold=bold)
