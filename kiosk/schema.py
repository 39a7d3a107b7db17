"""Every kiosk table, created in one call: the registry replica and the kiosk's tickets.

``make_engine(url)`` is what opens the kiosk database everywhere (app, CLI, tests).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from kiosk import registry, replica, tickets
from kiosk.db import Base, connect

log = logging.getLogger(__name__)

#: Modules whose classes define the tables (imported for ``Base.metadata``).
TABLE_MODULES = (registry, replica, tickets)

#: Columns added after their table first shipped: ``create_all`` makes missing tables only,
#: so an older kiosk.db gets these with ``ALTER TABLE`` (nullable, typed from the model).
ADDED_COLUMNS = (
    ("kiosk_outbox", "refused_at"),
    ("kiosk_number_leases", "number_pattern"),
)


def _add_missing_columns(engine: sa.Engine) -> None:
    inspector = sa.inspect(engine)
    for table, column in ADDED_COLUMNS:
        if column in {c["name"] for c in inspector.get_columns(table)}:
            continue
        sql_type = Base.metadata.tables[table].c[column].type.compile(dialect=engine.dialect)
        log.info("database: adding column %s.%s", table, column)
        with engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def make_engine(url: str) -> sa.Engine:
    """Open the kiosk database at ``url`` and create every table (and column) missing."""
    engine = connect(url)
    Base.metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine
