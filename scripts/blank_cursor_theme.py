#!/usr/bin/env python3
"""Write an Xcursor theme whose cursors are all transparent (stdlib only).

Usage: blank_cursor_theme.py DIR  -> DIR/facekiosk-blank/{index.theme,cursors/*}

The kiosk unit points XCURSOR_PATH/XCURSOR_THEME at it, so neither cage (wlroots) nor the
Qt app draws an arrow on a touchscreen. Xcursor file layout: a 16-byte header ("Xcur",
header size, version, number of table entries), one table entry (type, nominal size,
offset) and one 36-byte image chunk header followed by width x height ARGB pixels.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

THEME = "facekiosk-blank"
IMAGE_TYPE = 0xFFFD0002
NOMINAL = 24
NAMES = (
    "default left_ptr arrow top_left_arrow pointer hand hand1 hand2 pointing_hand text xterm "
    "ibeam watch wait progress left_ptr_watch half-busy crosshair cross tcross grab grabbing "
    "openhand closedhand move fleur all-scroll not-allowed forbidden no-drop copy alias help "
    "question_arrow whats_this context-menu cell vertical-text size_all col-resize "
    "row-resize ew-resize ns-resize nesw-resize nwse-resize n-resize s-resize e-resize "
    "w-resize ne-resize nw-resize se-resize sw-resize sb_h_double_arrow sb_v_double_arrow "
    "split_h split_v zoom-in zoom-out dnd-none dnd-move dnd-copy dnd-link"
).split()


def blank_cursor(width: int = 1, height: int = 1) -> bytes:
    """One Xcursor file holding a single fully transparent image."""
    header = struct.pack("<4sIII", b"Xcur", 16, 0x10000, 1)
    toc = struct.pack("<III", IMAGE_TYPE, NOMINAL, 16 + 12)
    chunk = struct.pack("<IIIIIIIII", 36, IMAGE_TYPE, NOMINAL, 1, width, height, 0, 0, 0)
    return header + toc + chunk + b"\0\0\0\0" * (width * height)


def write_theme(root: Path) -> Path:
    """Write the theme under ``root``; returns its folder. Idempotent."""
    theme = root / THEME
    cursors = theme / "cursors"
    cursors.mkdir(parents=True, exist_ok=True)
    (theme / "index.theme").write_text(
        f"[Icon Theme]\nName={THEME}\nComment=Transparent cursors for a touch kiosk\n")
    data = blank_cursor()
    for name in NAMES:
        (cursors / name).write_bytes(data)
    return theme


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: blank_cursor_theme.py DIR")
    print(write_theme(Path(sys.argv[1])))
