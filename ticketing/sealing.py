"""Sealing of face templates and id numbers, shared by the kiosk and the queue server.

AES-256-GCM with a 12-byte random nonce in front of the ciphertext. A template is bound to
its citizen (the associated data is ``citizen:<id>``), so a blob copied onto another row
does not open. Id numbers are kept as a keyed hash (HMAC-SHA-256, for lookups and
uniqueness) plus a ciphertext (to show to an admin). The 32-byte key lives outside the
database: a 0600 file or an environment variable (see docs/privacy.md, docs/registry.md).

Templates are passed as their raw bytes: 128 little-endian float32 (512 bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag

NONCE_BYTES = 12
KEY_BYTES = 32
TEMPLATE_BYTES = 128 * 4

__all__ = ["InvalidTag", "KeyFileError", "Sealer", "key_fingerprint", "load_or_create_key",
           "parse_key_text", "write_key_file"]


class KeyFileError(Exception):
    """The key file is missing, unreadable or the wrong size."""


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key (16 hex digits), to tell keys apart without showing them."""
    return hashlib.sha256(b"key-fingerprint:" + key).hexdigest()[:16]


def parse_key_text(text: str) -> bytes:
    """A key given as 64 hex digits or base64 of 32 bytes (e.g. an environment variable)."""
    text = text.strip()
    try:
        key = bytes.fromhex(text) if len(text) == 2 * KEY_BYTES else base64.b64decode(
            text, validate=True)
    except ValueError:
        raise KeyFileError("the key must be 64 hex digits or base64 of 32 bytes") from None
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"the key holds {len(key)} bytes, not {KEY_BYTES}")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to a new file of mode 0600 (fails if the file exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)


def load_or_create_key(path: Path) -> bytes:
    """Read the 32-byte key, creating it (mode 0600) on first use."""
    if path.exists():
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise KeyFileError(f"key file {path} cannot be read: {exc.strerror}") from None
        if len(key) != KEY_BYTES:
            raise KeyFileError(
                f"key file {path} holds {len(key)} bytes, not 32: restore it from backup "
                "(templates sealed with another key cannot be opened)"
            )
        return key
    key = secrets.token_bytes(KEY_BYTES)
    write_key_file(path, key)
    return key


class Sealer:
    """Seals and opens templates and id numbers with one 32-byte key."""

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(key) != KEY_BYTES:
            raise KeyFileError(f"the key holds {len(key)} bytes, not {KEY_BYTES}")
        self._aead = AESGCM(key)
        self._hmac_key = hashlib.sha256(b"id-number-hmac:" + key).digest()
        self.fingerprint = key_fingerprint(key)

    def seal_template_bytes(self, data: bytes, citizen_id: int) -> bytes:
        """512 bytes (128 float32 LE) → nonce + ciphertext, bound to ``citizen_id``."""
        if len(data) != TEMPLATE_BYTES:
            raise ValueError(f"a template is {TEMPLATE_BYTES} bytes, got {len(data)}")
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, b"citizen:%d" % citizen_id)

    def open_template_bytes(self, blob: bytes, citizen_id: int) -> bytes:
        """The 512 template bytes; raises ``InvalidTag`` when the blob was tampered with,
        moved to another citizen, or sealed with another key."""
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                  b"citizen:%d" % citizen_id)

    def id_number_digest(self, id_number: str) -> str:
        """Keyed hash of the id number (64 hex digits), for lookups without the number."""
        return hmac.new(self._hmac_key, id_number.encode(), hashlib.sha256).hexdigest()

    def card_ref(self, id_number: str) -> str:
        """The opaque person key of an ID card holder on tickets (``k-`` + 32 hex digits; the
        kiosk's ``kiosk.model.CARD_KEY_PREFIX``): a
        keyed hash of the id number, apart from ``id_number_digest`` (another message), so
        the tickets table cannot be joined to the registry's lookup column. The same number
        gives the same key under the same key all day, which is what the one-waiting-ticket
        rule needs; the number cannot be read back from it without the key."""
        mac = hmac.new(self._hmac_key, b"card-ref:" + id_number.encode(), hashlib.sha256)
        return "k-" + mac.hexdigest()[:32]

    def seal_text(self, text: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, text.encode(), b"text")

    def open_text(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], b"text").decode()
