"""The committee paper's own records: a workspace's report settings, the narrative the chair writes
for a report period (every revision kept) and the sign-offs of a period's paper."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ReportSettings(Base):
    """The settings file a workspace loaded (``ictbot report settings load``), as validated JSON."""

    __tablename__ = "report_settings"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), primary_key=True)
    document: Mapped[str] = mapped_column(Text)  # JSON of bot.services.paper.settings.ReportSettings
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NarrativeRevision(Base):
    """One revision of a section's narrative in a report period; the highest number is current.

    ``section`` is a priority's code, or ``position`` for the overall position. Empty text withdraws it.
    """

    __tablename__ = "narrative_revision"
    __table_args__ = (UniqueConstraint("workspace_id", "period_start", "section", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    section: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Signoff(Base):
    """Who approved a period's paper and when, with a fingerprint of what they approved."""

    __tablename__ = "signoff"
    __table_args__ = (Index("ix_signoff_workspace_period", "workspace_id", "period_start", "signed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    user_id: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 hex of the period's data at sign-off
