"""a site's working calendar: working weekdays, Saturday closing, closed and make-up days

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing sites get the state's working week, Monday to Friday (ISO weekday digits).
    op.add_column("sites", sa.Column("working_days", sa.String(length=7), nullable=False,
                                     server_default="12345"))
    # On a working Saturday, services close at this time; NULL: their full hours.
    op.add_column("sites", sa.Column("saturday_closes_at", sa.String(length=5),
                                     nullable=True))
    op.create_table(
        "site_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        # False: a closed day (holiday); True: a make-up working day
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE",
                                name=op.f("fk_site_days_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_days")),
        sa.UniqueConstraint("site_id", "day", name=op.f("uq_site_days_site_id_day")),
    )
    op.create_index(op.f("ix_site_days_site_id"), "site_days", ["site_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_site_days_site_id"), table_name="site_days")
    op.drop_table("site_days")
    # Plain ALTER TABLE (SQLite 3.35+, PostgreSQL), as 0008 does.
    op.execute("ALTER TABLE sites DROP COLUMN saturday_closes_at")
    op.execute("ALTER TABLE sites DROP COLUMN working_days")
