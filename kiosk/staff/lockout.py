"""Staff login lockout: after ``free_tries`` wrong tries, each further wrong try locks the
login for a growing delay (``base_s``, doubled each time, at most ``max_s``). The state is
a small file so a restart does not reset it; times are wall-clock seconds (``time.time``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.staff.files import read_json, write_private

LOCK_FILE = "staff/lockout.json"


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong tries are free and how long the locks last (seconds)."""

    free_tries: int = 5
    base_s: float = 30.0
    max_s: float = 3600.0

    def delay_s(self, failures: int) -> float:
        """Seconds locked after the ``failures``-th consecutive wrong try (0 if free)."""
        extra = failures - self.free_tries
        if extra < 0:
            return 0.0
        return float(min(self.base_s * 2 ** extra, self.max_s))


class Lockout:
    """Consecutive wrong tries and the time until which login is locked, kept on disk."""

    def __init__(self, data_dir: Path, policy: LockoutPolicy | None = None) -> None:
        self.path = data_dir / LOCK_FILE
        self.policy = policy or LockoutPolicy()
        state = read_json(self.path)
        state = state if isinstance(state, dict) else {}
        self.failures = int(state.get("failures", 0) or 0)
        self.locked_until = float(state.get("locked_until", 0.0) or 0.0)

    def remaining_s(self, now: float) -> float:
        """Seconds until a try is accepted again (0: now)."""
        return max(0.0, self.locked_until - now)

    def failed(self, now: float) -> float:
        """Record a wrong try at ``now``; return the seconds login is now locked."""
        self.failures += 1
        delay = self.policy.delay_s(self.failures)
        self.locked_until = now + delay if delay else 0.0
        self._save()
        return delay

    def succeeded(self) -> None:
        """A right try: the count starts again."""
        if self.failures or self.locked_until:
            self.failures = 0
            self.locked_until = 0.0
            self._save()

    def _save(self) -> None:
        write_private(self.path, json.dumps({"failures": self.failures,
                                             "locked_until": self.locked_until}))
