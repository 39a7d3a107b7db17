"""Alembic environment of the kiosk database: run by ``kiosk.schema.migrate`` with a
connection (there is no alembic.ini; the kiosk upgrades its database when it opens it)."""

from __future__ import annotations

from alembic import context

from kiosk.schema import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run the kiosk's migrations with kiosk.schema.make_engine()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
