"""kiosk health reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_health",
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("printer", sa.String(length=32), nullable=True),
        sa.Column("camera", sa.String(length=32), nullable=True),
        sa.Column("alerts", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"],
                                name=op.f("fk_kiosk_health_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_kiosk_health")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_health")
