"""Turning a rendered ticket into the ESC/POS bytes sent to the printer (python-escpos)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from printer.escpos_support import escpos

ESC_INIT = b"\x1b@"
FRAGMENT_ROWS = 960  # rows per GS v 0 block: what printers' receive buffers accept


def encode_image(image: Image.Image, profile: Any, *, feed_lines: int = 4,
                 cut: bool = True) -> bytes:
    """ESC/POS bytes printing ``image`` as GS v 0 raster blocks, then feed and cut.

    ``profile`` is a python-escpos profile whose media width is set (see
    ``printer.escpos_support.make_profile``). Images taller than 960 dots are sent as
    several raster blocks, as printers' buffers require.
    """
    dummy = escpos().Dummy()
    dummy.profile = profile  # an instance: python-escpos only takes names or Profile()
    dummy._raw(ESC_INIT)
    # Split here rather than let python-escpos do it: it converts the whole image once
    # before splitting and then every fragment again, doubling the time for tall tickets.
    for top in range(0, image.height, FRAGMENT_ROWS):
        fragment = image.crop((0, top, image.width, min(top + FRAGMENT_ROWS, image.height)))
        dummy.image(fragment, impl="bitImageRaster", high_density_horizontal=True,
                    high_density_vertical=True, fragment_height=FRAGMENT_ROWS, center=False)
    if feed_lines:
        dummy._raw(b"\x1bd" + bytes((min(feed_lines, 255),)))
    if cut:
        dummy._raw(b"\x1dV\x01")  # GS V 1: partial cut, the one every model accepts
    return bytes(dummy.output)
