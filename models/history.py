"""A project's history: each change of its status, owner, delegates, target date, title or priority, with
who made it, when, and through what (chat, a CSV import). Rows are only ever added."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.entities import Project, _enum


class ChangeVia(enum.StrEnum):
    """Through what a project changed."""

    CHAT = "chat"  # /ict-project in Slack
    IMPORT = "import"  # a Work Plan CSV (`ictbot projects import`, the local shells' sample)
    # The project as it stood when its history began, not a change anyone made: written by migration 0010
    # for the projects it found, and by a restore for a project whose export carries no history.
    BACKFILL = "backfill"


class ProjectField(enum.StrEnum):
    """What changed. ``created`` is the project's first event; its ``new`` is the status it was created with."""

    CREATED = "created"
    STATUS = "status"
    OWNER = "owner"
    DELEGATES = "delegates"
    TARGET_DATE = "target_date"
    TITLE = "title"
    PRIORITY = "priority"


class ProjectEvent(Base):
    """One change of one project. ``old`` and ``new`` are the value as stored, as text: a status value, a
    user id, delegates' ids sorted and joined by commas, an ISO date, a priority's code; empty for none."""

    __tablename__ = "project_event"
    __table_args__ = (Index("ix_project_event_workspace_project_at", "workspace_id", "project_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64), default="")  # the chat user who made it; empty: none
    via: Mapped[ChangeVia] = mapped_column(_enum(ChangeVia, "change_via"))
    field: Mapped[ProjectField] = mapped_column(_enum(ProjectField, "project_field"))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship()
