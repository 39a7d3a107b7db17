"""Reading ESC/POS bytes back: the GS v 0 raster images they print (for tests and tools).

Only what our tickets use is understood: ``GS v 0 m xL xH yL yH d1...dk`` blocks are
decoded and stacked top to bottom; every other byte is skipped. Bit 1 = a black dot.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

GS_V_0 = b"\x1dv0"


@dataclass(frozen=True)
class RasterBlock:
    """One GS v 0 block: its mode byte, size in dots, and where it sits in the bytes."""

    mode: int
    width: int
    height: int
    offset: int
    image: Image.Image


def raster_blocks(data: bytes) -> list[RasterBlock]:
    """Every GS v 0 block in ``data``, in order; ``ValueError`` if one is truncated."""
    blocks: list[RasterBlock] = []
    pos = 0
    while True:
        start = data.find(GS_V_0, pos)
        if start < 0:
            return blocks
        header = data[start + 3:start + 8]
        if len(header) < 5:
            raise ValueError(f"truncated GS v 0 header at byte {start}")
        mode = header[0]
        width_bytes = header[1] | header[2] << 8
        height = header[3] | header[4] << 8
        size = width_bytes * height
        body = data[start + 8:start + 8 + size]
        if len(body) < size:
            raise ValueError(f"GS v 0 block at byte {start} needs {size} bytes, has {len(body)}")
        # Raster bits: 1 = print. Mode '1' stores 1 = white, so invert.
        raw = bytes(b ^ 0xFF for b in body)
        image = Image.frombytes("1", (width_bytes * 8, height), raw)
        blocks.append(RasterBlock(mode, width_bytes * 8, height, start, image))
        pos = start + 8 + size


def decode_raster(data: bytes) -> Image.Image:
    """The GS v 0 blocks of ``data`` stacked into one mode-'1' image (black = 0).

    ``ValueError`` when there is no raster block or the blocks differ in width.
    """
    blocks = raster_blocks(data)
    if not blocks:
        raise ValueError("no GS v 0 raster image in the data")
    widths = {b.width for b in blocks}
    if len(widths) != 1:
        raise ValueError(f"raster blocks of different widths: {sorted(widths)}")
    out = Image.new("1", (blocks[0].width, sum(b.height for b in blocks)), 255)
    y = 0
    for block in blocks:
        out.paste(block.image, (0, y))
        y += block.height
    return out
