"""redundant indexes

Three indexes repeated the first column of another index on the same table, which serves every look-up
they did: ``update_revision (update_id)`` (the unique ``(update_id, number)``), ``home_view (workspace_id)``
(the unique ``(workspace_id, user_id)``) and ``progress_update (workspace_id)``
(``ix_progress_update_project_created``). Each cost every update a B-tree insert and, on SQLite, a page
of its own written to the write-ahead log.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 13:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

DROPPED = (
    ("update_revision", "ix_update_revision_update_id", ["update_id"]),
    ("home_view", "ix_home_view_workspace_id", ["workspace_id"]),
    ("progress_update", "ix_progress_update_workspace_id", ["workspace_id"]),
)


def upgrade() -> None:
    for table, name, _columns in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)
