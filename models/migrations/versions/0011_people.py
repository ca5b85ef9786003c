"""people

The people directory: each workspace's user ids with the name (and title) Slack or Teams gives them,
and when the platform last said it (none for a name only a Work Plan CSV gave).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("refreshed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_person_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_person_workspace_id_user_id")),
    )


def downgrade() -> None:
    op.drop_table("person")
