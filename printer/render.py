"""Drawing a ticket as a 1-bit raster image at the printer's dot width.

All text is drawn with a Unicode TrueType font (see ``printer.fonts``), so Vietnamese
prints the same on every printer whatever its code pages. Sizes are in printer dots
(0.125 mm at 203 dpi). Black is 0 and white 255 in the returned mode-'1' image.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageChops, ImageDraw, ImageFont

from printer.fonts import FontSet, find_fonts, font_codepoints, vietnamese_letters
from printer.ticket import Ticket, format_issued_at, label

BLACK = 0
WHITE = 255
QR_MASK = 2
_PROBE = "ẪỸÁgjpqyạỵ|"  # tallest accents and deepest descenders, to size lines


@dataclass(frozen=True)
class Layout:
    """Sizes in dots for one paper width."""

    width: int
    margin: int
    body: int
    small: int
    heading: int
    service: int
    number_max: int
    gap: int

    @property
    def content(self) -> int:
        return self.width - 2 * self.margin


def layout_for(width_dots: int, margin_dots: int = 8) -> Layout:
    """Text sizes that stay legible on 58 mm (384 dots) and fill 80 mm (576 dots)."""
    narrow = width_dots < 500
    return Layout(
        width=width_dots,
        margin=margin_dots,
        body=24 if narrow else 28,
        small=20 if narrow else 24,
        heading=26 if narrow else 30,
        service=28 if narrow else 34,
        number_max=int(width_dots * 0.36),
        gap=6 if narrow else 8,
    )


class _Canvas:
    """A growing white page onto which blocks are drawn top to bottom."""

    def __init__(self, layout: Layout, fonts: FontSet, center: bool) -> None:
        self.layout = layout
        self.fonts = fonts
        self.center = center
        self.image = Image.new("1", (layout.width, 2400), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = layout.gap

    def _ensure(self, height: int) -> None:
        if self.y + height <= self.image.height:
            return
        bigger = Image.new("1", (self.image.width, max(self.image.height * 2, self.y + height)),
                           WHITE)
        bigger.paste(self.image, (0, 0))
        self.image = bigger
        self.draw = ImageDraw.Draw(self.image)

    def space(self, dots: int) -> None:
        self.y += dots

    def text(self, text: str, size: int, *, bold: bool = False, align: str | None = None,
             inverse: bool = False) -> None:
        """Draw ``text`` word-wrapped inside the margins; ``align`` is 'left'/'center'."""
        font = self.fonts.bold_at(size) if bold else self.fonts.regular_at(size)
        path = str(self.fonts.bold if bold else self.fonts.regular)
        text = printable(text, path)
        align = align or ("center" if self.center else "left")
        top, bottom = _line_extent(path, size)
        line_h = bottom - top
        pad = size // 4 if inverse else 0
        lines = wrap(text, font, self.layout.content - 2 * pad)
        for line in lines:
            self._ensure(line_h + 2 * pad + self.layout.gap)
            width = font.getlength(line)
            if align == "center":
                x = (self.layout.width - width) / 2
            else:
                x = self.layout.margin + pad
            if inverse:
                box = (x - pad, self.y, x + width + pad, self.y + line_h + 2 * pad)
                self.draw.rectangle(box, fill=BLACK)
            self.draw.text((x, self.y + pad - top), line, font=font,
                           fill=WHITE if inverse else BLACK, anchor="la")
            self.y += line_h + 2 * pad + max(2, self.layout.gap // 2)

    def number(self, number: str) -> None:
        """The ticket number, as large as fits, always centred."""
        path = str(self.fonts.bold)
        number = printable(number, path)
        size = _number_size(path, number, self.layout.content, self.layout.number_max)
        font = self.fonts.bold_at(size)
        x0, y0, x1, y1 = font.getbbox(number, anchor="la")
        scratch = Image.new("1", (int(x1 - x0) + 4, int(y1 - y0) + 4), WHITE)
        ImageDraw.Draw(scratch).text((2 - x0, 2 - y0), number, font=font, fill=BLACK,
                                     anchor="la")
        ink = _ink(scratch).getbbox() or (0, 0, scratch.width, scratch.height)
        glyphs = scratch.crop(ink)
        self._ensure(glyphs.height + self.layout.gap)
        self.image.paste(glyphs, ((self.layout.width - glyphs.width) // 2, self.y))
        self.y += glyphs.height + self.layout.gap

    def rule(self, thickness: int = 2, dashed: bool = False) -> None:
        self._ensure(thickness + 2 * self.layout.gap)
        self.y += self.layout.gap
        left, right = self.layout.margin, self.layout.width - self.layout.margin
        if dashed:
            for x in range(left, right, 12):
                self.draw.rectangle((x, self.y, min(x + 6, right) - 1, self.y + thickness - 1),
                                    fill=BLACK)
        else:
            self.draw.rectangle((left, self.y, right - 1, self.y + thickness - 1), fill=BLACK)
        self.y += thickness + self.layout.gap

    def qr(self, data: str, module_dots: int) -> None:
        """A QR code with its 4-module quiet zone, shrunk to fit the content width."""
        # A fixed mask pattern skips qrcode's pure-Python search over the 8 masks (about
        # 18 ms); every mask is valid, and the printed code reads back (see the tests).
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                             box_size=1, border=4, mask_pattern=QR_MASK)
        code.add_data(data)
        code.make(fit=True)
        matrix = code.get_matrix()  # includes the quiet zone
        n = len(matrix)
        module = max(1, min(module_dots, self.layout.width // n))
        small = Image.new("1", (n, n), WHITE)
        small.putdata([BLACK if cell else WHITE for row in matrix for cell in row])
        big = small.resize((n * module, n * module), Image.Resampling.NEAREST)
        self._ensure(big.height)
        x = (self.layout.width - big.width) // 2 if self.center else self.layout.margin - 4 * module
        self.image.paste(big, (max(0, x), self.y))
        self.y += big.height

    def ruler(self) -> None:
        """Ticks every 8 dots across the full width, labelled every 64 (test page)."""
        width = self.layout.width
        font = self.fonts.regular_at(self.layout.small - 4)
        self._ensure(80)
        base = self.y + 40
        self.draw.rectangle((0, base, width - 1, base + 1), fill=BLACK)
        for x in range(0, width, 8):
            tall = 24 if x % 64 == 0 else (14 if x % 32 == 0 else 8)
            self.draw.line((x, base - tall, x, base), fill=BLACK)
        self.draw.rectangle((width - 2, base - 30, width - 1, base + 1), fill=BLACK)
        for x in range(64, width - 32, 64):
            self.draw.text((x, base + 4), str(x), font=font, fill=BLACK, anchor="ma")
        self.y = base + 8 + self.layout.small + self.layout.gap

    def finish(self) -> Image.Image:
        return self.image.crop((0, 0, self.layout.width, self.y + self.layout.gap))


@functools.lru_cache(maxsize=64)
def _line_extent(path: str, size: int) -> tuple[int, int]:
    font = find_font_cached(path, size)
    _, top, _, bottom = font.getbbox(_PROBE, anchor="la")
    return int(top), int(bottom)


def find_font_cached(path: str, size: int) -> ImageFont.FreeTypeFont:
    from printer.fonts import load_font

    return load_font(path, size)


@functools.lru_cache(maxsize=64)
def _number_size(path: str, number: str, max_width: int, max_height: int) -> int:
    low, high = 16, max(16, max_height * 2)
    while low < high:
        mid = (low + high + 1) // 2
        x0, y0, x1, y1 = find_font_cached(path, mid).getbbox(number, anchor="la")
        if x1 - x0 <= max_width * 0.9 and y1 - y0 <= max_height:
            low = mid
        else:
            high = mid - 1
    return low


def _ink(image: Image.Image) -> Image.Image:
    """Ink as white on black, so that ``getbbox`` finds the ink."""
    return ImageChops.invert(image.convert("L"))


def printable(text: str, font_path: str) -> str:
    """``text`` in NFC with control characters dropped and characters the font has no
    glyph for replaced by '?', so the ticket never shows a missing-glyph box."""
    have = font_codepoints(font_path)
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif ch == " " or ord(ch) in have or not have:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``max_width`` pixels, at spaces where
    possible and inside a word only when the word alone is too wide."""
    text = " ".join(text.split())
    if not text:
        return []
    if font.getlength(text) <= max_width:  # the common case: one line
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while font.getlength(word) > max_width:
            cut = _longest_prefix(word, font, max_width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> int:
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(word[:mid]) <= max_width:
            low = mid
        else:
            high = mid - 1
    return low


def _ticket_blocks(c: _Canvas, ticket: Ticket, qr_module_dots: int) -> None:
    lang = ticket.language
    lay = c.layout
    c.text(ticket.centre_name.upper(), lay.heading, bold=True)
    c.rule()
    c.text(label("title", lang), lay.body)
    c.space(lay.gap)
    c.number(ticket.number)
    c.space(lay.gap // 2)
    if ticket.priority:
        c.text(label("priority", lang), lay.heading, bold=True, align="center", inverse=True)
        c.space(lay.gap)
    c.text(ticket.service_name, lay.service, bold=True)
    c.rule(dashed=True)
    if ticket.greeting_name:
        c.text(label("greeting", lang, name=ticket.greeting_name), lay.body)
    if ticket.people_ahead is not None:
        c.text(label("people_ahead", lang, n=ticket.people_ahead), lay.body)
    if ticket.estimated_wait_min is not None:
        c.text(label("wait", lang, n=ticket.estimated_wait_min), lay.body)
    if ticket.counters:
        c.text(label("counters", lang, list=", ".join(ticket.counters)), lay.body, bold=True)
    c.text(label("issued", lang, time=format_issued_at(ticket.issued_at, lang)), lay.body)
    if ticket.survey_url:
        c.rule(dashed=True)
        c.text(label("survey", lang), lay.small)
        c.qr(ticket.survey_url, qr_module_dots)
    c.rule(dashed=True)
    c.text(ticket.footer if ticket.footer is not None else label("footer", lang), lay.small)


def render_ticket(ticket: Ticket, width_dots: int, font: FontSet | None = None, *,
                  center: bool = True, margin_dots: int = 8,
                  qr_module_dots: int = 5) -> Image.Image:
    """Draw ``ticket`` as a mode-'1' image exactly ``width_dots`` wide (height as needed).

    ``font`` defaults to ``find_fonts()`` (raises ``PrinterConfigError`` when no font
    covers Vietnamese).
    """
    c = _Canvas(layout_for(width_dots, margin_dots), font or find_fonts(), center)
    _ticket_blocks(c, ticket, qr_module_dots)
    return c.finish()


def render_test_ticket(ticket: Ticket, width_dots: int, font: FontSet | None = None, *,
                       center: bool = True, margin_dots: int = 8,
                       qr_module_dots: int = 5) -> Image.Image:
    """The test page: the ticket, then every Vietnamese letter and a ruler of the width."""
    c = _Canvas(layout_for(width_dots, margin_dots), font or find_fonts(), center)
    lang = ticket.language
    c.text(label("test_title", lang), c.layout.heading, bold=True, align="center",
           inverse=True)
    c.space(c.layout.gap)
    _ticket_blocks(c, ticket, qr_module_dots)
    c.rule()
    c.text(label("test_letters", lang), c.layout.body, bold=True)
    letters = vietnamese_letters()
    half = len(letters) // 2
    for group in (letters[:half], letters[half:]):
        c.text(" ".join(_chunks(group, 6)), c.layout.body, align="left")
    c.rule()
    c.text(label("test_ruler", lang, n=width_dots), c.layout.small)
    c.ruler()
    return c.finish()


def _chunks(letters: list[str], size: int) -> Iterable[str]:
    for i in range(0, len(letters), size):
        yield "".join(letters[i:i + size])
