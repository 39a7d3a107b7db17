"""How long scanning a camera frame for a chip ID card's QR code takes, to pick how often
the idle kiosk scans (``kiosk.card_scan_per_s``; kiosk/adapters/card_scan.py).

For each frame size: milliseconds per frame with no code in it (what the idle kiosk pays
nearly all the time) and with a card held up (240 px code), and the share of one core that
scanning ``--rate`` frames a second costs when nobody holds a card.

    uv run python scripts/bench_id_card.py [--frames 30] [--rate 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.adapters.id_card_reader import IdCardReader  # noqa: E402
from tests.support.id_cards import CARD, held_up, scene  # noqa: E402

SIZES = [(640, 360), (1280, 720), (1920, 1080)]


def per_frame_ms(reader: IdCardReader, frame, frames: int, expect: bool) -> float:
    """Median milliseconds of ``reader.read(frame)``; checks the card is (not) found."""
    reader.read(frame)  # warm-up
    times = []
    for _ in range(frames):
        started = time.perf_counter()
        scan = reader.read(frame)
        times.append((time.perf_counter() - started) * 1000)
        if scan.found != expect:
            raise SystemExit(f"the card was {'not ' if expect else ''}found in a "
                             f"{frame.shape[1]}x{frame.shape[0]} frame")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--rate", type=float, default=4.0, help="scans a second to cost")
    args = ap.parse_args()
    reader = IdCardReader()
    cost = f"core at {args.rate:g}/s"
    print(f"{'frame':>10} {'no card ms':>11} {'card ms':>8} {cost:>13}")
    for w, h in SIZES:
        empty = scene(w, h)
        card = cv2.resize(held_up(CARD, 240, 0), (w, h))
        without = per_frame_ms(reader, empty, args.frames, False)
        with_card = per_frame_ms(reader, card, args.frames, True)
        share = without * args.rate / 10
        print(f"{w:>5}x{h:<4} {without:>11.1f} {with_card:>8.1f} {share:>12.1f}%")


if __name__ == "__main__":
    main()
