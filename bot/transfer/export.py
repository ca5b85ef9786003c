"""Everything a workspace holds, gathered for export: strategies, the Work Plan, every update revision,
the roles granted, the meeting calendar, and the history of reminders and digest posts.

Plain values in, plain values out: a session and a workspace give an :class:`Export` of frozen
dataclasses, read with a fixed handful of SQL statements however many projects there are.
:func:`to_document` shapes it as one JSON-ready mapping (what ``ictbot import`` restores, see
:mod:`bot.transfer.restore`) and :func:`csv_rows` as one flat table (a row per update revision; a
project with no update still gets a row, so nothing is dropped). Nothing here reads the clock: the
caller says when the export was taken.

Format versions: 1 held the workspace, strategies, projects and updates; 2 adds ``roles``,
``meeting_series``, ``closures``, ``meetings``, ``reminders`` and ``digest_posts``. Reminders and
digest posts name their meeting by its ``occurrence`` (the rule's date, a meeting's key), so the
document holds no database id but the updates' (kept for cross-reference with the CSV). The
scheduler's lease and Slack's installation records (tokens) are never exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.literal import visible
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Priority,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    Role,
    RoleGrant,
    Strategy,
    UpdateSource,
    Workspace,
)
from models.scheduling import DigestPost, Reminder, ReminderKind, ReminderStatus

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "FORMAT_VERSION",
    "ClosureRecord",
    "DigestPostRecord",
    "Export",
    "MeetingRecord",
    "PriorityRecord",
    "ProjectRecord",
    "ReminderRecord",
    "RevisionRecord",
    "RoleRecord",
    "SeriesRecord",
    "StrategyRecord",
    "UpdateRecord",
    "WorkspaceRecord",
    "csv_rows",
    "gather",
    "iso",
    "spreadsheet_cell",
    "to_document",
]

# What starts a formula in a spreadsheet (OWASP, "CSV Injection"); a tab and a carriage return as well.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMAT = "ictbot-export"
FORMAT_VERSION = 2

CSV_COLUMNS = (
    "project_ref",
    "project_title",
    "strategy",
    "priority_code",
    "priority_name",
    "owner",
    "delegates",
    "service_area",
    "status",
    "target_date",
    "completed_on",
    "update_id",
    "revision",
    "author",
    "editor",
    "rag",
    "progress",
    "next_steps",
    "risks",
    "source",
    "update_created_at",
    "revision_created_at",
)


@dataclass(frozen=True, slots=True)
class WorkspaceRecord:
    team_id: str
    platform: str
    name: str
    created_at: datetime
    chair_usergroup_id: str | None = None  # the Slack user group whose members are chairs


@dataclass(frozen=True, slots=True)
class PriorityRecord:
    position: int
    code: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class StrategyRecord:
    name: str
    period: str
    description: str
    active: bool
    created_at: datetime
    priorities: tuple[PriorityRecord, ...]


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    ref: str
    title: str
    strategy: str | None
    priority_code: str | None
    priority_name: str | None
    owner: str
    delegates: tuple[str, ...]
    service_area: str
    status: ProjectStatus
    target_date: date | None
    completed_on: date | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    number: int
    rag: Rag
    progress: str
    next_steps: str
    risks: str
    editor: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    id: int
    project_ref: str
    author: str
    source: UpdateSource
    created_at: datetime
    revisions: tuple[RevisionRecord, ...]


@dataclass(frozen=True, slots=True)
class RoleRecord:
    user_id: str
    role: Role
    granted_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SeriesRecord:
    rrule: str
    anchor: date
    local_time: time
    duration_minutes: int
    timezone: str
    holiday_region: str
    channel_id: str | None
    reminder_stages: str
    digest_stage: str
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ClosureRecord:
    day: date
    reason: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    occurrence: date
    starts_at: datetime
    status: MeetingStatus
    moved: bool
    note: str
    revision: int
    changed_by: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    meeting: date  # the meeting's occurrence
    user_id: str
    kind: ReminderKind
    stage: str
    status: ReminderStatus
    due_at: datetime
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    error: str
    project_refs: tuple[str, ...]
    channel_id: str | None
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class DigestPostRecord:
    meeting: date  # the meeting's occurrence
    channel_id: str
    status: ReminderStatus
    due_at: datetime
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    error: str
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class Export:
    exported_at: datetime
    workspace: WorkspaceRecord
    strategies: tuple[StrategyRecord, ...]
    projects: tuple[ProjectRecord, ...]
    updates: tuple[UpdateRecord, ...]
    roles: tuple[RoleRecord, ...] = ()
    meeting_series: SeriesRecord | None = None
    closures: tuple[ClosureRecord, ...] = ()
    meetings: tuple[MeetingRecord, ...] = ()
    reminders: tuple[ReminderRecord, ...] = ()
    digest_posts: tuple[DigestPostRecord, ...] = ()


def gather(session: Session, ws: Workspace, *, exported_at: datetime) -> Export:
    """Read the whole of one workspace: twelve SQL statements (nine tables, three selectin loads), whatever its size.

    Strategies come oldest first, projects by reference, updates oldest first with their revisions
    in order; roles by role and user, closures, meetings, reminders and digest posts by day (each
    in the order of its unique key, so two exports of the same data are the same). Nothing from
    another workspace is read.
    """
    strategies = session.scalars(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id)
        .order_by(Strategy.created_at, Strategy.id)
        .options(selectinload(Strategy.priorities))
    ).all()
    priority_of: dict[int, tuple[Strategy, Priority]] = {p.id: (s, p) for s in strategies for p in s.priorities}
    projects = session.scalars(
        select(Project)
        .where(Project.workspace_id == ws.id)
        .order_by(Project.ref)
        .options(selectinload(Project.delegates))
    ).all()
    updates = session.scalars(
        select(ProgressUpdate)
        .where(ProgressUpdate.workspace_id == ws.id)
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id)
        .options(selectinload(ProgressUpdate.revisions))
    ).all()
    ref_of = {p.id: p.ref for p in projects}
    calendar = _calendar(session, ws)
    return Export(
        exported_at=exported_at,
        workspace=WorkspaceRecord(
            team_id=ws.external_id,
            platform=ws.platform,
            name=ws.name,
            created_at=ws.created_at,
            chair_usergroup_id=ws.chair_usergroup_id,
        ),
        strategies=tuple(
            StrategyRecord(
                name=s.name,
                period=s.period,
                description=s.description,
                active=s.active,
                created_at=s.created_at,
                priorities=tuple(PriorityRecord(p.position, p.code, p.name, p.description) for p in s.priorities),
            )
            for s in strategies
        ),
        projects=tuple(_project(p, priority_of.get(p.priority_id) if p.priority_id else None) for p in projects),
        updates=tuple(
            UpdateRecord(
                id=u.id,
                project_ref=ref_of[u.project_id],
                author=u.author_user_id,
                source=u.source,
                created_at=u.created_at,
                revisions=tuple(
                    RevisionRecord(
                        number=r.number,
                        rag=r.rag,
                        progress=r.progress,
                        next_steps=r.next_steps,
                        risks=r.risks,
                        editor=r.editor_user_id,
                        created_at=r.created_at,
                    )
                    for r in u.revisions
                ),
            )
            for u in updates
        ),
        roles=calendar.roles,
        meeting_series=calendar.series,
        closures=calendar.closures,
        meetings=calendar.meetings,
        reminders=calendar.reminders,
        digest_posts=calendar.digest_posts,
    )


@dataclass(frozen=True, slots=True)
class _Calendar:
    roles: tuple[RoleRecord, ...]
    series: SeriesRecord | None
    closures: tuple[ClosureRecord, ...]
    meetings: tuple[MeetingRecord, ...]
    reminders: tuple[ReminderRecord, ...]
    digest_posts: tuple[DigestPostRecord, ...]


def _calendar(session: Session, ws: Workspace) -> _Calendar:
    """Roles, the meeting series, closures, meetings, reminders and digest posts: six statements.

    Rows are put in the order of their unique keys here rather than by SQL, so that the order is the
    same whichever database (and collation) they come from.
    """
    roles = sorted(
        session.scalars(select(RoleGrant).where(RoleGrant.workspace_id == ws.id)),
        key=lambda g: (g.role.value, g.user_id),
    )
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    closures = session.scalars(
        select(ClosureDay).where(ClosureDay.workspace_id == ws.id).order_by(ClosureDay.day)
    ).all()
    meetings = session.scalars(select(Meeting).where(Meeting.workspace_id == ws.id).order_by(Meeting.occurrence)).all()
    occurrence_of = {m.id: m.occurrence for m in meetings}
    reminders = sorted(
        session.scalars(select(Reminder).where(Reminder.workspace_id == ws.id)),
        key=lambda r: (occurrence_of[r.meeting_id], r.stage, r.user_id),
    )
    posts = sorted(
        session.scalars(select(DigestPost).where(DigestPost.workspace_id == ws.id)),
        key=lambda d: occurrence_of[d.meeting_id],
    )
    return _Calendar(
        roles=tuple(RoleRecord(g.user_id, g.role, g.granted_by, g.created_at) for g in roles),
        series=_series(series) if series is not None else None,
        closures=tuple(ClosureRecord(c.day, c.reason, c.created_by, c.created_at) for c in closures),
        meetings=tuple(
            MeetingRecord(
                occurrence=m.occurrence,
                starts_at=m.starts_at,
                status=m.status,
                moved=m.moved,
                note=m.note,
                revision=m.revision,
                changed_by=m.changed_by,
                updated_at=m.updated_at,
            )
            for m in meetings
        ),
        reminders=tuple(
            ReminderRecord(
                meeting=occurrence_of[r.meeting_id],
                user_id=r.user_id,
                kind=r.kind,
                stage=r.stage,
                status=r.status,
                due_at=r.due_at,
                attempts=r.attempts,
                claimed_by=r.claimed_by,
                claimed_at=r.claimed_at,
                sent_at=r.sent_at,
                error=r.error,
                project_refs=tuple(r.project_refs.split(",")) if r.project_refs else (),
                channel_id=r.channel_id,
                message_ts=r.message_ts,
            )
            for r in reminders
        ),
        digest_posts=tuple(
            DigestPostRecord(
                meeting=occurrence_of[d.meeting_id],
                channel_id=d.channel_id,
                status=d.status,
                due_at=d.due_at,
                attempts=d.attempts,
                claimed_by=d.claimed_by,
                claimed_at=d.claimed_at,
                sent_at=d.sent_at,
                error=d.error,
                message_ts=d.message_ts,
            )
            for d in posts
        ),
    )


def _series(s: MeetingSeries) -> SeriesRecord:
    return SeriesRecord(
        rrule=s.rrule,
        anchor=s.anchor,
        local_time=s.local_time,
        duration_minutes=s.duration_minutes,
        timezone=s.timezone,
        holiday_region=s.holiday_region,
        channel_id=s.channel_id,
        reminder_stages=s.reminder_stages,
        digest_stage=s.digest_stage,
        updated_by=s.updated_by,
        updated_at=s.updated_at,
    )


def _project(p: Project, priority: tuple[Strategy, Priority] | None) -> ProjectRecord:
    strategy, prio = priority if priority else (None, None)
    return ProjectRecord(
        ref=p.ref,
        title=p.title,
        strategy=strategy.name if strategy else None,
        priority_code=prio.code if prio else None,
        priority_name=prio.name if prio else None,
        owner=p.owner_user_id,
        delegates=tuple(p.delegate_ids),
        service_area=p.service_area,
        status=p.status,
        target_date=p.target_date,
        completed_on=p.completed_on,
        created_at=p.created_at,
    )


def iso(value: datetime) -> str:
    """An ISO-8601 UTC timestamp with a ``Z``, e.g. ``2026-11-24T09:30:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def to_document(export: Export) -> dict[str, Any]:
    """The export as one mapping of JSON types (str, int, bool, None, lists, dicts)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": iso(export.exported_at),
        "workspace": {
            "team_id": export.workspace.team_id,
            "platform": export.workspace.platform,
            "name": export.workspace.name,
            "created_at": iso(export.workspace.created_at),
            "chair_usergroup_id": export.workspace.chair_usergroup_id,
        },
        "strategies": [
            {
                "name": s.name,
                "period": s.period,
                "description": s.description,
                "active": s.active,
                "created_at": iso(s.created_at),
                "priorities": [
                    {"position": p.position, "code": p.code, "name": p.name, "description": p.description}
                    for p in s.priorities
                ],
            }
            for s in export.strategies
        ],
        "projects": [
            {
                "ref": p.ref,
                "title": p.title,
                "strategy": p.strategy,
                "priority_code": p.priority_code,
                "priority_name": p.priority_name,
                "owner": p.owner,
                "delegates": list(p.delegates),
                "service_area": p.service_area,
                "status": p.status.value,
                "target_date": _day(p.target_date),
                "completed_on": _day(p.completed_on),
                "created_at": iso(p.created_at),
            }
            for p in export.projects
        ],
        "updates": [
            {
                "id": u.id,
                "project_ref": u.project_ref,
                "author": u.author,
                "source": u.source.value,
                "created_at": iso(u.created_at),
                "revisions": [
                    {
                        "number": r.number,
                        "rag": r.rag.value,
                        "progress": r.progress,
                        "next_steps": r.next_steps,
                        "risks": r.risks,
                        "editor": r.editor,
                        "created_at": iso(r.created_at),
                    }
                    for r in u.revisions
                ],
            }
            for u in export.updates
        ],
        "roles": [
            {"user_id": g.user_id, "role": g.role.value, "granted_by": g.granted_by, "created_at": iso(g.created_at)}
            for g in export.roles
        ],
        "meeting_series": _series_document(export.meeting_series) if export.meeting_series else None,
        "closures": [
            {"day": c.day.isoformat(), "reason": c.reason, "created_by": c.created_by, "created_at": iso(c.created_at)}
            for c in export.closures
        ],
        "meetings": [
            {
                "occurrence": m.occurrence.isoformat(),
                "starts_at": iso(m.starts_at),
                "status": m.status.value,
                "moved": m.moved,
                "note": m.note,
                "revision": m.revision,
                "changed_by": m.changed_by,
                "updated_at": iso(m.updated_at),
            }
            for m in export.meetings
        ],
        "reminders": [
            {
                "meeting": r.meeting.isoformat(),
                "user_id": r.user_id,
                "kind": r.kind.value,
                "stage": r.stage,
                "status": r.status.value,
                "due_at": iso(r.due_at),
                "attempts": r.attempts,
                "claimed_by": r.claimed_by,
                "claimed_at": _moment(r.claimed_at),
                "sent_at": _moment(r.sent_at),
                "error": r.error,
                "project_refs": list(r.project_refs),
                "channel_id": r.channel_id,
                "message_ts": r.message_ts,
            }
            for r in export.reminders
        ],
        "digest_posts": [
            {
                "meeting": d.meeting.isoformat(),
                "channel_id": d.channel_id,
                "status": d.status.value,
                "due_at": iso(d.due_at),
                "attempts": d.attempts,
                "claimed_by": d.claimed_by,
                "claimed_at": _moment(d.claimed_at),
                "sent_at": _moment(d.sent_at),
                "error": d.error,
                "message_ts": d.message_ts,
            }
            for d in export.digest_posts
        ],
    }


def _series_document(s: SeriesRecord) -> dict[str, Any]:
    return {
        "rrule": s.rrule,
        "anchor": s.anchor.isoformat(),
        "local_time": s.local_time.isoformat(),
        "duration_minutes": s.duration_minutes,
        "timezone": s.timezone,
        "holiday_region": s.holiday_region,
        "channel_id": s.channel_id,
        "reminder_stages": s.reminder_stages,
        "digest_stage": s.digest_stage,
        "updated_by": s.updated_by,
        "updated_at": iso(s.updated_at),
    }


def spreadsheet_cell(value: str) -> str:
    """A CSV cell that a spreadsheet shows as the text it is: invisible characters removed
    (:func:`bot.literal.visible`), and a ``'`` put before a cell that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return (after any spaces), which Excel, LibreOffice and Google Sheets would
    otherwise run as a formula (``=HYPERLINK(…)``): OWASP's advice against CSV injection. The ``'`` is
    what those spreadsheets themselves use to mark a cell as text."""
    value = visible(value)
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def csv_rows(export: Export) -> list[dict[str, str]]:
    """One row per update revision, projects by reference and updates oldest first.

    A project with no update gets one row whose update columns are empty. Delegates are joined
    with ``;``. Every value is a string (empty for none), keyed by :data:`CSV_COLUMNS`, and passed
    through :func:`spreadsheet_cell`, so that no cell of it runs as a formula.
    """
    return [{column: spreadsheet_cell(value) for column, value in row.items()} for row in _rows(export)]


def _rows(export: Export) -> list[dict[str, str]]:
    by_project: dict[str, list[UpdateRecord]] = {}
    for u in export.updates:
        by_project.setdefault(u.project_ref, []).append(u)
    rows: list[dict[str, str]] = []
    for p in export.projects:
        base = {
            "project_ref": p.ref,
            "project_title": p.title,
            "strategy": p.strategy or "",
            "priority_code": p.priority_code or "",
            "priority_name": p.priority_name or "",
            "owner": p.owner,
            "delegates": ";".join(p.delegates),
            "service_area": p.service_area,
            "status": p.status.value,
            "target_date": _day(p.target_date) or "",
            "completed_on": _day(p.completed_on) or "",
        }
        empty = {c: "" for c in CSV_COLUMNS if c not in base}
        project_updates = by_project.get(p.ref, [])
        if not project_updates:
            rows.append({**base, **empty})
        for u in project_updates:
            for r in u.revisions:
                rows.append(
                    {
                        **base,
                        "update_id": str(u.id),
                        "revision": str(r.number),
                        "author": u.author,
                        "editor": r.editor,
                        "rag": r.rag.value,
                        "progress": r.progress,
                        "next_steps": r.next_steps,
                        "risks": r.risks,
                        "source": u.source.value,
                        "update_created_at": iso(u.created_at),
                        "revision_created_at": iso(r.created_at),
                    }
                )
    return rows
