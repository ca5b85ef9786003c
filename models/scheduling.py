"""Coordination between serving processes: a named lease, the reminders and digests they send.

Any number of ``ictbot serve`` processes may share one database. The lease picks the reconcile pass that
keeps house (on SQLite, the one pass that runs; on PostgreSQL the others claim and send beside it). A pass
holds it while it runs (renewing it as it goes) and gives it back when it ends; if its process dies, the
lease expires soon after and another process takes over. The digests chairs post by hand are recorded
here too.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.entities import _enum


class Lease(Base):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # a "remind me tomorrow", waiting for its time
    CLAIMED = "claimed"  # a process is sending it
    SENT = "sent"
    FAILED = "failed"  # Slack refused it for good (user gone, DM closed), or a retried claim failed again
    DROPPED = "dropped"  # not sent: the meeting started first, or the person caught up


class ReminderKind(enum.StrEnum):
    OWNER = "owner"  # to an owner or delegate: their projects with no fresh update
    CHAIR = "chair"  # to a chair, the day before: the projects still missing an update


class Claim:
    """The columns of a row claimed before it is sent, then recorded: a reminder, a digest post."""

    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str] = mapped_column(String(200), default="")
    message_ts: Mapped[str | None] = mapped_column(String(255))
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settlement: Mapped[str] = mapped_column(String(200), default="", server_default="")


class Reminder(Claim, Base):
    """One reminder to one person for one meeting at one stage, claimed before it is sent.

    The unique constraint on (meeting, user, stage) is what makes a second send impossible, whatever
    number of processes reconcile at once. When a send's outcome is unknown (the process died, Slack
    did not answer in time, the "sent" record was lost), the retry first looks for the message in the
    conversation's history from ``first_claimed_at`` on; ``settlement`` says how the retry was settled
    ("found in history", or "resent: …" where history could not be read, so the person may have it twice).
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", "stage"),
        Index("ix_reminder_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind, "reminder_kind"))
    stage: Mapped[str] = mapped_column(String(32))  # "5d", "1d", "snooze-2026-11-25", "chair"
    status: Mapped[ReminderStatus] = mapped_column(_enum(ReminderStatus, "reminder_status"))
    project_refs: Mapped[str] = mapped_column(String(2000), default="")  # what the message listed
    channel_id: Mapped[str | None] = mapped_column(String(255))


class DigestPost(Claim, Base):
    """The digest posted in the governance channel before one meeting: claimed once, recorded after.

    ``first_claimed_at`` and ``settlement`` as on :class:`Reminder`.
    """

    __tablename__ = "digest_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    channel_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[ReminderStatus] = mapped_column(_enum(ReminderStatus, "digest_post_status"))


class DigestSent(Base):
    """A digest a chair posted by hand (``/ict-digest`` in a channel, Home's *Post digest*), recorded once
    Slack accepted its summary: with :class:`DigestPost`, what Home's "latest digest" reads."""

    __tablename__ = "digest_sent"
    __table_args__ = (Index("ix_digest_sent_workspace_id_posted_at", "workspace_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    channel_id: Mapped[str] = mapped_column(String(255))
    message_ts: Mapped[str] = mapped_column(String(255))  # the summary's, the thread's parent
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: from the beginning
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_by: Mapped[str] = mapped_column(String(64))  # the chair's user id
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
