"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np


def fill_registry(engine: Any, cipher: Any, vecs: np.ndarray, per: int = 2) -> None:
    """Bulk-insert synthetic citizens (``per`` templates each) with sealed ``vecs`` (N, 128)
    into a kiosk database, bypassing enrolment (no photos, no audit) for speed."""
    import sqlalchemy as sa

    from kiosk.registry import Citizen, FaceTemplate

    n = len(vecs)
    ts = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(Citizen), [
            {"id": i, "full_name": f"C{i}", "id_number_digest": f"{i:064d}",
             "id_number_sealed": b"", "id_number_masked": "x", "priority_group": "none",
             "consent_at": ts, "consent_by": "bench", "consent_text_version": "b"}
            for i in range(1, n // per + 1)
        ])
        conn.execute(sa.insert(FaceTemplate), [
            {"id": t + 1, "citizen_id": t // per + 1,
             "embedding_sealed": cipher.seal_template(vecs[t], t // per + 1),
             "quality": {}, "created_at": ts}
            for t in range(n)
        ])


def child_pids(pid: int) -> list[int]:
    """The direct children of process ``pid`` (from /proc; empty when it is gone)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out
