"""daily_sequences.waiting: the number of waiting tickets per service and day

Kept up to date in the same transaction as every change that adds a ticket to a queue or
takes one out, so that issuing reads "people ahead" from the row it locks anyway instead
of counting the queue (a count grows with the queue and was the largest database cost of
issuing). Existing rows are filled from the tickets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_sequences") as batch:
        batch.add_column(sa.Column("waiting", sa.Integer(), nullable=False,
                                   server_default="0"))
    # Queues that hold tickets but never numbered one that day (tickets transferred in).
    op.execute(
        "INSERT INTO daily_sequences (service_id, day, last_seq, waiting) "
        "SELECT t.service_id, t.day, 0, 0 FROM tickets t WHERE t.status = 'waiting' "
        "AND NOT EXISTS (SELECT 1 FROM daily_sequences d "
        "WHERE d.service_id = t.service_id AND d.day = t.day) "
        "GROUP BY t.service_id, t.day"
    )
    op.execute(
        "UPDATE daily_sequences SET waiting = (SELECT count(*) FROM tickets t "
        "WHERE t.service_id = daily_sequences.service_id AND t.day = daily_sequences.day "
        "AND t.status = 'waiting')"
    )


def downgrade() -> None:
    with op.batch_alter_table("daily_sequences") as batch:
        batch.drop_column("waiting")
