"""Guest memory: today's unrecognised faces, so a guest who comes back gets the same key.

Lives next to the engine: it compares 128-float encodings with the engine's match
distance. Memory only; nothing is written anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import numpy as np


class GuestMemory:
    """Today's unrecognised faces, in the recognition process's memory only.

    Gives a guest who comes back the same key (so asking again for a service reprints
    their number); nothing is written anywhere, and everything is forgotten when the day
    changes or the process ends. Encodings are 128-float vectors; ``threshold`` is the
    engine's match distance.
    """

    def __init__(self, threshold: float, max_guests: int = 5000, per_guest: int = 5,
                 today: Callable[[], date] = date.today) -> None:
        self.threshold, self.max_guests, self.per_guest = threshold, max_guests, per_guest
        self.today = today
        self._day = today()
        self._keys: list[str] = []
        self._vectors: list[np.ndarray] = []
        self._count: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._count)

    def key_for(self, encoding: np.ndarray) -> str:
        """The key of the guest this face belongs to, a new one for a new face."""
        if self.today() != self._day:
            self._day, self._keys, self._vectors, self._count = self.today(), [], [], {}
        vec = np.asarray(encoding, dtype=np.float32)
        if self._vectors:
            dist = np.linalg.norm(np.stack(self._vectors) - vec, axis=1)
            best = int(np.argmin(dist))
            if dist[best] <= self.threshold:
                key = self._keys[best]
                if self._count[key] < self.per_guest:
                    self._keys.append(key)
                    self._vectors.append(vec)
                    self._count[key] += 1
                return key
        if len(self._count) >= self.max_guests:  # a very busy day: forget the oldest
            oldest = self._keys[0]
            keep = [i for i, k in enumerate(self._keys) if k != oldest]
            self._keys = [self._keys[i] for i in keep]
            self._vectors = [self._vectors[i] for i in keep]
            del self._count[oldest]
        key = "g-" + uuid.uuid4().hex[:16]
        self._keys.append(key)
        self._vectors.append(vec)
        self._count[key] = 1
        return key
