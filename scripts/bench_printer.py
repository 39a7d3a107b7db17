"""Render + encode time of one ticket at 576 dots (80 mm); the target is under 50 ms.

    uv run python scripts/bench_printer.py [--runs 100] [--width 576]

Prints the median and 95th percentile in milliseconds of render (Pillow, text + QR) and
encode (python-escpos GS v 0 raster bytes), measured separately and together, as wall
time and as this thread's CPU time (the latter is what the ticket costs when other
processes compete for the cores).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

from config.printer import PrinterSettings
from printer.service import TicketPrinter
from printer.ticket import Ticket, mask_name


def _ticket(i: int) -> Ticket:
    return Ticket(
        centre_name="Trung tâm Phục vụ hành chính công phường Bến Nghé",
        service_name="Đăng ký hộ tịch, chứng thực bản sao từ bản chính",
        number=f"A{i % 1000:03d}",
        issued_at=datetime(2026, 11, 27, 8, 5),
        people_ahead=i % 20,
        estimated_wait_min=3 * (i % 20),
        counters=["3", "4"],
        greeting_name=mask_name("Trần Thị Ngọc Ánh"),
        priority=i % 5 == 0,
        survey_url=f"https://khaosat.example.vn/s?k=HCM-Q1&t=A{i % 1000:03d}",
        footer="Cảm ơn quý khách đã sử dụng dịch vụ.",
    )


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--width", type=int, default=576)
    args = parser.parse_args()

    printer = TicketPrinter(PrinterSettings(width_dots=args.width))
    printer.encode(printer.render(_ticket(0)))  # warm-up: fonts, escpos import
    render, encode, total, cpu = [], [], [], []
    for i in range(1, args.runs + 1):
        ticket = _ticket(i)  # a new number and URL each time: no cached glyph runs
        c0 = time.thread_time()
        t0 = time.perf_counter()
        image = printer.render(ticket)
        t1 = time.perf_counter()
        data = printer.encode(image)
        t2 = time.perf_counter()
        cpu.append((time.thread_time() - c0) * 1000)
        render.append((t1 - t0) * 1000)
        encode.append((t2 - t1) * 1000)
        total.append((t2 - t0) * 1000)
    print(f"ticket {args.width} x {image.height} dots, {len(data)} bytes, {args.runs} runs")
    print(f"render          {_summary(render)}")
    print(f"encode          {_summary(encode)}")
    print(f"render + encode {_summary(total)}   (target < 50 ms)")
    print(f"  as CPU time   {_summary(cpu)}")


if __name__ == "__main__":
    main()
