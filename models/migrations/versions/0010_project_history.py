"""project history

Each change of a project's status, owner, delegates, target date, title or priority, with who made it,
when and through what (models.ProjectEvent). Every project found here gets one "created" event at its
created_at, carrying its status now and marked via "backfill", so its history has a starting point.
Status changes made before this revision were never recorded and are unknown.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column(
            "via",
            sa.Enum(
                "chat", "import", "backfill", name="change_via", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "field",
            sa.Enum(
                "created",
                "status",
                "owner",
                "delegates",
                "target_date",
                "title",
                "priority",
                name="project_field",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("old", sa.Text(), nullable=False),
        sa.Column("new", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_project_event_project_id_project")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_project_event_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_event")),
    )
    with op.batch_alter_table("project_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_event_workspace_project_at", ["workspace_id", "project_id", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_event_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_event_workspace_id"), ["workspace_id"], unique=False)
    # The starting point: each project as it is now, "created" at its created_at with its current status.
    # What happened to it between then and now (a status changed in chat or by an import) is not known.
    op.execute(
        sa.text(
            "INSERT INTO project_event (workspace_id, project_id, at, actor, via, field, old, new) "
            "SELECT workspace_id, id, created_at, '', 'backfill', 'created', '', status FROM project"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("project_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_event_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_project_event_project_id"))
        batch_op.drop_index("ix_project_event_workspace_project_at")
    op.drop_table("project_event")
