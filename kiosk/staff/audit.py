"""The staff audit trail: one JSON line per login try and staff action in
``<data dir>/staff/audit.log`` (0600). Never holds a PIN, a password or an id number."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

AUDIT_FILE = "staff/audit.log"


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail: when (UTC, ISO 8601), who, what, and how it ended."""

    at: str
    who: str
    action: str
    outcome: str
    detail: str = ""


class AuditLog:
    """Append-only audit lines."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / AUDIT_FILE

    def record(self, who: str, action: str, outcome: str, detail: str = "") -> None:
        """Append one line. ``who`` is a username or ``"pin"``; never pass secrets."""
        entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "who": who,
                 "action": action, "outcome": outcome, "detail": detail}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def entries(self) -> list[AuditEntry]:
        """Every line, oldest first (unreadable lines skipped)."""
        out: list[AuditEntry] = []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return out
        for line in lines:
            try:
                d = json.loads(line)
                out.append(AuditEntry(d["at"], d["who"], d["action"], d["outcome"],
                                      d.get("detail", "")))
            except (ValueError, KeyError, TypeError):
                continue
        return out
