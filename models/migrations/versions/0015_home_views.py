"""home views

When each person's App Home was last published and whether it is stale: Home is published at most once
a minute per person, the rest is left to the next reconcile pass.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_home_view_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_view")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_home_view_workspace_id_user_id")),
    )
    with op.batch_alter_table("home_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_home_view_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("home_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_home_view_workspace_id"))
    op.drop_table("home_view")
