"""Reminders before each governance meeting: who is due one now, claimed once, recorded after.

The database is the only truth. :func:`due` works out which reminders should exist at a moment and do
not yet: the latest stage whose time has come (a missed earlier stage is superseded, never sent late),
the "remind me tomorrow"s whose time has come, and the chairs' notice. :func:`claim` records one before
it is sent, once. Nothing here talks to a chat platform. Two times are in play, ``at`` (what a pass
reconciles for) and ``now`` (the runtime's clock): see docs/ARCHITECTURE.md, Design notes.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError
from bot.services import claims, projects, roles
from bot.services import meetings as meeting_service
from bot.services.meetings import ReminderStage
from bot.services.registers import chase
from bot.services.registers.chase import Chased, ChasedAction, ChasedRisk
from bot.wording import Text
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    UpdateRevision,
    Workspace,
)
from models.db import inserted
from models.scheduling import Reminder, ReminderKind, ReminderStatus

CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was left by a process that died
MAX_ATTEMPTS = 2  # the first send, and one retry of a claim left behind
CHAIR_STAGE = "chair"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HORIZON = timedelta(days=45)  # the meetings whose reminders can be due: no stage is 30 working days before
LOOK_AHEAD = 2 * HORIZON  # the meetings whose stages can come before the first one's start


@dataclass(frozen=True, slots=True)
class StaleProject:
    project_id: int
    ref: str
    title: str
    owner: str
    last_update_at: datetime | None
    last_rag: Rag | None


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder that should be sent now and has not been."""

    workspace_id: int
    team_id: str
    timezone: str  # the meeting series' time zone, for showing times
    meeting_id: int
    meeting_starts_at: datetime
    period_start: datetime | None
    user_id: str
    kind: ReminderKind
    stage: str
    due_at: datetime
    projects: tuple[StaleProject, ...]
    failures: tuple[tuple[str, str], ...] = ()  # for a chair: (user, error) of reminders that failed
    reminder_id: int | None = None  # set for a claim: the row to record the outcome on
    attempt: int = 1
    platform: str = "slack"  # the workspace's chat platform: which front end delivers it
    # When the first attempt was claimed: a retry looks for that attempt's message from then on.
    first_claimed_at: datetime | None = None
    actions: tuple[ChasedAction, ...] = ()  # an owner's open actions, overdue or not
    risks: tuple[ChasedRisk, ...] = ()  # an owner's open risks past their review date


def stage_key(stage: ReminderStage) -> str:
    """The stage's name on a reminder row, e.g. ``5d@0930``."""
    return f"{stage.working_days_before}d@{stage.at:%H%M}"


@dataclass(frozen=True, slots=True)
class Calendar:
    series: MeetingSeries
    tz: ZoneInfo
    closures: frozenset[date]
    stages: tuple[ReminderStage, ...]  # earliest first
    # The meetings to be held within LOOK_AHEAD of a moment, by the moment: a pass asks for them at one moment
    # in :func:`due` and :func:`next_moment`, and reads them once (a calendar lives for one workspace's turn).
    coming: dict[datetime, Sequence[Meeting]] = field(default_factory=dict, compare=False, repr=False)

    def local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz)

    def stage_due(self, meeting: Meeting, stage: ReminderStage) -> datetime:
        day = meeting.starts_at.astimezone(self.tz).date()
        before = meeting_service.working_days_before(
            day, stage.working_days_before, self.series.holiday_region, self.closures
        )
        return self.local(before, stage.at)

    def chair_due(self, meeting: Meeting) -> datetime:
        """The chairs' notice: the working day before the meeting, at the last stage's time."""
        return self.stage_due(meeting, ReminderStage(1, self.stages[-1].at))


class _Load(enum.Enum):
    """Passed for a calendar: load it (a pass that has it already hands it to each step instead)."""

    LOAD = "load"


LOAD = _Load.LOAD


def calendar(session: Session, ws: Workspace) -> Calendar | None:
    """The workspace's reminder calendar (its series, time zone, closures and stages; None without a series),
    to hand to :func:`claim_scheduled`, :func:`due` and :func:`next_moment` in one pass."""
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    if series is None:
        return None
    closures = frozenset(session.scalars(select(ClosureDay.day).where(ClosureDay.workspace_id == ws.id)))
    stages = meeting_service.parse_reminder_stages(series.reminder_stages)
    return Calendar(series, ZoneInfo(series.timezone), closures, stages)


def stage_times(session: Session, ws: Workspace, meeting: Meeting) -> list[tuple[ReminderStage | None, datetime]]:
    """When the owners' reminders of each stage and the chairs' notice (stage None) fall due for
    ``meeting``, in order; empty when the workspace has no series."""
    cal = calendar(session, ws)
    if cal is None:
        return []
    times: list[tuple[ReminderStage | None, datetime]] = [(s, cal.stage_due(meeting, s)) for s in cal.stages]
    times.append((None, cal.chair_due(meeting)))
    return sorted(times, key=lambda t: t[1])


def period_start(session: Session, ws: Workspace, meeting: Meeting) -> datetime | None:
    """When the meeting's reporting period began: the previous meeting held (None: the beginning)."""
    return meeting_service.previous_start(session, ws, meeting.starts_at)


def period_start_of(session: Session, ws: Workspace, meeting_id: int) -> datetime | None:
    meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == ws.id, Meeting.id == meeting_id))
    if meeting is None:
        raise DomainError(Text("That meeting is no longer on the calendar; post with `{update}` instead."))
    return period_start(session, ws, meeting)


def fresh(update_at: datetime, since: datetime | None, meeting_at: datetime) -> bool:
    """Whether an update made at ``update_at`` counts for the meeting at ``meeting_at``: the rule
    :func:`stale_projects` applies in SQL (at or after ``since``, the previous meeting held; any when None),
    and before the meeting starts, when its reminders stop (:func:`drop_missed`)."""
    return (since is None or update_at >= since) and update_at < meeting_at


def stale_projects(session: Session, ws: Workspace, since: datetime | None) -> list[tuple[StaleProject, list[str]]]:
    """Active projects with no update since ``since`` (None: none ever), each with the people to chase."""
    last = (
        select(ProgressUpdate.project_id, func.max(ProgressUpdate.created_at).label("at"))
        .where(ProgressUpdate.workspace_id == ws.id)
        .group_by(ProgressUpdate.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Project, last.c.at)
        .outerjoin(last, last.c.project_id == Project.id)
        .where(Project.workspace_id == ws.id, Project.status == ProjectStatus.ACTIVE)
        .where(last.c.at.is_(None) if since is None else (last.c.at.is_(None)) | (last.c.at < since))
        .options(selectinload(Project.delegates))
        .order_by(Project.ref)
    ).all()
    rags = _last_rags(session, ws, [p.id for p, at in rows if at is not None])
    return [
        (
            StaleProject(p.id, p.ref, p.title, p.owner_user_id, at, rags.get(p.id)),
            [p.owner_user_id, *(d for d in p.delegate_ids if d != p.owner_user_id)],
        )
        for p, at in rows
    ]


def _last_rags(session: Session, ws: Workspace, project_ids: Sequence[int]) -> dict[int, Rag]:
    if not project_ids:
        return {}
    latest, current = projects.latest_updates(ws, project_ids)
    rows = session.execute(
        select(latest.c.project_id, UpdateRevision.rag)
        .join(current, current.c.update_id == latest.c.update_id)
        .join(
            UpdateRevision,
            (UpdateRevision.update_id == current.c.update_id) & (UpdateRevision.number == current.c.number),
        )
    )
    return {pid: rag for pid, rag in rows}


def chairs(
    session: Session, ws: Workspace, env_admins: Iterable[str], *, chair_group: roles.GroupMembers | None = None
) -> list[str]:
    """The chairs of the governance group (granted, or in the chairs' user group when ``chair_group``
    can say who is); the admins stand in when there is no chair."""
    return roles.chairs(session, ws, env_admins, chair_group=chair_group)


def due(
    session: Session,
    ws: Workspace,
    *,
    now: datetime,
    env_admins: Iterable[str] = (),
    chair_group: roles.GroupMembers | None = None,
    cal: Calendar | _Load | None = LOAD,
) -> list[Due]:
    """Every reminder that should go out at ``now`` and has no row yet (nothing is written).

    ``env_admins``: the admins ICTBOT_ADMINS names for ``ws``; ``chair_group``: who is in the chairs'
    user group (the chairs' notice reaches them too), asked only when a chairs' notice is due.
    """
    cal = calendar(session, ws) if cal is LOAD else cal
    if cal is None:
        return []
    result: list[Due] = []
    for meeting in _coming(session, ws, now, cal=cal):
        stage = _latest_stage(cal, meeting, now)
        chair_due = cal.chair_due(meeting)
        if stage is None and chair_due > now:
            continue
        since = period_start(session, ws, meeting)
        stale = stale_projects(session, ws, since)
        known = _known(session, meeting, now)
        chased = chase.by_owner(session, ws, now.astimezone(cal.tz).date()) if stage is not None else {}
        base = Due(
            workspace_id=ws.id,
            team_id=ws.external_id,
            platform=ws.platform,
            timezone=cal.series.timezone,
            meeting_id=meeting.id,
            meeting_starts_at=meeting.starts_at,
            period_start=since,
            user_id="",
            kind=ReminderKind.OWNER,
            stage="",
            due_at=now,
            projects=(),
        )
        if stage is not None:
            result += _owner_reminders(base, stage, cal.stage_due(meeting, stage), stale, chased, known)
        if chair_due <= now:
            result += _chair_reminders(
                session, ws, base, chair_due, stale, known, env_admins=env_admins, chair_group=chair_group
            )
    return result


def next_moment(
    session: Session, ws: Workspace, *, after: datetime, cal: Calendar | _Load | None = LOAD
) -> datetime | None:
    """The first moment after ``after`` at which :func:`due` or :func:`claim_scheduled` can find something new
    with no write in between (None: none is coming). Those moments are a "remind me tomorrow" falling due, a
    coming meeting's stages and chairs' notice, and its start, when the reporting period turns and what still
    waits is dropped. While a stage is under way, the next midnight is one too: a risk passes its review date,
    an action falls overdue. Meetings up to :data:`LOOK_AHEAD` ahead count: a stage comes at most 30 working
    days before its meeting, and every moment after the first meeting's start is weighed again then."""
    moments = list(
        session.scalars(
            select(func.min(Reminder.due_at)).where(
                Reminder.workspace_id == ws.id, Reminder.status == ReminderStatus.SCHEDULED, Reminder.due_at > after
            )
        )
    )
    cal = calendar(session, ws) if cal is LOAD else cal
    if cal is not None:
        for meeting in _coming(session, ws, after, ahead=LOOK_AHEAD, cal=cal):
            stages = [cal.stage_due(meeting, s) for s in cal.stages]
            moments += [*stages, cal.chair_due(meeting), meeting.starts_at]
            if any(at <= after for at in stages):  # a stage is under way
                moments.append(cal.local(after.astimezone(cal.tz).date() + timedelta(days=1), time()))
    return min((m for m in moments if m is not None and m > after), default=None)


def _coming(
    session: Session, ws: Workspace, now: datetime, *, ahead: timedelta = HORIZON, cal: Calendar
) -> Sequence[Meeting]:
    """The meetings to be held in the next 45 days (``ahead``, at most :data:`LOOK_AHEAD`), in order (no stage is
    more than 30 working days ahead); read once for each moment with ``cal``."""
    assert ahead <= LOOK_AHEAD
    loaded = cal.coming.get(now)
    if loaded is None:
        loaded = cal.coming[now] = session.scalars(
            select(Meeting)
            .where(
                Meeting.workspace_id == ws.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now,
                Meeting.starts_at <= now + LOOK_AHEAD,
            )
            .order_by(Meeting.starts_at)
        ).all()
    return [m for m in loaded if m.starts_at <= now + ahead]


@dataclass(frozen=True, slots=True)
class _Known:
    """The reminder rows a meeting has already."""

    has: set[tuple[str, str]]  # (user, stage) of every row
    snoozed: set[str]  # who asked to be reminded tomorrow, and is not yet
    # The latest owner's reminder each person has had (or is being sent): a "remind me tomorrow"
    # that falls due together with a stage stands for it, so nobody gets two in the same minute.
    reached: dict[str, datetime]


def _known(session: Session, meeting: Meeting, now: datetime) -> _Known:
    existing = session.execute(
        select(Reminder.user_id, Reminder.stage, Reminder.status, Reminder.due_at, Reminder.kind).where(
            Reminder.meeting_id == meeting.id
        )
    ).all()
    reached: dict[str, datetime] = {}
    for u, _, st, at, kind in existing:
        if kind is ReminderKind.OWNER and st in (ReminderStatus.CLAIMED, ReminderStatus.SENT):
            reached[u] = max(at, reached.get(u, at))
    return _Known(
        has={(u, s) for u, s, _, _, _ in existing},
        snoozed={u for u, s, st, at, _ in existing if st is ReminderStatus.SCHEDULED and at > now},
        reached=reached,
    )


def _owner_reminders(
    base: Due,
    stage: ReminderStage,
    stage_at: datetime,
    stale: Sequence[tuple[StaleProject, list[str]]],
    chased: dict[str, Chased],
    known: _Known,
) -> list[Due]:
    """The stage's reminder for each owner or delegate of a stale project, and each owner of an open action
    or a risk past review, who has not had it, by user."""
    by_person: dict[str, list[StaleProject]] = defaultdict(list)
    for project, people in stale:
        for person in people:
            by_person[person].append(project)
    out: list[Due] = []
    for person in sorted(set(by_person) | set(chased)):
        if (
            (person, stage_key(stage)) in known.has
            or person in known.snoozed
            or known.reached.get(person, EPOCH) >= stage_at
        ):
            continue
        out.append(
            replace(
                base,
                user_id=person,
                kind=ReminderKind.OWNER,
                stage=stage_key(stage),
                due_at=stage_at,
                projects=tuple(by_person.get(person, ())),
                actions=chased.get(person, Chased()).actions,
                risks=chased.get(person, Chased()).risks,
            )
        )
    return out


def _chair_reminders(
    session: Session,
    ws: Workspace,
    base: Due,
    chair_due: datetime,
    stale: Sequence[tuple[StaleProject, list[str]]],
    known: _Known,
    *,
    env_admins: Iterable[str],
    chair_group: roles.GroupMembers | None,
) -> list[Due]:
    """The chairs' notice for each chair who has not had it, with the reminders that failed."""
    failures = tuple(
        (u, e)
        for u, e in session.execute(
            select(Reminder.user_id, Reminder.error).where(
                Reminder.meeting_id == base.meeting_id, Reminder.status == ReminderStatus.FAILED
            )
        )
    )
    return [
        replace(
            base,
            user_id=chair,
            kind=ReminderKind.CHAIR,
            stage=CHAIR_STAGE,
            due_at=chair_due,
            projects=tuple(p for p, _ in stale),
            failures=failures,
        )
        for chair in chairs(session, ws, env_admins, chair_group=chair_group)
        if (chair, CHAIR_STAGE) not in known.has
    ]


def claim(session: Session, item: Due, *, holder: str, now: datetime) -> Due | None:
    """Record the reminder as being sent by ``holder`` at ``now`` (the runtime's clock); None when another
    process got there first."""
    return next(iter(claim_many(session, [item], holder=holder, now=now)), None)


def claim_many(session: Session, items: Sequence[Due], *, holder: str, now: datetime) -> list[Due]:
    """:func:`claim` for several reminders in one statement: those claimed, in order (another process may
    have got to some first)."""
    rows = [
        {
            "user_id": item.user_id,
            "kind": item.kind,
            "stage": item.stage,
            "project_refs": ",".join(
                [*(p.ref for p in item.projects), *chase.labels(Chased(item.actions, item.risks))]
            )[:2000],
            **claims.taken(item, holder=holder, now=now),
        }
        for item in items
    ]
    key = ("meeting_id", "user_id", "stage")
    ids = {
        (meeting_id, user_id, stage): row_id
        for row_id, meeting_id, user_id, stage in inserted(session, Reminder, rows, key=key, returning=("id", *key))
    }
    return [
        replace(item, reminder_id=ids[(item.meeting_id, item.user_id, item.stage)], attempt=1, first_claimed_at=now)
        for item in items
        if (item.meeting_id, item.user_id, item.stage) in ids
    ]


def snooze(session: Session, ws: Workspace, *, meeting_id: int, user_id: str, now: datetime) -> datetime | None:
    """ "Remind me tomorrow": a reminder for the next working day at the stage time; returns when.

    None, and nothing scheduled, when ``user_id`` has nothing due for the meeting: every project they
    own or are a delegate of has an update in its reporting period.
    """
    cal = calendar(session, ws)
    meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == ws.id, Meeting.id == meeting_id))
    if cal is None or meeting is None or meeting.status is not MeetingStatus.SCHEDULED:
        raise DomainError("That meeting is no longer on the calendar, so there is nothing to remind you of.")
    stale = stale_projects(session, ws, period_start(session, ws, meeting))
    if not any(user_id in people for _, people in stale) and not chase.of(
        session, ws, now.astimezone(cal.tz).date(), user_id
    ):
        return None
    tomorrow = meeting_service.next_working_day(
        now.astimezone(cal.tz).date() + timedelta(days=1), cal.series.holiday_region, cal.closures
    )
    when = cal.local(tomorrow, cal.stages[-1].at)
    if when >= meeting.starts_at:
        raise DomainError("The meeting is before then: please post your update today.")
    stage = f"snooze-{tomorrow.isoformat()}"
    later = Reminder(
        workspace_id=ws.id,
        meeting_id=meeting.id,
        user_id=user_id,
        kind=ReminderKind.OWNER,
        stage=stage,
        status=ReminderStatus.SCHEDULED,
        due_at=when,
        attempts=0,
    )
    claims.insert_once(session, later)  # asked twice: one reminder tomorrow is enough
    return when


def claim_scheduled(
    session: Session,
    ws: Workspace,
    *,
    holder: str,
    now: datetime,
    at: datetime | None = None,
    cal: Calendar | _Load | None = LOAD,
) -> list[Due]:
    """Claim the "remind me tomorrow" reminders due at ``at`` (default ``now``), dropping those no longer
    needed; the claims carry ``now``, the runtime's clock."""
    at = now if at is None else at
    cal = calendar(session, ws) if cal is LOAD else cal
    rows = session.scalars(
        select(Reminder)
        .where(Reminder.workspace_id == ws.id, Reminder.status == ReminderStatus.SCHEDULED, Reminder.due_at <= at)
        .order_by(Reminder.id)
    ).all()
    claimed: list[Due] = []
    for row in rows:
        meeting = session.get(Meeting, row.meeting_id)
        taken = session.execute(
            update(Reminder)
            .where(Reminder.id == row.id, Reminder.status == ReminderStatus.SCHEDULED)
            .values(status=ReminderStatus.CLAIMED, claimed_by=holder, claimed_at=now, first_claimed_at=now, attempts=1)
        ).rowcount  # type: ignore[attr-defined]
        if not taken:
            continue
        later = _superseded_by(cal, meeting, row, at)
        if later is not None:
            claims.drop(session, Reminder, row.id, f"superseded by the {later} reminder")
            continue
        item = _rebuild(session, ws, row, meeting, at)
        if item is None:
            claims.drop(session, Reminder, row.id, "up to date, or the meeting has started")
            continue
        claimed.append(replace(item, first_claimed_at=now))
    return claimed


def reclaim_abandoned(
    session: Session, ws: Workspace, *, holder: str, now: datetime, at: datetime | None = None
) -> list[Due]:
    """Claims left by a process that died: retried once after the timeout, then marked failed.

    A claim is abandoned when it is older than :data:`CLAIM_TIMEOUT` by ``now``, the runtime's clock.
    What it would send is judged at ``at`` (default ``now``): a stage that a later stage due by then
    has superseded is dropped, never retried (the later one goes instead: one reminder, not two), and
    so is one whose person has caught up or whose meeting has started. The retry carries the time of
    the first attempt's claim: its outcome is unknown, so the delivery looks for it before sending.
    """
    at = now if at is None else at
    rows = claims.abandoned(session, Reminder, ws.id, before=now - CLAIM_TIMEOUT)
    cal = calendar(session, ws) if rows else None
    retried: list[Due] = []
    for row in rows:
        meeting = session.get(Meeting, row.meeting_id)
        later = _superseded_by(cal, meeting, row, at)
        if later is not None:
            claims.settle_abandoned(
                session, Reminder, row, ReminderStatus.DROPPED, f"superseded by the {later} reminder"
            )
            continue
        if row.attempts >= MAX_ATTEMPTS:
            claims.settle_abandoned(session, Reminder, row, ReminderStatus.FAILED, row.error or "not confirmed sent")
            continue
        taken = claims.retake(session, Reminder, row, holder=holder, now=now)
        if taken is None:
            continue
        attempt, first = taken
        item = _rebuild(session, ws, row, meeting, at)
        if item is None:
            claims.drop(session, Reminder, row.id, "up to date, or the meeting has started")
            continue
        retried.append(replace(item, attempt=attempt, first_claimed_at=first))
    return retried


def _latest_stage(cal: Calendar, meeting: Meeting, at: datetime) -> ReminderStage | None:
    """The meeting's latest owners' stage whose time has come by ``at`` (None: none yet)."""
    return next((s for s in reversed(cal.stages) if cal.stage_due(meeting, s) <= at), None)


def _superseded_by(cal: Calendar | None, meeting: Meeting | None, row: Reminder, at: datetime) -> str | None:
    """The stage that has superseded ``row`` (an owner's reminder) by ``at``: a later one now due, if any."""
    if cal is None or meeting is None or row.kind is not ReminderKind.OWNER:
        return None
    latest = _latest_stage(cal, meeting, at)
    if latest is None or stage_key(latest) == row.stage or cal.stage_due(meeting, latest) <= row.due_at:
        return None
    return stage_key(latest)


def _rebuild(session: Session, ws: Workspace, row: Reminder, meeting: Meeting | None, at: datetime) -> Due | None:
    """The message for an existing row, from today's data; None when it is no longer worth sending at ``at``."""
    if meeting is None or meeting.status is not MeetingStatus.SCHEDULED or meeting.starts_at <= at:
        return None
    since = period_start(session, ws, meeting)
    stale = stale_projects(session, ws, since)
    tz = meeting_service.workspace_timezone(session, ws)
    chased = Chased()
    if row.kind is ReminderKind.CHAIR:
        projects = tuple(p for p, _ in stale)
    else:
        projects = tuple(p for p, people in stale if row.user_id in people)
        chased = chase.of(session, ws, at.astimezone(tz).date(), row.user_id)
        if not projects and not chased:
            return None
    return Due(
        workspace_id=ws.id,
        team_id=ws.external_id,
        platform=ws.platform,
        timezone=tz.key,
        meeting_id=meeting.id,
        meeting_starts_at=meeting.starts_at,
        period_start=since,
        user_id=row.user_id,
        kind=row.kind,
        stage=row.stage,
        due_at=row.due_at,
        projects=projects,
        reminder_id=row.id,
        actions=chased.actions,
        risks=chased.risks,
    )


def drop_missed(session: Session, ws: Workspace, *, now: datetime) -> int:
    """Reminders still waiting when their meeting started (by ``now``: the moment reconciled for) are
    dropped, never sent late."""
    started = select(Meeting.id).where(Meeting.workspace_id == ws.id, Meeting.starts_at <= now)
    missed = (
        Reminder.workspace_id == ws.id,
        Reminder.status == ReminderStatus.SCHEDULED,
        Reminder.meeting_id.in_(started),
    )
    # Looked for first, as a pass seldom finds one: on SQLite an UPDATE, even of no row, takes the one write
    # lock until the pass's transaction for the workspace ends, and requests' writes would wait meanwhile.
    if session.scalar(select(Reminder.id).where(*missed).limit(1)) is None:
        return 0
    result = session.execute(
        update(Reminder)
        .where(*missed)
        .values(status=ReminderStatus.DROPPED, error="the meeting started first")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def failures(session: Session, ws: Workspace, *, since: datetime) -> list[Reminder]:
    """Reminders Slack refused, for the admins to see."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.workspace_id == ws.id, Reminder.status == ReminderStatus.FAILED, Reminder.due_at >= since)
            .order_by(Reminder.due_at, Reminder.user_id)
        )
    )
