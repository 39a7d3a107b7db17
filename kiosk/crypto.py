"""Protection of face data and id numbers at rest.

Templates are sealed with AES-256-GCM, bound to their citizen (the citizen id is the
associated data, so a template copied to another row fails to open). Id numbers are kept
as an HMAC (for lookup and uniqueness) plus an AES-GCM ciphertext (to show to an admin);
neither is readable without the key. The key is 32 random bytes in a file (mode 0600) next
to, but never inside, the database; see docs/privacy.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recognition.types import EMBEDDING_SIZE

_NONCE = 12


class KeyFileError(Exception):
    """The key file is missing, unreadable or the wrong size."""


def load_or_create_key(path: Path) -> bytes:
    """Read the 32-byte key, creating it (mode 0600) on first use."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise KeyFileError(
                f"key file {path} holds {len(key)} bytes, not 32: restore it from backup "
                "(templates sealed with another key cannot be opened)"
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


class FaceCipher:
    """Seals and opens templates and id numbers with one key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._hmac_key = hashlib.sha256(b"id-number-hmac:" + key).digest()

    def seal_template(self, vector: np.ndarray, citizen_id: int) -> bytes:
        """float32 (128,) → nonce + ciphertext, bound to ``citizen_id``."""
        data = np.asarray(vector, dtype="<f4").reshape(EMBEDDING_SIZE).tobytes()
        nonce = secrets.token_bytes(_NONCE)
        return nonce + self._aead.encrypt(nonce, data, b"citizen:%d" % citizen_id)

    def open_template(self, blob: bytes, citizen_id: int) -> np.ndarray:
        """The float32 (128,) vector; raises ``cryptography.exceptions.InvalidTag`` when the
        blob was tampered with, moved to another citizen, or sealed with another key."""
        data = self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], b"citizen:%d" % citizen_id)
        return np.frombuffer(data, dtype="<f4")

    def id_number_digest(self, id_number: str) -> str:
        """Keyed hash of the id number (hex), for lookups without storing the number."""
        return hmac.new(self._hmac_key, id_number.encode(), hashlib.sha256).hexdigest()

    def seal_text(self, text: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return nonce + self._aead.encrypt(nonce, text.encode(), b"text")

    def open_text(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:_NONCE], blob[_NONCE:], b"text").decode()
