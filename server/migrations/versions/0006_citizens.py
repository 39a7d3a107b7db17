"""the citizen registry of a site: citizens, sealed templates, consents, change feed,
kiosk enrolments (idempotent by client UUID) and the registry's audit log (issue 10)

Revision ID: 0006
Revises: 0002 (the lead re-chains 0003-0005 at merge)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_audit")),
    )
    op.create_index(op.f("ix_registry_audit_at"), "registry_audit", ["at"], unique=False)
    op.create_index(
        op.f("ix_registry_audit_citizen_id"), "registry_audit", ["citizen_id"], unique=False
    )
    op.create_table(
        "registry_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_registry_changes_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_registry_changes")),
        sqlite_autoincrement=True,  # seqs only grow (kiosks' cursors)
    )
    op.create_index(
        op.f("ix_registry_changes_citizen_id"), "registry_changes", ["citizen_id"], unique=False
    )
    op.create_index(
        op.f("ix_registry_changes_site_id"), "registry_changes", ["site_id"], unique=False
    )
    op.create_table(
        "registry_citizens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("id_number_digest", sa.String(length=64), nullable=False),
        sa.Column("id_number_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_masked", sa.String(length=16), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("priority_group", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_registry_citizens_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_citizens")),
        sa.UniqueConstraint(
            "site_id",
            "id_number_digest",
            name=op.f("uq_registry_citizens_site_id_id_number_digest"),
        ),
    )
    op.create_index(
        op.f("ix_registry_citizens_last_seen_at"),
        "registry_citizens",
        ["last_seen_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_registry_citizens_site_id"), "registry_citizens", ["site_id"], unique=False
    )
    op.create_table(
        "registry_enrolments",
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=True),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_registry_enrolments_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("client_uuid", name=op.f("pk_registry_enrolments")),
    )
    op.create_table(
        "registry_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.String(length=100), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["registry_citizens.id"],
            name=op.f("fk_registry_consents_citizen_id_registry_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_consents")),
    )
    op.create_index(
        op.f("ix_registry_consents_citizen_id"), "registry_consents", ["citizen_id"], unique=False
    )
    op.create_table(
        "registry_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["registry_citizens.id"],
            name=op.f("fk_registry_templates_citizen_id_registry_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_templates")),
    )
    op.create_index(
        op.f("ix_registry_templates_citizen_id"), "registry_templates", ["citizen_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_registry_templates_citizen_id"), table_name="registry_templates")
    op.drop_table("registry_templates")
    op.drop_index(op.f("ix_registry_consents_citizen_id"), table_name="registry_consents")
    op.drop_table("registry_consents")
    op.drop_table("registry_enrolments")
    op.drop_index(op.f("ix_registry_citizens_site_id"), table_name="registry_citizens")
    op.drop_index(op.f("ix_registry_citizens_last_seen_at"), table_name="registry_citizens")
    op.drop_table("registry_citizens")
    op.drop_index(op.f("ix_registry_changes_site_id"), table_name="registry_changes")
    op.drop_index(op.f("ix_registry_changes_citizen_id"), table_name="registry_changes")
    op.drop_table("registry_changes")
    op.drop_index(op.f("ix_registry_audit_citizen_id"), table_name="registry_audit")
    op.drop_index(op.f("ix_registry_audit_at"), table_name="registry_audit")
    op.drop_table("registry_audit")
