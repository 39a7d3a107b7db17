"""since the previous release: outbox refusals, the lease's number pattern, registry replica

- ``kiosk_outbox.refused_at``: an upload the server refused for good (kept, not retried);
- ``kiosk_number_leases.number_pattern``: the printed number's pattern the server gave with
  the lease (NULL on older leases: the default pattern);
- ``registry_replica``, ``registry_local_changes``, ``registry_outbox``: the kiosk's copy of
  the central registry and its pending enrolments.
The emergency ticket source is a new value of ``kiosk_tickets.source`` (no schema change).

Kiosk databases opened by development builds between the two releases got some of these
from ``create_all`` and ``ALTER TABLE`` at start, so each step is skipped when its column or
table is already there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    if "refused_at" not in _columns("kiosk_outbox"):
        with op.batch_alter_table("kiosk_outbox", schema=None) as batch_op:
            batch_op.add_column(sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True))
    if "number_pattern" not in _columns("kiosk_number_leases"):
        with op.batch_alter_table("kiosk_number_leases", schema=None) as batch_op:
            batch_op.add_column(sa.Column("number_pattern", sa.String(length=64), nullable=True))

    existing = _tables()
    if "registry_local_changes" not in existing:
        op.create_table(
            "registry_local_changes",
            sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("citizen_id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )
    if "registry_outbox" not in existing:
        op.create_table(
            "registry_outbox",
            sa.Column("client_uuid", sa.String(length=36), nullable=False),
            sa.Column("sealed", sa.LargeBinary(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("last_error", sa.String(length=300), nullable=True),
            sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("result", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("client_uuid"),
        )
    if "registry_replica" not in existing:
        op.create_table(
            "registry_replica",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("registry_id", sa.String(length=36), nullable=False),
            sa.Column("site", sa.String(length=32), nullable=False),
            sa.Column("server_url", sa.String(length=300), nullable=False),
            sa.Column("cursor", sa.BigInteger(), nullable=False),
            sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )


def downgrade() -> None:
    op.drop_table("registry_replica")
    op.drop_table("registry_outbox")
    op.drop_table("registry_local_changes")
    with op.batch_alter_table("kiosk_number_leases", schema=None) as batch_op:
        batch_op.drop_column("number_pattern")
    with op.batch_alter_table("kiosk_outbox", schema=None) as batch_op:
        batch_op.drop_column("refused_at")
