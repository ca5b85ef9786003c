"""The digest posted in the governance channel before each meeting: due, claimed once, recorded after.

:func:`due` says whether the next scheduled meeting's digest should be posted at ``now``
(``MeetingSeries.digest_stage``, e.g. ``1@12:00``: one working day before the meeting, at 12:00 in the
series' time zone). :func:`claim` records it before it is posted, and the unique ``meeting_id`` makes a
second claim impossible; an abandoned claim is taken over once after :data:`CLAIM_TIMEOUT`
(:func:`reclaim_abandoned`), the poster checks it is still its own (:func:`confirm`), and :func:`record`
stores the outcome. Nothing here talks to a chat platform: the scheduler builds the digest
(:func:`build_digest`) and hands it to a posting function. A digest a chair posts by hand is recorded
once the platform accepted it (:func:`record_sent`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import claims
from bot.services import digest as digest_service
from bot.services import meetings as meeting_service
from bot.services.digest import Digest
from bot.services.meetings import ReminderStage
from bot.services.reminders import CLAIM_TIMEOUT, MAX_ATTEMPTS, period_start
from models import ClosureDay, Meeting, MeetingSeries, MeetingStatus, Workspace
from models.scheduling import DigestPost, DigestSent, ReminderStatus

__all__ = [
    "CLAIM_TIMEOUT",
    "MAX_ATTEMPTS",
    "DigestDue",
    "build_digest",
    "claim",
    "confirm",
    "digest_due_at",
    "due",
    "next_due_at",
    "reclaim_abandoned",
    "record_sent",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestDue:
    """A scheduled digest that should be posted now and has not been."""

    workspace_id: int
    team_id: str
    timezone: str  # the meeting series' time zone
    channel_id: str  # the governance channel
    meeting_id: int
    meeting_starts_at: datetime
    period_start: datetime | None  # the previous meeting held (None: from the beginning)
    due_at: datetime
    post_id: int | None = None  # set for a claim: the row to record the outcome on
    attempt: int = 1
    digest: Digest | None = None  # built just before posting (see build_digest)
    platform: str = "slack"  # the workspace's chat platform: which front end posts it
    # When the first attempt was claimed: a retry looks for that attempt's summary from then on.
    first_claimed_at: datetime | None = None


def digest_due_at(session: Session, series: MeetingSeries, meeting: Meeting) -> datetime:
    """When the digest of ``meeting`` is due: ``series.digest_stage`` working days before, at its time."""
    stages = meeting_service.parse_reminder_stages(series.digest_stage)
    stage: ReminderStage = stages[-1]  # one stage is expected; of several, the one nearest the meeting
    tz = ZoneInfo(series.timezone)
    closed = frozenset(session.scalars(select(ClosureDay.day).where(ClosureDay.workspace_id == series.workspace_id)))
    day = meeting_service.working_days_before(
        meeting.starts_at.astimezone(tz).date(), stage.working_days_before, series.holiday_region, closed
    )
    return datetime.combine(day, stage.at, tzinfo=tz)


def due(session: Session, ws: Workspace, *, now: datetime) -> DigestDue | None:
    """The digest to post at ``now``, if any (nothing is written)."""
    upcoming = _upcoming(session, ws, after=now)
    if upcoming is None:
        return None
    series, meeting, due_at = upcoming
    if due_at > now:
        return None
    if session.scalar(select(DigestPost.id).where(DigestPost.meeting_id == meeting.id)) is not None:
        return None
    return DigestDue(
        workspace_id=ws.id,
        team_id=ws.external_id,
        platform=ws.platform,
        timezone=series.timezone,
        channel_id=cast(str, series.channel_id),  # _upcoming gives only a series with a governance channel
        meeting_id=meeting.id,
        meeting_starts_at=meeting.starts_at,
        period_start=period_start(session, ws, meeting),
        due_at=due_at,
    )


def next_due_at(session: Session, ws: Workspace, *, after: datetime, series: MeetingSeries | None) -> datetime | None:
    """When the next meeting's digest falls due, if after ``after`` (None: not after, or no digest is set).
    ``series``: the workspace's meeting series, which the caller has loaded (None: it has none)."""
    upcoming = _upcoming_of(session, ws, series, after=after, quiet=True)
    return upcoming[2] if upcoming is not None and upcoming[2] > after else None


def _upcoming(
    session: Session, ws: Workspace, *, after: datetime, quiet: bool = False
) -> tuple[MeetingSeries, Meeting, datetime] | None:
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    return _upcoming_of(session, ws, series, after=after, quiet=quiet)


def _upcoming_of(
    session: Session, ws: Workspace, series: MeetingSeries | None, *, after: datetime, quiet: bool
) -> tuple[MeetingSeries, Meeting, datetime] | None:
    """The series, the first meeting after ``after`` and when its digest is due; None without a governance
    channel, a meeting to come, or a digest stage that parses (logged unless ``quiet``)."""
    if series is None or not series.channel_id:
        return None
    coming = meeting_service.held_after(session, ws, after)
    if not coming:
        return None
    meeting = coming[0]
    try:
        return series, meeting, digest_due_at(session, series, meeting)
    except DomainError as exc:  # a digest_stage set by hand in the database that does not parse
        if not quiet:
            log.warning("workspace %s: the digest stage %r is not valid: %s", ws.external_id, series.digest_stage, exc)
        return None


def claim(session: Session, item: DigestDue, *, holder: str, now: datetime) -> DigestDue | None:
    """Record the digest as being posted by ``holder`` at ``now`` (the runtime's clock); None when another
    process got there first."""
    row = DigestPost(channel_id=item.channel_id, **claims.taken(item, holder=holder, now=now))
    post_id = claims.insert_once(session, row)
    if post_id is None:
        return None
    return replace(item, post_id=post_id, attempt=1, first_claimed_at=now)


def reclaim_abandoned(
    session: Session, ws: Workspace, *, holder: str, now: datetime, at: datetime | None = None
) -> list[DigestDue]:
    """Claims left by a process that died: taken over once after the timeout, then marked failed.

    A claim is abandoned when it is older than :data:`CLAIM_TIMEOUT` by ``now``, the runtime's clock;
    one whose meeting has started (or was cancelled) by ``at``, the moment reconciled for (default
    ``now``), is dropped, never posted late. The take-over is itself a compare-and-set on the claim's
    time, so two processes cannot both win it. The retry carries the time of the first attempt's claim:
    that attempt's outcome is unknown, so the poster looks for its summary before posting again.
    """
    at = now if at is None else at
    rows = claims.abandoned(session, DigestPost, ws.id, before=now - CLAIM_TIMEOUT)
    retried: list[DigestDue] = []
    for row in rows:
        if row.attempts >= MAX_ATTEMPTS:
            claims.settle_abandoned(
                session, DigestPost, row, ReminderStatus.FAILED, row.error or "not confirmed posted"
            )
            continue
        meeting = session.get(Meeting, row.meeting_id)
        if meeting is None or meeting.status is not MeetingStatus.SCHEDULED or meeting.starts_at <= at:
            claims.settle_abandoned(
                session, DigestPost, row, ReminderStatus.DROPPED, "the meeting started first, or was cancelled"
            )
            continue
        taken = claims.retake(session, DigestPost, row, holder=holder, now=now)
        if taken is None:
            continue
        attempt, first = taken
        series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
        retried.append(
            DigestDue(
                workspace_id=ws.id,
                team_id=ws.external_id,
                platform=ws.platform,
                timezone=series.timezone if series is not None else "UTC",
                channel_id=row.channel_id,
                meeting_id=meeting.id,
                meeting_starts_at=meeting.starts_at,
                period_start=period_start(session, ws, meeting),
                due_at=row.due_at,
                post_id=row.id,
                attempt=attempt,
                first_claimed_at=first,
            )
        )
    return retried


def confirm(session: Session, post_id: int, *, holder: str, now: datetime) -> bool:
    """Just before posting: is the claim still ours? Refreshes it, so nobody takes it for abandoned."""
    return claims.confirm(session, DigestPost, post_id, holder=holder, now=now)


def build_digest(session: Session, item: DigestDue, *, now: datetime, default_timezone: str) -> Digest:
    """The digest to post for ``item``: its meeting's reporting period, up to ``now`` (the moment reconciled
    for)."""
    ws = session.get_one(Workspace, item.workspace_id)
    return digest_service.build(
        session, ws, start=item.period_start, end=now, now=now, default_timezone=default_timezone
    )


def record_sent(
    session: Session,
    ws: Workspace,
    *,
    channel_id: str,
    message_ts: str,
    start: datetime | None,
    end: datetime,
    user_id: str,
    now: datetime,
) -> DigestSent:
    """Record a digest of the period ``start`` (None: from the beginning) to ``end`` that ``user_id`` posted by
    hand in ``channel_id`` (its summary ``message_ts``), at ``now``: called only once the platform accepted the
    summary, so a refused post records nothing."""
    row = DigestSent(
        workspace_id=ws.id,
        channel_id=channel_id,
        message_ts=message_ts,
        period_start=start,
        period_end=end,
        posted_by=user_id,
        posted_at=now,
    )
    session.add(row)
    session.flush()
    return row
