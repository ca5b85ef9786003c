"""digests sent

A digest a chair posts by hand (``/ict-digest`` in a channel, Home's Post digest): where, when, by whom and
for what period, so Home's "latest digest" counts it as well as the scheduled ones.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=255), nullable=False),
        sa.Column("message_ts", sa.String(length=255), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=True),
        sa.Column("period_end", UTCDateTime(), nullable=False),
        sa.Column("posted_by", sa.String(length=64), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_digest_sent_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
    )
    with op.batch_alter_table("digest_sent", schema=None) as batch_op:
        batch_op.create_index("ix_digest_sent_workspace_id_posted_at", ["workspace_id", "posted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("digest_sent", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_sent_workspace_id_posted_at")
    op.drop_table("digest_sent")
