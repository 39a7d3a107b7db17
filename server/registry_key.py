"""The registry key of the queue server: where it is, and the check that it is the key the
registry was sealed with.

The key (32 bytes) comes from ``QUEUE_SERVER_REGISTRY_KEY`` (64 hex digits or base64) or
from ``registry_key_file`` (0600, created on first use), never from the database. The
database keeps only the key's fingerprint (``app_secrets.registry_key``), so a wrong key is
refused with a clear message instead of failing on every template. ``keys rotate`` writes
the new key next to the old one (``.new``) before re-sealing; whichever file matches the
fingerprint is used, so a rotation cut short loses nothing.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from config.server import QueueServerSettings
from server.models import AppSecret
from ticketing.sealing import (
    KeyFileError,
    Sealer,
    key_fingerprint,
    load_or_create_key,
    parse_key_text,
)

ENV_KEY = "QUEUE_SERVER_REGISTRY_KEY"
FINGERPRINT = "registry_key"
REGISTRY_ID = "registry_id"


def key_path(settings: QueueServerSettings, data_dir: Path) -> Path:
    path = Path(settings.registry_key_file)
    return path if path.is_absolute() else data_dir / path


def registry_id(session: Session) -> str:
    """This server's registry identity (a UUID made on first use): kiosks refuse a replica
    from another registry."""
    row = session.get(AppSecret, REGISTRY_ID)
    if row is None:
        row = AppSecret(name=REGISTRY_ID, value=str(uuid.uuid4()))
        session.add(row)
        session.flush()
    return row.value


def _candidates(settings: QueueServerSettings, data_dir: Path) -> list[tuple[str, bytes]]:
    env = os.environ.get(ENV_KEY)
    if env:
        return [(ENV_KEY, parse_key_text(env))]
    path = key_path(settings, data_dir)
    found = [(str(path), load_or_create_key(path))]
    pending = path.with_name(path.name + ".new")
    if pending.exists():
        found.append((str(pending), load_or_create_key(pending)))
    return found


def open_sealer(session: Session, settings: QueueServerSettings, data_dir: Path) -> Sealer:
    """The registry's sealer; raises ``KeyFileError`` (one line) for a key that is not the
    one the registry was sealed with. The first call records the key's fingerprint."""
    candidates = _candidates(settings, data_dir)
    row = session.get(AppSecret, FINGERPRINT)
    if row is None:
        where, key = candidates[0]
        session.add(AppSecret(name=FINGERPRINT, value=key_fingerprint(key)))
        session.flush()
        return Sealer(key)
    for _where, key in candidates:
        if key_fingerprint(key) == row.value:
            return Sealer(key)
    names = ", ".join(w for w, _ in candidates)
    raise KeyFileError(
        f"the registry key ({names}) is not the key the registry was sealed with "
        f"(fingerprint {row.value}): restore the right key file or {ENV_KEY}"
    )
