"""reconcile wake

When the reconcile pass next looks at each workspace, and the count of writes that brought it forward
(``models.wake``); an index for the stale Homes the pass finds across workspaces. Every workspace starts
unset, so the first pass after the upgrade looks at each once.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wake_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("changes", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_workspace_wake_at"), ["wake_at"], unique=False)
    with op.batch_alter_table("home_view", schema=None) as batch_op:
        batch_op.create_index("ix_home_view_stale_published_at", ["stale", "published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("home_view", schema=None) as batch_op:
        batch_op.drop_index("ix_home_view_stale_published_at")
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspace_wake_at"))
        batch_op.drop_column("changes")
        batch_op.drop_column("wake_at")
