"""Summarise a kiosk's events log (``<data dir>/logs/events.jsonl``): where citizens give up.

    uv run python scripts/events_summary.py var/kiosk/logs/events.jsonl [--json]

Prints the funnel (visits that reached each step), the time from the first step of a visit
to its ticket (median and 90th percentile, seconds) and the abandon points (the last step
of visits that ended without a ticket). Lines that are not valid JSON are counted and
skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

FUNNEL = ("face_seen", "recognised", "guest", "no_face", "card", "service_chosen",
          "ticket_issued", "printed")


def log_files(path: Path) -> list[Path]:
    """The files to read for ``path``: a folder means its events log with the days rotated
    out of it (``events-YYYY-MM-DD.jsonl``, oldest first, then ``events.jsonl``)."""
    if path.is_dir():
        return sorted(path.glob("events-*.jsonl")) + [p for p in [path / "events.jsonl"]
                                                      if p.exists()]
    return [path]


def read_visits(path: Path) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Visits (visit id -> its lines, in order) and the number of unreadable lines, from one
    file or a logs folder (every rotated day too)."""
    visits: dict[str, list[dict[str, Any]]] = {}
    bad = 0
    files = log_files(path)
    if not files:
        raise FileNotFoundError(2, "no events log in this folder", str(path))
    for file in files:
        bad += _read_file(file, visits)
    return visits, bad


def _read_file(path: Path, visits: dict[str, list[dict[str, Any]]]) -> int:
    bad = 0
    with path.open(encoding="utf-8") as f:
        for raw in f:
            try:
                line = json.loads(raw)
                datetime.fromisoformat(line["t"])
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            if line.get("visit"):
                visits.setdefault(line["visit"], []).append(line)
    return bad


def summarise(visits: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Funnel, time to ticket (s) and abandon points of ``visits``."""
    funnel = Counter()
    abandon: Counter[str] = Counter()
    to_ticket: list[float] = []
    for lines in visits.values():
        steps = [ln["step"] for ln in lines]
        for step in set(steps):
            if step in FUNNEL:
                funnel[step] += 1
        if "ticket_issued" in steps:
            start = datetime.fromisoformat(lines[0]["t"])
            end = datetime.fromisoformat(lines[steps.index("ticket_issued")]["t"])
            to_ticket.append((end - start).total_seconds())
        else:
            last = [ln for ln in lines if ln["step"] != "idle"]
            if last:
                where = last[-1]["step"]
                if where == "timed_out":
                    where = f"timed_out:{last[-1].get('reason', '?')}"
                abandon[where] += 1
    times = sorted(to_ticket)
    return {
        "visits": len(visits),
        "funnel": {step: funnel[step] for step in FUNNEL},
        "tickets": len(times),
        "time_to_ticket_s": {
            "median": round(statistics.median(times), 1) if times else None,
            "p90": round(times[int(0.9 * (len(times) - 1))], 1) if times else None,
        },
        "abandon": dict(abandon.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="the events.jsonl file, or the logs folder "
                        "(reads the days rotated out of it too)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    try:
        visits, bad = read_visits(args.path)
    except OSError as exc:
        print(f"error: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    summary = summarise(visits)
    summary["unreadable_lines"] = bad
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"visits: {summary['visits']}, tickets: {summary['tickets']}, "
          f"unreadable lines: {bad}")
    print("funnel:")
    for step, n in summary["funnel"].items():
        print(f"  {step:15s} {n}")
    t = summary["time_to_ticket_s"]
    print(f"time to ticket: median {t['median']} s, p90 {t['p90']} s")
    print("abandon points:")
    for where, n in summary["abandon"].items():
        print(f"  {where:30s} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
