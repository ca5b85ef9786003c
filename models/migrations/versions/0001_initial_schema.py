"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 09:01:44.751352
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("platform", "external_id", name=op.f("uq_workspace_platform_external_id")),
    )
    op.create_table(
        "role_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "chair", name="role", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_role_grant_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grant")),
        sa.UniqueConstraint("workspace_id", "user_id", "role", name=op.f("uq_role_grant_workspace_id_user_id_role")),
    )
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grant_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "strategy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_strategy_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_strategy_workspace_id_name")),
    )
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "priority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["strategy_id"], ["strategy.id"], name=op.f("fk_priority_strategy_id_strategy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority")),
        sa.UniqueConstraint("strategy_id", "code", name=op.f("uq_priority_strategy_id_code")),
        sa.UniqueConstraint("strategy_id", "position", name=op.f("uq_priority_strategy_id_position")),
    )
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_priority_strategy_id"), ["strategy_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "active",
                "on_hold",
                "complete",
                "closed",
                name="project_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"], name=op.f("fk_project_priority_id_priority")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_project_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("workspace_id", "ref", name=op.f("uq_project_workspace_id_ref")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_owner_user_id"), ["owner_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_priority_id"), ["priority_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "progress_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "command",
                "modal",
                "shortcut",
                "reminder",
                "import",
                name="update_source",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_progress_update_project_id_project")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_progress_update_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_update")),
    )
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_update_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_progress_update_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_progress_update_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "project_delegate",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_delegate_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_project_delegate")),
    )
    with op.batch_alter_table("project_delegate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_delegate_user_id"), ["user_id"], unique=False)

    op.create_table(
        "update_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "rag",
            sa.Enum("red", "amber", "green", name="rag", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("editor_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"], ["progress_update.id"], name=op.f("fk_update_revision_update_id_progress_update")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_revision")),
        sa.UniqueConstraint("update_id", "number", name=op.f("uq_update_revision_update_id_number")),
    )
    with op.batch_alter_table("update_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_update_revision_update_id"), ["update_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("update_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_revision_update_id"))

    op.drop_table("update_revision")
    with op.batch_alter_table("project_delegate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_delegate_user_id"))

    op.drop_table("project_delegate")
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_update_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_progress_update_project_id"))
        batch_op.drop_index(batch_op.f("ix_progress_update_created_at"))

    op.drop_table("progress_update")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_project_priority_id"))
        batch_op.drop_index(batch_op.f("ix_project_owner_user_id"))

    op.drop_table("project")
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_strategy_id"))

    op.drop_table("priority")
    with op.batch_alter_table("strategy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_workspace_id"))

    op.drop_table("strategy")
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grant_workspace_id"))

    op.drop_table("role_grant")
    op.drop_table("workspace")
