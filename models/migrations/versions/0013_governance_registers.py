"""governance registers

The governance group's registers: risks and issues with every change, the decisions and actions of
its meetings, and the assurance calendar with its results and the reminders sent before each occurrence.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 03:16:24.676696
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The people directory keeps the e-mail address the platform gives: an assurance file names owners by it.
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), server_default="", nullable=False))
    op.create_table(
        "assurance_obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("remind_days", sa.Integer(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priority.id"], name=op.f("fk_assurance_obligation_priority_id_priority")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_assurance_obligation_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_obligation")),
        sa.UniqueConstraint("workspace_id", "code", name=op.f("uq_assurance_obligation_workspace_id_code")),
    )
    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="item_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("given_by", sa.String(length=64), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_action_item_meeting_id_meeting")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_action_item_project_id_project")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_action_item_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_action_item_workspace_meeting", ["workspace_id", "meeting_id"], unique=False)
        batch_op.create_index("ix_action_item_workspace_status_due", ["workspace_id", "status", "due_on"], unique=False)

    op.create_table(
        "assurance_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "claimed",
                "sent",
                "failed",
                "dropped",
                name="assurance_reminder_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("channel_id", sa.String(length=255), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("message_ts", sa.String(length=255), nullable=True),
        sa.Column("first_claimed_at", UTCDateTime(), nullable=True),
        sa.Column("settlement", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["assurance_obligation.id"],
            name=op.f("fk_assurance_reminder_obligation_id_assurance_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_assurance_reminder_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_reminder")),
        sa.UniqueConstraint("obligation_id", "occurrence", name=op.f("uq_assurance_reminder_obligation_id_occurrence")),
    )
    with op.batch_alter_table("assurance_reminder", schema=None) as batch_op:
        batch_op.create_index("ix_assurance_reminder_status_due_at", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assurance_reminder_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "assurance_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pass",
                "fail",
                "partial",
                name="assurance_outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.String(length=1000), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["assurance_obligation.id"],
            name=op.f("fk_assurance_result_obligation_id_assurance_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_assurance_result_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_result")),
    )
    with op.batch_alter_table("assurance_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assurance_result_obligation_occurrence", ["obligation_id", "occurrence"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assurance_result_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_decision_meeting_id_meeting")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_decision_project_id_project")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_decision_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_decision_workspace_meeting", ["workspace_id", "meeting_id"], unique=False)

    op.create_table(
        "raid_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("risk", "issue", name="raid_kind", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=True),
        sa.Column("impact", sa.Integer(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="item_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("raised_by", sa.String(length=64), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"], name=op.f("fk_raid_item_priority_id_priority")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_raid_item_project_id_project")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_raid_item_workspace_id_workspace")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_item")),
    )
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raid_item_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_raid_item_workspace_status", ["workspace_id", "status"], unique=False)

    op.create_table(
        "raid_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=64), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=True),
        sa.Column("impact", sa.Integer(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="item_status", native_enum=False, create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["raid_item.id"], name=op.f("fk_raid_revision_item_id_raid_item")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_raid_revision_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_revision")),
    )
    with op.batch_alter_table("raid_revision", schema=None) as batch_op:
        batch_op.create_index("ix_raid_revision_item_at", ["item_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_revision_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("raid_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raid_revision_workspace_id"))
        batch_op.drop_index("ix_raid_revision_item_at")

    op.drop_table("raid_revision")
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        batch_op.drop_index("ix_raid_item_workspace_status")
        batch_op.drop_index(batch_op.f("ix_raid_item_project_id"))

    op.drop_table("raid_item")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_workspace_meeting")
        batch_op.drop_index(batch_op.f("ix_decision_project_id"))

    op.drop_table("decision")
    with op.batch_alter_table("assurance_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_result_workspace_id"))
        batch_op.drop_index("ix_assurance_result_obligation_occurrence")

    op.drop_table("assurance_result")
    with op.batch_alter_table("assurance_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurance_reminder_workspace_id"))
        batch_op.drop_index("ix_assurance_reminder_status_due_at")

    op.drop_table("assurance_reminder")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index("ix_action_item_workspace_status_due")
        batch_op.drop_index("ix_action_item_workspace_meeting")
        batch_op.drop_index(batch_op.f("ix_action_item_project_id"))

    op.drop_table("action_item")
    op.drop_table("assurance_obligation")
