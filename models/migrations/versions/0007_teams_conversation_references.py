"""teams conversation references

Where the bot can reach people and channels in Microsoft Teams (the conversation references it has
seen, per workspace), and room for Teams' identifiers where a Slack channel ID or message timestamp
used to be enough: a Teams conversation id (``19:…@thread.tacv2``, ``a:…``) and activity id run
longer than 32 characters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 12:50:59.637694
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column, nullable) widened from 32 to 255 characters
WIDENED = (
    ("meeting_series", "channel_id", True),
    ("reminder", "channel_id", True),
    ("reminder", "message_ts", True),
    ("digest_post", "channel_id", False),
    ("digest_post", "message_ts", True),
)


def upgrade() -> None:
    op.create_table(
        "teams_conversation_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "user", "channel", name="teams_reference_kind", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=True),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column("service_url", sa.String(length=500), nullable=False),
        sa.Column("bot_id", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_teams_conversation_ref_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams_conversation_ref")),
        sa.UniqueConstraint(
            "workspace_id", "kind", "subject_id", name=op.f("uq_teams_conversation_ref_workspace_id_kind_subject_id")
        ),
    )
    with op.batch_alter_table("teams_conversation_ref", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_conversation_ref_workspace_id"), ["workspace_id"], unique=False)
    _resize(sa.String(length=32), sa.String(length=255))


def downgrade() -> None:
    _resize(sa.String(length=255), sa.String(length=32))
    with op.batch_alter_table("teams_conversation_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_conversation_ref_workspace_id"))
    op.drop_table("teams_conversation_ref")


def _resize(old: sa.String, new: sa.String) -> None:
    for table, column, nullable in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=old, type_=new, existing_nullable=nullable)
