"""image://DIR: each ticket as DIR/<name>.png plus the exact bytes in DIR/<name>.bin."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

from config.printer import PrinterSettings
from printer.escpos_decode import decode_raster
from printer.service import TicketPrinter
from printer.ticket import Ticket


def test_image_printer_writes_png_and_exact_bytes(tmp_path: Path, ticket: Ticket) -> None:
    printer = TicketPrinter(PrinterSettings(url="image://tickets"), data_dir=tmp_path)
    assert printer.status().state == "ready"
    result = printer.print_ticket(ticket)
    assert result.ok, result.message
    folder = tmp_path / "tickets"  # relative to the data dir
    pngs, bins = sorted(folder.glob("*.png")), sorted(folder.glob("*.bin"))
    assert [p.stem for p in pngs] == [b.stem for b in bins] == ["20261127-080500-A012"]
    data = bins[0].read_bytes()
    assert data == printer.encode(printer.render(ticket))  # exactly what a printer would get
    png = Image.open(pngs[0]).convert("1")
    assert ImageChops.difference(decode_raster(data).convert("L"), png.convert("L")).getbbox() \
        is None
    assert png.tobytes() == printer.render(ticket).tobytes()


def test_reprint_writes_a_second_copy_and_keeps_the_first(tmp_path: Path,
                                                          ticket: Ticket) -> None:
    printer = TicketPrinter(PrinterSettings(url=f"image://{tmp_path}/out"))
    assert printer.print_ticket(ticket).ok
    assert printer.print_ticket(ticket).ok
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["20261127-080500-A012-2.bin", "20261127-080500-A012-2.png",
                     "20261127-080500-A012.bin", "20261127-080500-A012.png"]


def test_unwritable_folder_is_a_result_not_an_exception(tmp_path: Path,
                                                        ticket: Ticket) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    printer = TicketPrinter(PrinterSettings(url=f"image://{blocker}/sub"))
    result = printer.print_ticket(ticket)
    assert not result.ok and result.reason == "not_found"
    assert printer.status().state == "not_found"
