"""survey_responses: the five SIPAS criteria; webhook_deliveries: the notification log

The live ticket page (/t/<token>) asks the five criteria of the Ministry of Home Affairs'
satisfaction index (access, procedures, the official, the result, feedback handling),
1..5 each; older single-question ratings leave them empty. The webhook that tells a
citizen their turn is near keeps one row per ticket and event with its tries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CRITERIA = ("score_access", "score_procedure", "score_official", "score_result",
            "score_feedback")


def upgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch:
        for name in CRITERIA:
            batch.add_column(sa.Column(name, sa.SmallInteger(), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), sa.ForeignKey("tickets.id"),
                  nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("ticket_id", "event"),
    )
    op.create_index("ix_webhook_deliveries_site_id", "webhook_deliveries", ["site_id"])
    op.create_index("ix_webhook_deliveries_next_attempt_at", "webhook_deliveries",
                    ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_next_attempt_at", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_site_id", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("survey_responses") as batch:
        for name in reversed(CRITERIA):
            batch.drop_column(name)
