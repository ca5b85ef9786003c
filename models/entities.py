"""The domain tables. Every row belongs, directly or through its parent, to one workspace."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the lower-case value (VARCHAR + CHECK), readable in exports and SQL alike.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETE = "complete"
    CLOSED = "closed"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class UpdateSource(enum.StrEnum):
    COMMAND = "command"
    MODAL = "modal"
    SHORTCUT = "shortcut"
    REMINDER = "reminder"
    IMPORT = "import"


class Role(enum.StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"  # by hand: never undone by the series
    DROPPED = "dropped"  # the series no longer gives it (its rule changed); comes back if the rule does


class Workspace(Base):
    """A Slack team (later also a Teams tenant)."""

    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), default="slack")
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the app was uninstalled (None: installed); its data is purged after the retention period.
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # A Slack user group whose members are chairs, as well as those granted the role one by one.
    chair_usergroup_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # When the reconcile pass next looks at the workspace (None: at the next pass), and how many writes
    # have brought that moment forward so far (models.wake).
    wake_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)
    changes: Mapped[int] = mapped_column(Integer, server_default="0")


class Strategy(Base):
    __tablename__ = "strategy"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    priorities: Mapped[list[Priority]] = relationship(
        back_populates="strategy", order_by="Priority.position", cascade="all, delete-orphan"
    )
    aims: Mapped[list[StrategyAim]] = relationship(
        back_populates="strategy", order_by="StrategyAim.position", cascade="all, delete-orphan"
    )


class Priority(Base):
    __tablename__ = "priority"
    __table_args__ = (UniqueConstraint("strategy_id", "code"), UniqueConstraint("strategy_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    strategy: Mapped[Strategy] = relationship(back_populates="priorities")


class StrategyAim(Base):
    """One of the aims a strategy sets out to deliver (seed 000's nine), in the file's order."""

    __tablename__ = "strategy_aim"
    __table_args__ = (UniqueConstraint("strategy_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    strategy: Mapped[Strategy] = relationship(back_populates="aims")


class Project(Base):
    """An ICT Work Plan item."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("workspace_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    ref: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id"), index=True)
    owner_user_id: Mapped[str] = mapped_column(String(64), index=True)
    service_area: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus, "project_status"))
    target_date: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    priority: Mapped[Priority | None] = relationship()
    delegates: Mapped[list[ProjectDelegate]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectDelegate.user_id"
    )

    @property
    def delegate_ids(self) -> list[str]:
        return [d.user_id for d in self.delegates]


class ProjectDelegate(Base):
    __tablename__ = "project_delegate"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)

    project: Mapped[Project] = relationship(back_populates="delegates")


class ProgressUpdate(Base):
    """One progress update on a project. Its text lives in revisions; the highest is current."""

    __tablename__ = "progress_update"
    # The digest and the reminders ask for each project's latest update before or within a period. It is
    # also workspace_id's index (migration 0019).
    __table_args__ = (Index("ix_progress_update_project_created", "workspace_id", "project_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))  # ix_progress_update_project_created
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    author_user_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[UpdateSource] = mapped_column(_enum(UpdateSource, "update_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    project: Mapped[Project] = relationship()
    revisions: Mapped[list[UpdateRevision]] = relationship(
        back_populates="update", order_by="UpdateRevision.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> UpdateRevision:
        return self.revisions[-1]


class UpdateRevision(Base):
    """The text of an update at one point in time. Corrections add a revision; none is overwritten."""

    __tablename__ = "update_revision"
    __table_args__ = (UniqueConstraint("update_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id"))  # in the unique (update_id, number)
    number: Mapped[int] = mapped_column(Integer)
    rag: Mapped[Rag] = mapped_column(_enum(Rag, "rag"))
    progress: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    editor_user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    update: Mapped[ProgressUpdate] = relationship(back_populates="revisions")


class RoleGrant(Base):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    granted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingSeries(Base):
    """How a workspace's governance meetings recur: one series per workspace.

    ``rrule`` is an RFC 5545 recurrence rule without DTSTART; ``anchor`` is its DTSTART date (the
    first day it may produce a meeting, which sets the phase of INTERVAL=2 and the day of a rule with
    no BY… part). Meetings start at ``local_time`` in ``timezone``, on working days of
    ``holiday_region`` (ENG, WLS, SCT or NIR: the UK's bank-holiday calendars).
    ``reminder_stages`` is "5@09:30,1@09:30": working days before the meeting @ local time;
    ``digest_stage`` ("1@12:00") is when the pre-meeting digest is posted in the governance channel.
    """

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), unique=True)
    rrule: Mapped[str] = mapped_column(String(500))
    anchor: Mapped[date] = mapped_column(Date)
    local_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(64))
    holiday_region: Mapped[str] = mapped_column(String(8))
    channel_id: Mapped[str | None] = mapped_column(String(255))  # a Slack channel ID or a Teams conversation id
    reminder_stages: Mapped[str] = mapped_column(String(200))
    # When the digest is posted in the governance channel: working days before the meeting @ local time.
    digest_stage: Mapped[str] = mapped_column(String(32), default="1@12:00", server_default="1@12:00")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClosureDay(Base):
    """A day the council is closed beyond the bank holidays (e.g. between Christmas and New Year)."""

    __tablename__ = "closure_day"
    __table_args__ = (UniqueConstraint("workspace_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Meeting(Base):
    """One governance meeting, materialised from the series.

    ``occurrence`` is the local date the rule gave, the meeting's key: a meeting that falls on a bank
    holiday keeps it while ``starts_at`` (UTC) moves to the next working day. ``moved`` (by hand) and
    a cancellation are never undone when the series is materialised again. A meeting the series no
    longer gives is marked dropped rather than deleted, so rows that refer to it (reminders) stay
    valid and a calendar export can tell subscribers it is off. ``revision`` goes up with every change
    (the calendar export's SEQUENCE).
    """

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("workspace_id", "occurrence"),
        Index("ix_meeting_workspace_id_starts_at", "workspace_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    occurrence: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus, "meeting_status"))
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
