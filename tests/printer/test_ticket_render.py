"""Rendering: legible Vietnamese at 58 mm and 80 mm, wrapping, no missing glyphs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from printer.fonts import (
    FontSet,
    find_fonts,
    font_codepoints,
    missing_characters,
    vietnamese_letters,
)
from printer.render import layout_for, printable, render_test_ticket, render_ticket, wrap
from printer.ticket import Ticket, mask_name, sample_ticket

WIDTHS = [384, 576]  # 58 mm and 80 mm paper
NOTDEF = chr(0x10FFFD)  # a private-use code point no text font maps


def _black_columns(image: Image.Image) -> set[int]:
    inverted = ImageChops.invert(image.convert("L"))
    cols = set()
    for x in range(image.width):
        if inverted.crop((x, 0, x + 1, image.height)).getbbox():
            cols.add(x)
    return cols


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch, mode="1")
    return mask.size, bytes(mask)


def test_every_vietnamese_letter_is_in_the_font_and_drawn_with_a_real_glyph(
    fonts: FontSet,
) -> None:
    letters = vietnamese_letters()
    # 12 vowels x (bare + 5 tones) + đ + 20 other letters, in both cases
    assert len(letters) == 186 and "ữ" in letters and "Ặ" in letters and "Đ" in letters
    for path in {fonts.regular, fonts.bold}:
        cmap = font_codepoints(str(path))
        assert [ch for ch in letters if ord(ch) not in cmap] == []
        font = ImageFont.truetype(str(path), 32, layout_engine=ImageFont.Layout.BASIC)
        notdef = _glyph(font, NOTDEF)
        boxes = [ch for ch in letters if _glyph(font, ch) == notdef]
        assert boxes == [], f"{path.name} draws missing-glyph boxes for {boxes}"
        # and the renderer keeps every letter (it would turn a missing one into '?')
        assert printable("".join(letters), str(path)) == "".join(letters)


def test_missing_glyph_check_catches_a_font_without_vietnamese() -> None:
    """The same comparison flags the letters DejaVu Sans Mono lacks (hook above)."""
    mono = Path(find_fonts().regular).with_name("DejaVuSansMono.ttf")
    if not mono.is_file():
        pytest.skip("DejaVu Sans Mono not installed")
    missing = missing_characters(mono)
    assert "ả" in missing and "ở" in missing and "a" not in missing
    font = ImageFont.truetype(str(mono), 32, layout_engine=ImageFont.Layout.BASIC)
    assert _glyph(font, "ả") == _glyph(font, NOTDEF)
    assert printable("ả", str(mono)) == "?"


@pytest.mark.parametrize("width", WIDTHS)
def test_ticket_is_exactly_the_paper_width_and_one_bit(
    ticket: Ticket, fonts: FontSet, width: int, output_dir: Path
) -> None:
    image = render_ticket(ticket, width, fonts)
    image.save(output_dir / f"ticket-{width}.png")
    assert image.mode == "1"
    assert image.width == width
    assert 400 < image.height < 3000
    margin = layout_for(width).margin
    ink = _black_columns(image)
    assert min(ink) >= margin and max(ink) < width - margin


@pytest.mark.parametrize("width", WIDTHS)
def test_number_is_huge_and_centred(ticket: Ticket, fonts: FontSet, width: int) -> None:
    bare = dataclasses.replace(ticket, centre_name="", service_name="", survey_url=None,
                               greeting_name=None, people_ahead=None, estimated_wait_min=None,
                               counters=[], footer="")
    image = render_ticket(bare, width, fonts)
    # the tallest run of inked rows is the number
    rows = [ImageChops.invert(image.convert("L")).crop((0, y, width, y + 1)).getbbox()
            for y in range(image.height)]
    best, run, best_span = 0, [], None
    for y, box in enumerate(rows + [None]):
        if box:
            run.append((y, box))
        elif run:
            if len(run) > best:
                best = len(run)
                best_span = (min(b[0] for _, b in run), max(b[2] for _, b in run))
            run = []
    assert best >= width * 0.2, "the number should be at least a fifth of the width tall"
    left, right = best_span
    assert abs((left + right) / 2 - width / 2) <= 3
    assert right - left >= width * 0.5


@pytest.mark.parametrize("width", WIDTHS)
def test_a_200_character_service_name_wraps_inside_the_width(
    ticket: Ticket, fonts: FontSet, width: int, output_dir: Path
) -> None:
    words = "Thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất quyền sở hữu nhà ở".split()
    name = ""
    while len(name) < 200:
        name += words[len(name.split()) % len(words)] + " "
    name = name[:200]
    long_name = dataclasses.replace(ticket, service_name=name)
    short = render_ticket(ticket, width, fonts)
    long = render_ticket(long_name, width, fonts)
    long.save(output_dir / f"ticket-long-service-{width}.png")
    assert long.width == width
    margin = layout_for(width).margin
    ink = _black_columns(long)
    assert min(ink) >= margin and max(ink) < width - margin
    assert long.height - short.height >= 3 * 30  # several more lines, not one long one


def test_wrap_breaks_at_spaces_and_inside_words_only_when_needed(fonts: FontSet) -> None:
    font = fonts.regular_at(24)
    lines = wrap("Đăng ký " + "x" * 120 + " khai sinh", font, 300)
    assert all(font.getlength(line) <= 300 for line in lines)
    assert lines[0] == "Đăng ký"
    assert "".join(lines).replace(" ", "") == ("Đăng ký" + "x" * 120 + "khai sinh").replace(" ", "")


def test_english_ticket_uses_english_labels(ticket: Ticket, fonts: FontSet) -> None:
    vi = render_ticket(ticket, 576, fonts)
    en = render_ticket(dataclasses.replace(ticket, language="en"), 576, fonts)
    assert ImageChops.difference(vi.convert("L"), en.convert("L")).getbbox() is not None


def test_mask_name_keeps_only_the_given_name() -> None:
    assert mask_name("Nguyễn Văn An") == "N. V. An"
    assert mask_name("  trần   thị  ánh ") == "T. T. ánh"
    assert mask_name("") == ""


@pytest.mark.parametrize("width", WIDTHS)
def test_test_ticket_is_saved_for_a_person_to_look_at(
    fonts: FontSet, width: int, output_dir: Path
) -> None:
    image = render_test_ticket(sample_ticket(), width, fonts)
    path = output_dir / f"test-ticket-{width}.png"
    image.save(path)
    assert image.width == width and image.mode == "1"
    # the ruler marks both edges of the printable width
    ink = _black_columns(image)
    assert 0 in ink and width - 1 in ink
