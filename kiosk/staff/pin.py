"""The kiosk's technician PIN, kept as an argon2 hash in ``<data dir>/staff/pin.hash``.

The PIN is never in the TOML config. The shipped default (``2580``, printed in old manuals)
never opens staff mode: until a PIN is set, the kiosk asks for a new one at start (or the
technician runs ``kiosk set-pin``).
"""

from __future__ import annotations

import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.staff.files import write_private

DEFAULT_PIN = "2580"
PIN_FILE = "staff/pin.hash"
_PIN = re.compile(r"^[0-9]{4,12}$")


class PinError(ValueError):
    """A PIN that may not be used; the message says why, in one line."""


def check_new_pin(pin: str) -> None:
    """Raise ``PinError`` unless ``pin`` may become the technician PIN: 6 to 12 digits,
    not the shipped default, not one repeated digit, not a run like 123456."""
    if not _PIN.match(pin) or len(pin) < 6:
        raise PinError("the PIN must be 6 to 12 digits")
    if pin == DEFAULT_PIN:
        raise PinError("the shipped default PIN may not be used")
    if len(set(pin)) == 1:
        raise PinError("the PIN may not repeat one digit")
    digits = "0123456789" * 2
    if pin in digits or pin in digits[::-1]:
        raise PinError("the PIN may not be a run of digits such as 123456")


class PinStore:
    """The argon2 hash of the technician PIN in one private file."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PIN_FILE
        self._hasher = PasswordHasher()

    def is_set(self) -> bool:
        """True once a PIN other than the shipped default was set."""
        return self.path.is_file() and self.path.stat().st_size > 0

    def set(self, pin: str) -> None:
        """Store ``pin`` (checked with ``check_new_pin``) as an argon2 hash, mode 0600."""
        check_new_pin(pin)
        write_private(self.path, self._hasher.hash(pin) + "\n")

    def verify(self, pin: str) -> bool:
        """True when ``pin`` is the stored PIN; False when it is not or none is set."""
        if not self.is_set():
            return False
        try:
            return self._hasher.verify(self.path.read_text(encoding="utf-8").strip(), pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError, OSError):
            return False
