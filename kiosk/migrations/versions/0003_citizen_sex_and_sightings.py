"""a citizen's sex (the greeting's Ông/Bà) and the recognitions to report to the server

- ``citizens.sex``: "male", "female" or NULL (not recorded: no Ông/Bà, never guessed);
- ``registry_seen``: the last time each citizen was recognised here, until the registry
  sync has told the server (which keeps ``last_seen_at`` for the retention job).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A development database adopted without a version may have them already (create_all).
    inspector = sa.inspect(op.get_bind())
    if "sex" not in {c["name"] for c in inspector.get_columns("citizens")}:
        with op.batch_alter_table("citizens", schema=None) as batch_op:
            batch_op.add_column(sa.Column("sex", sa.String(length=8), nullable=True))
    if "registry_seen" in inspector.get_table_names():
        return
    op.create_table(
        "registry_seen",
        sa.Column("citizen_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("citizen_id"),
    )


def downgrade() -> None:
    op.drop_table("registry_seen")
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_column("sex")
