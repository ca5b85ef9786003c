"""What a person's Home shows, as plain values: their projects, actions, risks and the next meeting; for a
chair or an admin also the Work Plan by priority and the latest digest (scheduled, or posted by hand).

Built from a fixed number of SQL statements whatever the size of the Work Plan (no statement per project).
Whether an update is due is the reminders' rule (:mod:`bot.services.reminders`): no update since the
previous meeting held. ``now`` is passed in; nothing here talks to a chat platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import digest_posts, roles
from bot.services import meetings as meeting_service
from bot.services.projects import OPEN_STATUSES, latest_updates
from bot.services.registers import actions as action_service
from bot.services.registers import raid
from bot.services.registers.actions import ActionView
from bot.services.registers.raid import RaidView
from bot.services.reminders import fresh, stage_key
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    Person,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    UpdateRevision,
    Workspace,
)
from models.base import UTCDateTime
from models.scheduling import DigestPost, DigestSent, ReminderStatus

__all__ = ["Home", "HomeProject", "LastDigest", "NextMeeting", "PriorityRow", "WorkPlan", "build"]

NO_PRIORITY = "No priority"


@dataclass(frozen=True, slots=True)
class HomeProject:
    id: int
    ref: str  # typed: shown literally
    title: str  # typed: shown literally
    owner: str
    priority: str  # the priority's name (typed), or NO_PRIORITY
    rag: Rag | None  # the latest update's, None: never updated
    last_update_at: datetime | None
    due: bool  # no update since the previous meeting: one is due for the next meeting


@dataclass(frozen=True, slots=True)
class NextMeeting:
    id: int
    starts_at: datetime
    period_start: datetime | None  # the previous meeting held (None: from the beginning)
    reminders_from: datetime | None  # the first reminder stage (None: the stages do not parse)
    first_stage: str  # its name on a reminder row, e.g. ``5d@0930``
    due_by: datetime  # when the digest is built: updates after it miss it (the meeting itself if none)
    channel_id: str | None  # the governance channel, where the digest goes


@dataclass(frozen=True, slots=True)
class PriorityRow:
    name: str
    red: int
    amber: int
    green: int
    none: int  # never updated
    missing: tuple[HomeProject, ...]  # due an update for the next meeting


@dataclass(frozen=True, slots=True)
class LastDigest:
    """The latest digest that went out: the scheduled one before a meeting, or one a chair posted by hand."""

    sent_at: datetime
    channel_id: str
    meeting_starts_at: datetime | None  # a scheduled digest's meeting; None: posted by hand
    posted_by: str | None = None  # posted by hand: the chair's user id
    posted_by_name: str | None = None  # their name in the people directory, when it has one
    period_start: datetime | None = None  # posted by hand: the period it covered (start None: from the beginning)
    period_end: datetime | None = None

    @property
    def by_hand(self) -> bool:
        return self.posted_by is not None


@dataclass(frozen=True, slots=True)
class WorkPlan:
    """What a chair or an admin sees besides their own."""

    priorities: tuple[PriorityRow, ...]
    last_digest: LastDigest | None
    may_post_digest: bool  # there is a governance channel to post it in
    may_preview_reminders: bool  # there is a meeting series whose reminders can be previewed

    @property
    def missing(self) -> int:
        return sum(len(p.missing) for p in self.priorities)


@dataclass(frozen=True, slots=True)
class Home:
    user_id: str
    now: datetime
    timezone: str
    projects: tuple[HomeProject, ...]  # owned or delegated, open, in priority order
    actions: tuple[ActionView, ...]  # open, by due date
    risks: tuple[RaidView, ...]  # open risks and issues the person owns, highest score first
    meeting: NextMeeting | None
    work_plan: WorkPlan | None  # None: not a chair or an admin

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def due(self) -> tuple[HomeProject, ...]:
        return tuple(p for p in self.projects if p.due)


def build(
    session: Session,
    ws: Workspace,
    user_id: str,
    *,
    now: datetime,
    env_admins: Iterable[str],
    default_timezone: str,
    chair_group: roles.GroupMembers | None = None,
) -> Home:
    """``user_id``'s Home in ``ws`` at ``now``. ``env_admins``: the admins ICTBOT_ADMINS names for ``ws``;
    ``chair_group``: who is in the chairs' user group (asked only when the granted roles do not settle it)."""
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    tz = series.timezone if series is not None else default_timezone
    meeting = _next_meeting(session, ws, series, now)
    chair = roles.is_chair_or_admin(session, ws, user_id, env_admins, chair_group=chair_group)
    everyone = _projects(session, ws, meeting, None if chair else user_id)
    delegated = _delegated(session, ws, user_id)
    mine = tuple(p for p in everyone if p.owner == user_id or p.id in delegated)
    work_plan = None
    if chair:
        work_plan = WorkPlan(
            priorities=_by_priority(everyone),
            last_digest=_last_digest(session, ws),
            may_post_digest=bool(series is not None and series.channel_id),
            may_preview_reminders=series is not None,
        )
    return Home(
        user_id=user_id,
        now=now,
        timezone=tz,
        projects=mine,
        actions=tuple(action_service.open_for(session, ws, [user_id])),
        risks=tuple(raid.list_items(session, ws, owner=user_id)),
        meeting=meeting,
        work_plan=work_plan,
    )


def _next_meeting(session: Session, ws: Workspace, series: MeetingSeries | None, now: datetime) -> NextMeeting | None:
    """The next meeting to be held, when updates for it are due, and its reporting period's start."""
    if series is None:
        return None
    held = meeting_service.held_after(session, ws, now)
    if not held:
        return None
    coming = held[0]
    previous = meeting_service.previous_meeting(session, ws, coming.starts_at)
    closures = frozenset(session.scalars(select(ClosureDay.day).where(ClosureDay.workspace_id == ws.id)))
    series_tz = ZoneInfo(series.timezone)
    reminders_from, first = None, ""
    try:
        stages = meeting_service.parse_reminder_stages(series.reminder_stages)
        stage = stages[0]
        day = meeting_service.working_days_before(
            coming.starts_at.astimezone(series_tz).date(), stage.working_days_before, series.holiday_region, closures
        )
        reminders_from, first = datetime.combine(day, stage.at, tzinfo=series_tz), stage_key(stage)
    except DomainError:  # stages set by hand in the database that do not parse: no reminders, no date
        pass
    try:
        due_by = digest_posts.digest_due_at(session, series, coming)
    except DomainError:
        due_by = coming.starts_at
    return NextMeeting(
        id=coming.id,
        starts_at=coming.starts_at,
        period_start=previous.starts_at if previous is not None else None,
        reminders_from=reminders_from,
        first_stage=first,
        due_by=min(due_by, coming.starts_at),
        channel_id=series.channel_id or None,
    )


def _projects(session: Session, ws: Workspace, meeting: NextMeeting | None, user_id: str | None) -> list[HomeProject]:
    """The open projects (``user_id``'s only, when given) with their latest update and RAG, in one statement.

    Due (only when a meeting is coming): active, with no update that counts for it, by the reminders' rule
    (:func:`bot.services.reminders.fresh`)."""
    latest, current = latest_updates(ws)
    last_at = (
        select(ProgressUpdate.project_id, func.max(ProgressUpdate.created_at).label("at"))
        .where(ProgressUpdate.workspace_id == ws.id)
        .group_by(ProgressUpdate.project_id)
        .subquery()
    )
    stmt = (
        select(
            Project.id,
            Project.ref,
            Project.title,
            Project.owner_user_id,
            Project.status,
            Priority.name,
            last_at.c.at,
            UpdateRevision.rag,
        )
        .outerjoin(latest, latest.c.project_id == Project.id)
        .outerjoin(last_at, last_at.c.project_id == Project.id)
        .outerjoin(current, current.c.update_id == latest.c.update_id)
        .outerjoin(
            UpdateRevision,
            (UpdateRevision.update_id == current.c.update_id) & (UpdateRevision.number == current.c.number),
        )
        .outerjoin(Priority, Priority.id == Project.priority_id)
        .where(Project.workspace_id == ws.id, Project.status.in_(OPEN_STATUSES))
        .order_by(Priority.position.is_(None), Priority.position, Project.ref)
    )
    if user_id is not None:
        delegated = select(ProjectDelegate.project_id).where(ProjectDelegate.user_id == user_id)
        stmt = stmt.where((Project.owner_user_id == user_id) | Project.id.in_(delegated))
    return [
        HomeProject(
            id=pid,
            ref=ref,
            title=title,
            owner=owner,
            priority=priority or NO_PRIORITY,
            rag=rag,
            last_update_at=at,
            due=meeting is not None
            and status is ProjectStatus.ACTIVE
            and (at is None or not fresh(at, meeting.period_start, meeting.starts_at)),
        )
        for pid, ref, title, owner, status, priority, at, rag in session.execute(stmt)
    ]


def _delegated(session: Session, ws: Workspace, user_id: str) -> set[int]:
    return set(
        session.scalars(
            select(ProjectDelegate.project_id)
            .join(Project, Project.id == ProjectDelegate.project_id)
            .where(Project.workspace_id == ws.id, ProjectDelegate.user_id == user_id)
        )
    )


def _by_priority(projects: Iterable[HomeProject]) -> tuple[PriorityRow, ...]:
    groups: dict[str, list[HomeProject]] = {}
    for p in projects:
        groups.setdefault(p.priority, []).append(p)
    return tuple(
        PriorityRow(
            name=name,
            red=sum(p.rag is Rag.RED for p in items),
            amber=sum(p.rag is Rag.AMBER for p in items),
            green=sum(p.rag is Rag.GREEN for p in items),
            none=sum(p.rag is None for p in items),
            missing=tuple(p for p in items if p.due),
        )
        for name, items in groups.items()
    )


def _last_digest(session: Session, ws: Workspace) -> LastDigest | None:
    """The latest of the scheduled digests sent and those posted by hand, in one statement."""
    no_time, no_text = cast(null(), UTCDateTime()), cast(null(), String(255))
    scheduled = (
        select(
            DigestPost.sent_at.label("at"),
            DigestPost.channel_id.label("channel"),
            Meeting.starts_at.label("meeting"),
            no_text.label("by"),
            no_text.label("name"),
            no_time.label("start"),
            no_time.label("end"),
            literal(0).label("hand"),
        )
        .join(Meeting, Meeting.id == DigestPost.meeting_id)
        .where(
            DigestPost.workspace_id == ws.id,
            DigestPost.status == ReminderStatus.SENT,
            DigestPost.sent_at.is_not(None),
        )
    )
    by_hand = (
        select(
            DigestSent.posted_at,
            DigestSent.channel_id,
            no_time,
            DigestSent.posted_by,
            Person.name,
            DigestSent.period_start,
            DigestSent.period_end,
            literal(1),
        )
        .outerjoin(Person, (Person.workspace_id == ws.id) & (Person.user_id == DigestSent.posted_by))
        .where(DigestSent.workspace_id == ws.id)
    )
    both = union_all(scheduled, by_hand).subquery()
    # On a tie, the one posted by hand: it names who posted it.
    row = session.execute(select(both).order_by(both.c.at.desc(), both.c.hand.desc()).limit(1)).first()
    if row is None:
        return None
    at, channel, meeting, by, name, start, end, _ = row
    return LastDigest(
        sent_at=at,
        channel_id=channel,
        meeting_starts_at=meeting,
        posted_by=by,
        posted_by_name=name or None,
        period_start=start,
        period_end=end,
    )
