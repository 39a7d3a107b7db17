"""Protection of face data and id numbers at rest on the kiosk.

The sealing itself (AES-256-GCM bound to the citizen, HMAC of id numbers) is
``ticketing.sealing``, shared with the queue server; this module adds the numpy view of a
template. The key is 32 random bytes in a file (mode 0600) next to, but never inside, the
database; see docs/privacy.md.
"""

from __future__ import annotations

import numpy as np

from recognition.types import EMBEDDING_SIZE
from ticketing.sealing import KeyFileError, Sealer, load_or_create_key

__all__ = ["FaceCipher", "KeyFileError", "load_or_create_key"]


class FaceCipher(Sealer):
    """Seals and opens templates (numpy float32 (128,)) and id numbers with one key."""

    def seal_template(self, vector: np.ndarray, citizen_id: int) -> bytes:
        """float32 (128,) → nonce + ciphertext, bound to ``citizen_id``."""
        data = np.asarray(vector, dtype="<f4").reshape(EMBEDDING_SIZE).tobytes()
        return self.seal_template_bytes(data, citizen_id)

    def open_template(self, blob: bytes, citizen_id: int) -> np.ndarray:
        """The float32 (128,) vector; raises ``cryptography.exceptions.InvalidTag`` when the
        blob was tampered with, moved to another citizen, or sealed with another key."""
        return np.frombuffer(self.open_template_bytes(blob, citizen_id), dtype="<f4")
