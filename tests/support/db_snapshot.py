"""Every row of every table of a database, for 'the data is identical' assertions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """``{table name: sorted rows}`` of the database at ``url`` (reflected, so it sees
    whatever schema is there, including alembic_version)."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        out: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as conn:
            for name, table in meta.tables.items():
                rows = [tuple(r) for r in conn.execute(sa.select(table))]
                out[name] = sorted(rows, key=repr)
        return out
    finally:
        engine.dispose()
