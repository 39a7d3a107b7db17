"""registry: a citizen's sex (for the kiosk's Ông/Bà) and a site's retention setting

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # "male", "female" or NULL (not recorded: the kiosk then greets without Ông/Bà).
    op.add_column("registry_citizens", sa.Column("sex", sa.String(length=8), nullable=True))
    # Days a citizen may go unseen before the retention job erases them; NULL: the
    # server's setting server.registry_retention_days, 0: off for this site.
    op.add_column("sites", sa.Column("registry_retention_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+, PostgreSQL): a batch copy of ``sites`` would trip
    # the foreign keys that point at it.
    op.execute("ALTER TABLE sites DROP COLUMN registry_retention_days")
    op.execute("ALTER TABLE registry_citizens DROP COLUMN sex")
