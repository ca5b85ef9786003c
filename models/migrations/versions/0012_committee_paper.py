"""committee paper

The committee paper's records: a workspace's report settings, the chair's narrative for each report
period with every revision, and the sign-offs of a period's paper.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:49:52.404062
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "narrative_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_narrative_revision_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative_revision")),
        sa.UniqueConstraint(
            "workspace_id",
            "period_start",
            "section",
            "number",
            name=op.f("uq_narrative_revision_workspace_id_period_start_section_number"),
        ),
    )
    with op.batch_alter_table("narrative_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_narrative_revision_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "report_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_report_settings_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_report_settings")),
    )
    op.create_table(
        "signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_signoff_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoff")),
    )
    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signoff_workspace_period", ["workspace_id", "period_start", "signed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.drop_index("ix_signoff_workspace_period")

    op.drop_table("signoff")
    op.drop_table("report_settings")
    with op.batch_alter_table("narrative_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_narrative_revision_workspace_id"))

    op.drop_table("narrative_revision")
