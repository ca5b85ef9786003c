"""the latest-update index ends with the id

The digest and the reminders find a project's latest update with ``ORDER BY created_at DESC, id
DESC LIMIT 1``. With ``id`` as the index's last column PostgreSQL reads that row straight off the
index instead of sorting each project's ties (SQLite already orders an index's ties by rowid).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NAME = "ix_progress_update_project_created"


def upgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_index(_NAME)
        batch_op.create_index(_NAME, ["workspace_id", "project_id", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_index(_NAME)
        batch_op.create_index(_NAME, ["workspace_id", "project_id", "created_at"], unique=False)
