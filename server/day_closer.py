"""Runs the day change (server/domain/day_change.py) at start and then every minute in a
daemon thread, so a queue left open overnight is closed out per ``server.day_change``; and,
at start and then once a day, prunes withdrawn ticket ids older than
``server.withdrawn_retention_days``."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from config.server import QueueServerSettings
from server.db import Database
from server.domain.citizen_tickets import prune_withdrawals
from server.domain.day_change import close_out_all_sites
from server.models import utcnow

log = logging.getLogger(__name__)

PERIOD_S = 60.0
PRUNE_PERIOD_S = 24 * 3600.0


class DayCloser:
    """Checks every ``PERIOD_S`` seconds for tickets left open on an earlier day, and every
    ``PRUNE_PERIOD_S`` (first at start) for withdrawals past their retention."""

    def __init__(self, settings: QueueServerSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, dict[str, int]]:
        """Apply the day change now; ``{site: {day: tickets}}`` handled."""
        with self.db.session() as s:
            handled = close_out_all_sites(s, self.settings.day_change)
        for site, days in handled.items():
            for day, n in days.items():
                log.info("day change at %s: %s, %d open ticket(s) %s", site, day, n,
                         "marked no-show" if self.settings.day_change == "no_show"
                         else "kept")
        return handled

    def prune_withdrawals(self) -> int:
        """Delete withdrawals older than ``withdrawn_retention_days`` now; how many went."""
        days = self.settings.withdrawn_retention_days
        with self.db.session() as s:
            n = prune_withdrawals(s, utcnow() - dt.timedelta(days=days))
        log.info("%d withdrawn ticket id(s) older than %d days deleted", n, days)
        return n

    def start(self) -> None:
        """Start the background checks (a daemon thread)."""
        self._thread = threading.Thread(target=self._run, name="day-change", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        pruned_at: float | None = None
        while not self._stop.is_set():
            try:
                self.run_once()
                if pruned_at is None or time.monotonic() - pruned_at >= PRUNE_PERIOD_S:
                    self.prune_withdrawals()
                    pruned_at = time.monotonic()
            except Exception as exc:  # the database away for a moment: next minute
                log.warning("day change check: %s", str(exc).splitlines()[0] if str(exc)
                            else type(exc).__name__)
            self._stop.wait(PERIOD_S)
