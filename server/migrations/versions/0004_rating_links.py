"""survey_responses.counter_id, staff_id: each rating linked to who served

A rating now names the counter and the staff member of the visit it rates, so reports can
give satisfaction per counter and per staff member (and a no-show's rating names the
counter that called them). Existing ratings are filled from their tickets.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch:
        batch.add_column(sa.Column("counter_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_survey_responses_counter_id_counters"),
                                 "counters", ["counter_id"], ["id"])
        batch.create_foreign_key(op.f("fk_survey_responses_staff_id_users"),
                                 "users", ["staff_id"], ["id"])
    op.execute(
        "UPDATE survey_responses SET "
        "counter_id = (SELECT t.counter_id FROM tickets t "
        "WHERE t.id = survey_responses.ticket_id), "
        "staff_id = (SELECT t.staff_id FROM tickets t WHERE t.id = survey_responses.ticket_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch:
        batch.drop_constraint(op.f("fk_survey_responses_staff_id_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_survey_responses_counter_id_counters"),
                              type_="foreignkey")
        batch.drop_column("staff_id")
        batch.drop_column("counter_id")
