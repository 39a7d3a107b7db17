"""The bytes python-escpos produces print exactly the rendered ticket, QR code included."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageChops

from config.printer import PrinterSettings
from printer.encode import encode_image
from printer.escpos_decode import decode_raster, raster_blocks
from printer.escpos_support import make_profile
from printer.fonts import FontSet
from printer.render import render_ticket
from printer.service import TicketPrinter
from printer.ticket import Ticket
from tests.support.fake_printer import read_qr


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() \
        is None


@pytest.mark.parametrize("width", [384, 576])
def test_raster_bytes_decode_to_the_rendered_ticket(
    ticket: Ticket, fonts: FontSet, width: int
) -> None:
    profile, dots = make_profile("default", width)
    image = render_ticket(ticket, dots, fonts)
    data = encode_image(image, profile)
    assert data.startswith(b"\x1b@")  # ESC @ resets the printer first
    assert data.endswith(b"\x1dV\x01")  # then feed and cut
    assert b"\x1b\x74" not in data  # no code page switching: text never goes as text
    decoded = decode_raster(data)
    assert _same(decoded, image)


def test_tall_tickets_are_split_into_blocks_printers_accept(
    ticket: Ticket, fonts: FontSet
) -> None:
    profile, dots = make_profile("default", 576)
    tall = dataclasses.replace(ticket, service_name="Đăng ký kinh doanh hộ cá thể " * 40)
    image = render_ticket(tall, dots, fonts)
    assert image.height > 960
    data = encode_image(image, profile)
    blocks = raster_blocks(data)
    assert len(blocks) >= 2 and all(b.height <= 960 for b in blocks)
    assert _same(decode_raster(data), image)


@pytest.mark.parametrize("width", [384, 576])
def test_qr_code_read_back_from_the_printed_bytes_gives_the_survey_url(
    ticket: Ticket, fonts: FontSet, width: int, output_dir: Path, survey_url: str
) -> None:
    printer = TicketPrinter(PrinterSettings(width_dots=width), fonts=fonts)
    decoded = decode_raster(printer.encode(printer.render(ticket)))
    decoded.save(output_dir / f"ticket-decoded-{width}.png")
    assert read_qr(decoded) == survey_url


def test_qr_modules_are_big_enough_to_scan_on_paper(ticket: Ticket, fonts: FontSet) -> None:
    """At 203 dpi a dot is 0.125 mm; modules of 5 dots (0.6 mm) scan from a phone."""
    printer = TicketPrinter(PrinterSettings(width_dots=384), fonts=fonts)
    image = printer.render(ticket)
    grey = np.array(image.convert("L"))
    ok, points = cv2.QRCodeDetector().detect(grey)
    assert ok
    side = float(np.linalg.norm(points[0][0] - points[0][1]))
    assert side >= 25 * 5 - 2  # version >= 2 (25 modules) at 5 dots each: >= 15 mm


def test_profile_width_is_used_when_none_is_configured() -> None:
    assert make_profile("TM-T88V", None)[1] == 512
    assert make_profile("POS-5890", None)[1] == 384
    assert make_profile("default", None)[1] == 576
    assert make_profile("TM-T88V", 576)[1] == 576
