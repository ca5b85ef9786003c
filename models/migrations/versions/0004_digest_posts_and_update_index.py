"""digest posts and update index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:04:54.509828
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "digest_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "claimed",
                "sent",
                "failed",
                "dropped",
                name="digest_post_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_digest_post_meeting_id_meeting")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_digest_post_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_post")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_digest_post_meeting_id")),
    )
    with op.batch_alter_table("digest_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_post_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_stage", sa.String(length=32), server_default="1@12:00", nullable=False))

    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.create_index(
            "ix_progress_update_project_created", ["workspace_id", "project_id", "created_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_update_project_created")

    with op.batch_alter_table("meeting_series", schema=None) as batch_op:
        batch_op.drop_column("digest_stage")

    with op.batch_alter_table("digest_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_post_workspace_id"))

    op.drop_table("digest_post")
