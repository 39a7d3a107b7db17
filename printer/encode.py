"""Turning a rendered ticket into the ESC/POS bytes sent to the printer (python-escpos)."""

from __future__ import annotations

from typing import Any

from PIL import Image

from printer.escpos_support import escpos

ESC_INIT = b"\x1b@"


def encode_image(image: Image.Image, profile: Any, *, feed_lines: int = 4,
                 cut: bool = True) -> bytes:
    """ESC/POS bytes printing ``image`` as GS v 0 raster blocks, then feed and cut.

    ``profile`` is a python-escpos profile whose media width is set (see
    ``printer.escpos_support.make_profile``). Images taller than 960 dots are split into
    several raster blocks by python-escpos, as printers' buffers require.
    """
    dummy = escpos().Dummy()
    dummy.profile = profile  # an instance: python-escpos only takes names or Profile()
    dummy._raw(ESC_INIT)
    dummy.image(image, impl="bitImageRaster", high_density_horizontal=True,
                high_density_vertical=True, fragment_height=960, center=False)
    if feed_lines:
        dummy._raw(b"\x1bd" + bytes((min(feed_lines, 255),)))
    if cut:
        dummy._raw(b"\x1dV\x01")  # GS V 1: partial cut, the one every model accepts
    return dummy.output
