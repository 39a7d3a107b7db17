"""How long a citizen will wait: one formula for the server and a standalone kiosk.

The server knows the queue (people ahead, counters open) and measures service times: it
uses :func:`mean_service_minutes` and :func:`wait_minutes`. A standalone kiosk knows only
its own tickets' issue times and a service time the centre set: it replays its queue
(:func:`replay_queue`). No figure is better than a guessed one: every function answers
``None`` when the service time is unknown.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

#: shortest service time an average may give (a run of instant "done" clicks is no basis)
MIN_SERVICE_MIN = 0.5


def mean_service_minutes(durations_min: Iterable[float],
                         fallback: float | None = None) -> float | None:
    """The mean of recent service times in minutes (start → done), to 0.1 minute and at
    least ``MIN_SERVICE_MIN``; negative durations (a clock step) are left out. With none:
    ``fallback`` (a figure the centre set), else None (unknown)."""
    times = [d for d in durations_min if d >= 0]
    if not times:
        return fallback
    return max(round(sum(times) / len(times), 1), MIN_SERVICE_MIN)


def wait_minutes(ahead: int, service_min: float | None, counters: int) -> int | None:
    """Minutes until a ticket with ``ahead`` people before it is called: people ahead ×
    mean service time ÷ counters serving the queue, rounded up to a whole minute.

    0 with nobody ahead; None when the service time is unknown. ``counters`` below 1 is
    taken as 1 (someone will serve the queue)."""
    if ahead <= 0:
        return 0
    if service_min is None:
        return None
    return math.ceil(ahead * service_min / max(counters, 1))


def replay_queue(issued_min: Sequence[float], now_min: float, service_min: float | None,
                 counters: int) -> tuple[int, int | None]:
    """(people still waiting, minutes a ticket taken now waits) for a queue known only by
    its tickets' issue times, in minutes of the day (a standalone kiosk: nobody tells it
    who was called).

    The queue is replayed: ``counters`` counters, from the first ticket on, each take the
    oldest waiting ticket as soon as they are free and serve it for ``service_min``. A
    ticket whose replayed call lies after ``now_min`` still waits. Unknown service time:
    every ticket counts as waiting and the wait is None.
    """
    if service_min is None:
        return len(issued_min), None
    free = [min(issued_min, default=now_min)] * max(counters, 1)  # when each is free
    heapq.heapify(free)
    waiting = 0
    for issued in sorted(issued_min):
        start = max(issued, heapq.heappop(free))
        heapq.heappush(free, start + service_min)
        if start > now_min:
            waiting += 1
    next_call = max(now_min, free[0])
    return waiting, math.ceil(next_call - now_min - 1e-9)
