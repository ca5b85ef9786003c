"""meetings: the series, closure days and materialised meetings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:30:04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closure_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_closure_day_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_day")),
        sa.UniqueConstraint("workspace_id", "day", name=op.f("uq_closure_day_workspace_id_day")),
    )
    with op.batch_alter_table("closure_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closure_day_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "cancelled",
                "dropped",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_meeting_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("workspace_id", "occurrence", name=op.f("uq_meeting_workspace_id_occurrence")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_meeting_workspace_id_starts_at"), ["workspace_id", "starts_at"], unique=False)

    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("holiday_region", sa.String(length=8), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("reminder_stages", sa.String(length=200), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_meeting_series_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_series")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_meeting_series_workspace_id")),
    )


def downgrade() -> None:
    op.drop_table("meeting_series")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_meeting_workspace_id_starts_at"))

    op.drop_table("meeting")
    with op.batch_alter_table("closure_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closure_day_workspace_id"))

    op.drop_table("closure_day")
