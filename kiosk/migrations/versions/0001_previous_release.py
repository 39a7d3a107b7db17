"""the previous release's kiosk schema (commit 3970e5f): registry, tickets, outbox, leases

A kiosk database made by that release has these tables and no ``alembic_version``; it is
stamped with this revision when it is first opened (see ``kiosk.schema``).

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_citizen_id'), ['citizen_id'],
                              unique=False)

    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('id_number_digest', sa.String(length=64), nullable=False),
    sa.Column('id_number_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id_number_masked', sa.String(length=16), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('priority_group', sa.String(length=16), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consent_by', sa.String(length=100), nullable=False),
    sa.Column('consent_text_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_number_digest')
    )
    op.create_table('kiosk_day_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'service')
    )
    op.create_table('kiosk_number_leases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('first_seq', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('next_seq', sa.Integer(), nullable=False),
    sa.Column('lease_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kiosk_number_leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_number_leases_day'), ['day'], unique=False)

    op.create_table('kiosk_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.String(length=36), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kiosk_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_outbox_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_outbox_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('kiosk_tickets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('guest_key', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.Boolean(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('print_state', sa.String(length=16), nullable=False),
    sa.Column('print_attempts', sa.Integer(), nullable=False),
    sa.Column('print_error', sa.String(length=200), nullable=True),
    sa.Column('people_ahead', sa.Integer(), nullable=True),
    sa.Column('counters', sa.String(length=100), nullable=False),
    sa.Column('survey_url', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'service', 'number', name='uq_kiosk_ticket_number')
    )
    with op.batch_alter_table('kiosk_tickets', schema=None) as batch_op:
        batch_op.create_index('ix_kiosk_ticket_guest', ['day', 'guest_key'], unique=False)
        batch_op.create_index('ix_kiosk_ticket_person', ['day', 'citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_tickets_day'), ['day'], unique=False)

    op.create_table('face_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('embedding_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('quality', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('face_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_templates_citizen_id'), ['citizen_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table("face_templates")
    op.drop_table("kiosk_tickets")
    op.drop_table("kiosk_outbox")
    op.drop_table("kiosk_number_leases")
    op.drop_table("kiosk_day_counters")
    op.drop_table("citizens")
    op.drop_table("audit_events")
