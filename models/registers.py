"""The governance group's registers: risks and issues (every change kept), the decisions and actions of
its meetings, and the assurance calendar with its results and reminders. Each row is one workspace's."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.entities import _enum
from models.scheduling import Claim, ReminderStatus


class RaidKind(enum.StrEnum):
    RISK = "risk"
    ISSUE = "issue"


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # a risk or issue closed, an action done


class RaidItem(Base):
    """A risk (with likelihood and impact, 1–5 each, and a review date) or an issue, on a project or on a
    priority (exactly one of the two). Its current state; :class:`RaidRevision` keeps every change."""

    __tablename__ = "raid_item"
    __table_args__ = (Index("ix_raid_item_workspace_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    kind: Mapped[RaidKind] = mapped_column(_enum(RaidKind, "raid_kind"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id"))
    text: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[str] = mapped_column(String(64))
    likelihood: Mapped[int | None] = mapped_column(Integer)  # risks only
    impact: Mapped[int | None] = mapped_column(Integer)  # risks only
    review_on: Mapped[date | None] = mapped_column(Date)  # risks only; none: no review date set
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus, "item_status"))
    raised_by: Mapped[str] = mapped_column(String(64))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_note: Mapped[str] = mapped_column(Text, default="")


class RaidRevision(Base):
    """A risk's or issue's state after one change, with who made it and when. Rows are only ever added;
    ``change`` says what happened: ``raised``, ``updated``, ``closed``."""

    __tablename__ = "raid_revision"
    __table_args__ = (Index("ix_raid_revision_item_at", "item_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("raid_item.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    change: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[str] = mapped_column(String(64))
    likelihood: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    review_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus, "item_status"))
    note: Mapped[str] = mapped_column(Text, default="")


class Decision(Base):
    """A decision the governance group took, recorded against one meeting (optionally on a project)."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_workspace_meeting", "workspace_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ActionItem(Base):
    """An action given at a meeting to one owner, due on a day (any day, a past one included)."""

    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_workspace_status_due", "workspace_id", "status", "due_on"),
        Index("ix_action_item_workspace_meeting", "workspace_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"), index=True)
    owner_user_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus, "item_status"))
    given_by: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_note: Mapped[str] = mapped_column(Text, default="")


class AssuranceObligation(Base):
    """A recurring (``rrule`` from ``start_on``) or one-off (``due_on``) assurance obligation, loaded from a
    file. One that a later file leaves out is retired, not deleted: its results stay on the record."""

    __tablename__ = "assurance_obligation"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[str] = mapped_column(String(64))
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id"))
    rrule: Mapped[str] = mapped_column(String(500), default="")
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text, default="")
    remind_days: Mapped[int] = mapped_column(Integer, default=5)
    # When the code was first loaded (a reload keeps it): occurrences before it are never chased.
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AssuranceOutcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105  (a test result, not a secret)
    FAIL = "fail"
    PARTIAL = "partial"


class AssuranceResult(Base):
    """A result recorded for one occurrence (its due date) of an obligation; the latest one counts."""

    __tablename__ = "assurance_result"
    __table_args__ = (Index("ix_assurance_result_obligation_occurrence", "obligation_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("assurance_obligation.id"))
    occurrence: Mapped[date] = mapped_column(Date)
    outcome: Mapped[AssuranceOutcome] = mapped_column(_enum(AssuranceOutcome, "assurance_outcome"))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(1000), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssuranceReminder(Claim, Base):
    """The reminder to an obligation's owner before one occurrence, claimed once, recorded after (the
    protocol of :class:`models.scheduling.Reminder`, whose unique key here is the occurrence)."""

    __tablename__ = "assurance_reminder"
    __table_args__ = (
        UniqueConstraint("obligation_id", "occurrence"),
        Index("ix_assurance_reminder_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("assurance_obligation.id"))
    occurrence: Mapped[date] = mapped_column(Date)
    user_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[ReminderStatus] = mapped_column(_enum(ReminderStatus, "assurance_reminder_status"))
    channel_id: Mapped[str | None] = mapped_column(String(255))
