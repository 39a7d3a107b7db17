"""withdrawn ticket ids (a kiosk's timed-out online request)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "withdrawn_tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_withdrawn_tickets_site_id_sites")),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"],
                                name=op.f("fk_withdrawn_tickets_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawn_tickets")),
    )
    op.create_index(op.f("ix_withdrawn_tickets_kiosk_id"), "withdrawn_tickets", ["kiosk_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_withdrawn_tickets_kiosk_id"), table_name="withdrawn_tickets")
    op.drop_table("withdrawn_tickets")
