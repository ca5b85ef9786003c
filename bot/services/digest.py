"""The progress digest: one plain data structure that every digest and committee report is rendered from.

:func:`build` reads a workspace's Work Plan and updates for a reporting period and returns a
:class:`Digest` of frozen dataclasses, by the rules written above it, chosen here once so that every
rendering agrees. :func:`default_period` gives the usual period: from the previous governance meeting
held before ``now`` up to ``now``. Nothing here knows about Slack, Markdown or HTML, and nothing reads
the clock (``start``, ``end`` and ``now`` are passed in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import Session, aliased

from bot.errors import DomainError
from bot.services import meetings as meeting_service
from bot.wording import count
from models import (
    MeetingSeries,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    Strategy,
    StrategyAim,
    UpdateRevision,
    UpdateSource,
    Workspace,
)

__all__ = [
    "NO_PRIORITY",
    "RAG_ORDER",
    "Digest",
    "GroupKind",
    "PriorityGroup",
    "ProjectEntry",
    "RagCounts",
    "StatusCounts",
    "StrategyInfo",
    "Totals",
    "Trend",
    "UpdateEntry",
    "build",
    "default_period",
    "headline",
    "trend",
]

NO_PRIORITY = "No priority"
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


class Trend(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NEW = "new"  # no RAG before the period


class GroupKind(StrEnum):
    PRIORITY = "priority"  # a priority of the active strategy
    RETIRED = "retired"  # a priority of an older strategy that projects still point at
    NONE = "none"  # the "No priority" group


@dataclass(frozen=True, slots=True)
class RagCounts:
    red: int = 0
    amber: int = 0
    green: int = 0
    none: int = 0  # no update yet

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green + self.none

    @classmethod
    def of(cls, rags: Iterable[Rag | None]) -> RagCounts:
        c = Counter(rags)
        return cls(red=c[Rag.RED], amber=c[Rag.AMBER], green=c[Rag.GREEN], none=c[None])


@dataclass(frozen=True, slots=True)
class StatusCounts:
    planned: int = 0
    active: int = 0
    on_hold: int = 0
    complete: int = 0
    closed: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.active + self.on_hold + self.complete + self.closed

    @classmethod
    def of(cls, statuses: Iterable[ProjectStatus]) -> StatusCounts:
        c = Counter(statuses)
        return cls(**{s.value: c[s] for s in ProjectStatus})


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    """One progress update, with the text of its current revision."""

    id: int
    author: str
    created_at: datetime  # UTC: when it was posted
    source: UpdateSource
    revision: int  # 1 unless corrected
    editor: str  # who wrote the current revision
    rag: Rag
    progress: str
    next_steps: str
    risks: str


@dataclass(frozen=True, slots=True)
class ProjectEntry:
    id: int
    ref: str
    title: str
    owner: str  # a chat user ID
    delegates: tuple[str, ...]
    service_area: str
    status: ProjectStatus  # now
    target_date: date | None
    completed_on: date | None
    created_at: datetime
    priority_code: str | None  # its own priority, even one of an older strategy
    priority_name: str | None
    update: UpdateEntry | None  # the latest update in the period
    rag: Rag | None  # now: at the end of the period
    previous_rag: Rag | None  # at the end of the previous period (before ``start``)
    trend: Trend | None  # None: no RAG yet
    last_updated_at: datetime | None  # the latest update at or before ``end``, in the period or not
    days_since_update: int | None  # whole days from that update to ``end``
    missing: bool  # active with no update in the period
    completed_in_period: bool
    started_in_period: bool


@dataclass(frozen=True, slots=True)
class PriorityGroup:
    kind: GroupKind
    code: str | None  # None for "No priority"
    name: str
    description: str
    strategy: str | None  # the strategy the priority belongs to
    note: str  # why a group is not a current priority; empty for those that are
    rag: RagCounts
    status: StatusCounts
    projects: tuple[ProjectEntry, ...]  # by ref

    @property
    def updated(self) -> tuple[ProjectEntry, ...]:
        return tuple(p for p in self.projects if p.update is not None)

    @property
    def missing(self) -> tuple[ProjectEntry, ...]:
        return tuple(p for p in self.projects if p.missing)


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    name: str
    period: str
    description: str
    priorities: tuple[tuple[str, str], ...]  # (code, name) of each priority, in order
    aims: tuple[str, ...] = ()  # the strategy's aims, in order (a strategy file's ``aims``)


@dataclass(frozen=True, slots=True)
class Totals:
    projects: int
    updated: int  # with an update in the period
    missing: int
    completed: int
    started: int
    improved: int
    worse: int
    rag: RagCounts
    status: StatusCounts


@dataclass(frozen=True, slots=True)
class Digest:
    workspace: str  # the workspace's name
    team_id: str
    strategy: StrategyInfo  # the active strategy
    start: datetime | None  # None: from the beginning
    end: datetime
    generated_at: datetime
    timezone: str  # an IANA name: the workspace's meetings' time zone, for showing times
    priorities: tuple[PriorityGroup, ...]  # current priorities, then older ones in use, then "No priority"
    missing: tuple[ProjectEntry, ...]  # in group order, as are the next two
    completed: tuple[ProjectEntry, ...]
    started: tuple[ProjectEntry, ...]
    totals: Totals
    headline: str  # plain text, e.g. "6 projects completed since the last report, 2 started; …"

    @property
    def projects(self) -> tuple[ProjectEntry, ...]:
        """Every project in the digest, in group order."""
        return tuple(p for g in self.priorities for p in g.projects)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# -- building --------------------------------------------------------------------------------------


def default_period(session: Session, ws: Workspace, now: datetime) -> tuple[datetime | None, datetime]:
    """Since the previous meeting held before ``now`` (None: there was none, so from the beginning) to ``now``."""
    previous = meeting_service.previous_meeting(session, ws, now)
    return (previous.starts_at if previous is not None else None, now)


def trend(previous: Rag | None, now: Rag | None) -> Trend | None:
    if now is None:
        return None
    if previous is None:
        return Trend.NEW
    if RAG_ORDER[now] > RAG_ORDER[previous]:
        return Trend.IMPROVED
    if RAG_ORDER[now] < RAG_ORDER[previous]:
        return Trend.WORSE
    return Trend.UNCHANGED


def headline(totals: Totals, *, since_last_report: bool) -> str:
    """One sentence of the period's totals, e.g. "6 projects completed since the last report, …"."""
    t = totals
    if t.projects == 0:
        return "No projects in the ICT Work Plan in this period."
    when = "since the last report" if since_last_report else "to date"
    completed = count(t.completed, "project") if t.completed else "No projects"
    if t.projects == 1:
        updated = f"the one project {'' if t.updated else 'not '}updated in the period"
    elif t.updated == t.projects:
        updated = f"{'both' if t.projects == 2 else f'all {t.projects}'} updated in the period"
    else:
        updated = f"{t.updated or 'none'} of {t.projects} updated in the period"
    said = t.projects == 1 and not t.updated  # "the one project not updated" says it already
    missing = f", {t.missing} missing an update" if t.missing and not said else ""
    return f"{completed} completed {when}, {t.started or 'none'} started; {updated}{missing}."


# The rules of the digest, chosen here once so that every rendering agrees:
#
# - **The period** holds the instants ``start <= t <= end`` (``start`` None: from the beginning). An
#   update exactly at ``start`` is in the period, as the reminders count it.
# - **RAG now** is the RAG of the latest update at or before ``end``; **the previous RAG** that of the
#   latest update strictly before ``start`` (None when ``start`` is None or there was none). An
#   update's text and RAG are those of its current (highest) revision, even a correction made after
#   ``end``: a correction fixes the record, so the digest shows the record as corrected.
# - **Trend** compares the two, red < amber < green: improved, worse, unchanged, or new (no previous
#   RAG); None when the project has no RAG yet. A project with no update in the period is unchanged.
# - **Which projects appear**: every project created by ``end`` that was open at ``end`` (planned,
#   active or on hold now, or completed after ``end``), or that had an update in the period, or that
#   was completed in it. Closed and completed projects with an update in the period are kept. Project
#   status is the status now: the Work Plan keeps no status history.
# - **Missing** are the active projects (active now, or completed after ``end``) with no update in
#   the period, as the reminders chase them. **Completed** are projects whose status is complete and
#   whose completion day (local midnight) falls in the period; **started** are projects created in it.
# - **Grouping**: the active strategy's priorities in their order, each shown even when empty. A
#   project that still points at a priority of an older strategy (the strategy was refreshed and the
#   project not yet moved) is grouped under that old priority's name, after the current priorities,
#   with a note saying so; projects with no priority come last under "No priority". None is dropped.
def build(
    session: Session,
    ws: Workspace,
    *,
    start: datetime | None,
    end: datetime,
    now: datetime,
    default_timezone: str = "Europe/London",
) -> Digest:
    """The digest of ``ws`` for the period ``start``..``end``, by the rules above.

    ``default_timezone`` is used when the workspace has no meeting series (whose time zone wins): it
    decides which local day a completion date falls on and how renderers show times.
    """
    if start is not None and start > end:
        raise DomainError(f"The period starts after it ends ({start:%Y-%m-%d} > {end:%Y-%m-%d}); swap the dates.")
    strategies = _strategies(session, ws)
    active = next((s for s in strategies if s.active), None)
    if active is None:
        raise DomainError("This workspace has no active strategy; load one with `ictbot strategy load FILE`.")
    tz_name = session.scalar(select(MeetingSeries.timezone).where(MeetingSeries.workspace_id == ws.id))
    tz = ZoneInfo(tz_name or default_timezone)
    rows = _rows(session, ws, start, end)
    delegates = _delegates(session, ws)
    priority_of = {p.id: p for s in strategies for p in s.priorities}
    entries: list[ProjectEntry] = []
    for row in rows:
        entry = _entry(row, start, end, tz, delegates.get(row.project.id, ()), priority_of)
        if entry is not None:
            entries.append(entry)
    groups = _group(entries, {r.project.id: r.project.priority_id for r in rows}, strategies, active)
    ordered = [p for g in groups for p in g.projects]
    totals = _totals(ordered)
    return Digest(
        workspace=ws.name,
        team_id=ws.external_id,
        strategy=StrategyInfo(
            name=active.name,
            period=active.period,
            description=active.description,
            priorities=tuple((p.code, p.name) for p in active.priorities),
            aims=_aims(session, active.id),
        ),
        start=start,
        end=end,
        generated_at=now,
        timezone=tz.key,
        priorities=tuple(groups),
        missing=tuple(p for p in ordered if p.missing),
        completed=tuple(p for p in ordered if p.completed_in_period),
        started=tuple(p for p in ordered if p.started_in_period),
        totals=totals,
        headline=headline(totals, since_last_report=start is not None),
    )


def _entry(
    row: _Row,
    start: datetime | None,
    end: datetime,
    tz: ZoneInfo,
    delegates: Iterable[str],
    priority_of: dict[int, _Priority],
) -> ProjectEntry | None:
    """A project as the digest shows it, or None when it does not appear (see the module's rules)."""
    p, update, before = row.project, row.update, row.before
    previous_rag = before[1] if before else None
    if update is not None:
        rag, last_updated_at = update.rag, update.created_at
    elif before is not None:
        last_updated_at, rag = before
    else:
        rag, last_updated_at = None, None
    completion = _completion(p, tz)
    completed_in_period = completion is not None and (start is None or completion >= start) and completion <= end
    open_at_end = p.status in _OPEN or (completion is not None and completion > end)
    if not (open_at_end or update is not None or completed_in_period):
        return None
    active_at_end = p.status is ProjectStatus.ACTIVE or (completion is not None and completion > end)
    prio = priority_of.get(p.priority_id) if p.priority_id is not None else None
    return ProjectEntry(
        id=p.id,
        ref=p.ref,
        title=p.title,
        owner=p.owner_user_id,
        delegates=tuple(delegates),
        service_area=p.service_area,
        status=p.status,
        target_date=p.target_date,
        completed_on=p.completed_on,
        created_at=p.created_at,
        priority_code=prio.code if prio else None,
        priority_name=prio.name if prio else None,
        update=update,
        rag=rag,
        previous_rag=previous_rag,
        trend=trend(previous_rag, rag),
        last_updated_at=last_updated_at,
        days_since_update=(end - last_updated_at).days if last_updated_at else None,
        missing=active_at_end and update is None,
        completed_in_period=completed_in_period,
        started_in_period=(start is None or p.created_at >= start) and p.created_at <= end,
    )


def _totals(ordered: Sequence[ProjectEntry]) -> Totals:
    return Totals(
        projects=len(ordered),
        updated=sum(p.update is not None for p in ordered),
        missing=sum(p.missing for p in ordered),
        completed=sum(p.completed_in_period for p in ordered),
        started=sum(p.started_in_period for p in ordered),
        improved=sum(p.trend is Trend.IMPROVED for p in ordered),
        worse=sum(p.trend is Trend.WORSE for p in ordered),
        rag=RagCounts.of(p.rag for p in ordered),
        status=StatusCounts.of(p.status for p in ordered),
    )


# -- reading (a fixed number of statements) --------------------------------------------------------
# Four statements whatever the number of projects or updates: the strategies with their priorities, the
# time zone, the projects' delegates, and one that returns every project with its latest update in the
# period (current revision) and the RAG of its latest one before.

_OPEN = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


@dataclass(frozen=True, slots=True)
class _Priority:
    id: int
    position: int
    code: str
    name: str
    description: str


@dataclass(slots=True)
class _Strategy:
    id: int
    name: str
    period: str
    description: str
    active: bool
    priorities: list[_Priority]


def _strategies(session: Session, ws: Workspace) -> list[_Strategy]:
    """Every strategy of the workspace, oldest first, with its priorities in order: one statement."""
    rows = session.execute(
        select(
            Strategy.id,
            Strategy.name,
            Strategy.period,
            Strategy.description,
            Strategy.active,
            Priority.id,
            Priority.position,
            Priority.code,
            Priority.name,
            Priority.description,
        )
        .join(Priority, Priority.strategy_id == Strategy.id)
        .where(Strategy.workspace_id == ws.id)
        .order_by(Strategy.created_at, Strategy.id, Priority.position)
    ).all()
    out: dict[int, _Strategy] = {}
    for sid, sname, speriod, sdesc, sactive, pid, pos, code, pname, pdesc in rows:
        s = out.setdefault(sid, _Strategy(sid, sname, speriod, sdesc, sactive, []))
        s.priorities.append(_Priority(pid, pos, code, pname, pdesc))
    return list(out.values())


def _aims(session: Session, strategy_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(StrategyAim.text).where(StrategyAim.strategy_id == strategy_id).order_by(StrategyAim.position)
        )
    )


@dataclass(frozen=True, slots=True)
class _Project:
    id: int
    ref: str
    title: str
    priority_id: int | None
    owner_user_id: str
    service_area: str
    status: ProjectStatus
    target_date: date | None
    completed_on: date | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _Row:
    """A project with its latest update in the period and the RAG and time of its latest one before."""

    project: _Project
    update: UpdateEntry | None
    before: tuple[datetime, Rag] | None


_PROJECT_COLUMNS = (
    Project.id,
    Project.ref,
    Project.title,
    Project.priority_id,
    Project.owner_user_id,
    Project.service_area,
    Project.status,
    Project.target_date,
    Project.completed_on,
    Project.created_at,
)


def _rows(session: Session, ws: Workspace, start: datetime | None, end: datetime) -> list[_Row]:
    """Every project created by ``end``, by ref, with its latest update in the period (current
    revision) and the RAG and time of the latest update before ``start``. One statement.

    Per project, each of the two updates is one backward seek on
    ``ix_progress_update_project_created`` (workspace, project, created_at, id), and its current
    revision one on the revision's primary key, so the cost follows the number of projects, not the
    history. PostgreSQL is given the seeks as ``LATERAL`` subqueries (as a correlated join condition
    it would hash the whole update table instead); SQLite, which has no ``LATERAL``, as correlated
    scalar subqueries in the join conditions, which it runs once per project.
    """
    lateral = session.get_bind().dialect.name == "postgresql"
    since = [ProgressUpdate.created_at >= start] if start is not None else []
    stmt: _AnySelect = select(*_PROJECT_COLUMNS).select_from(Project)
    stmt = _join_latest(stmt, ws, [ProgressUpdate.created_at <= end, *since], _UPDATE_FIELDS, "now", lateral)
    if start is not None:
        stmt = _join_latest(stmt, ws, [ProgressUpdate.created_at < start], ("created_at", "rag"), "before", lateral)
    stmt = stmt.where(Project.workspace_id == ws.id, Project.created_at <= end).order_by(Project.ref)
    out: list[_Row] = []
    rows: Sequence[Any] = session.execute(stmt).all()  # read by position: cheaper than by name
    for row in rows:
        update = UpdateEntry(*row[10:20]) if row[10] is not None else None
        before = (row[20], row[21]) if start is not None and row[20] is not None else None
        out.append(_Row(_Project(*row[:10]), update, before))
    return out


_AnySelect = Select[*tuple[Any, ...]]

# An UpdateEntry's fields, in order: the update's, then its revision's.
_UPDATE_FIELDS = (
    "id",
    "author_user_id",
    "created_at",
    "source",
    "number",
    "editor_user_id",
    "rag",
    "progress",
    "next_steps",
    "risks",
)
_REVISION_FIELDS = frozenset(("number", "editor_user_id", "rag", "progress", "next_steps", "risks"))


def _join_latest(
    stmt: _AnySelect,
    ws: Workspace,
    where: Sequence[ColumnElement[bool]],
    fields: Sequence[str],
    name: str,
    lateral: bool,
) -> _AnySelect:
    """``stmt`` outer-joined to each project's latest update matching ``where`` and that update's
    current revision, with ``fields`` (of either) added as columns, NULL when there is none."""
    pu, rev = ProgressUpdate, UpdateRevision
    latest = (
        select(pu.id)
        .where(pu.workspace_id == ws.id, pu.project_id == Project.id, *where)
        .order_by(pu.created_at.desc(), pu.id.desc())
        .limit(1)
    )
    if lateral:
        u_cols = [pu.id, *(getattr(pu, f) for f in fields if f not in _REVISION_FIELDS and f != "id")]
        u = latest.with_only_columns(*u_cols).lateral(f"u_{name}")
        r_cols = [getattr(rev, f) for f in fields if f in _REVISION_FIELDS]
        r = select(*r_cols).where(rev.update_id == u.c.id).order_by(rev.number.desc()).limit(1).lateral(f"r_{name}")
        columns = [r.c[f] if f in _REVISION_FIELDS else u.c[f] for f in fields]
        return stmt.outerjoin(u, true()).outerjoin(r, true()).add_columns(*columns)
    ua, ra = aliased(pu, name=f"u_{name}"), aliased(rev, name=f"r_{name}")
    newest = select(func.max(rev.number)).where(rev.update_id == ua.id).correlate(ua).scalar_subquery()
    columns = [getattr(ra if f in _REVISION_FIELDS else ua, f) for f in fields]
    return (
        stmt.outerjoin(ua, ua.id == latest.correlate(Project).scalar_subquery())
        .outerjoin(ra, (ra.update_id == ua.id) & (ra.number == newest))
        .add_columns(*columns)
    )


def _delegates(session: Session, ws: Workspace) -> dict[int, list[str]]:
    rows = session.execute(
        select(ProjectDelegate.project_id, ProjectDelegate.user_id)
        .join(Project, Project.id == ProjectDelegate.project_id)
        .where(Project.workspace_id == ws.id)
        .order_by(ProjectDelegate.project_id, ProjectDelegate.user_id)
    ).all()
    out: dict[int, list[str]] = {}
    for project_id, user_id in rows:
        out.setdefault(project_id, []).append(user_id)
    return out


# -- shaping ---------------------------------------------------------------------------------------


def _completion(p: _Project, tz: ZoneInfo) -> datetime | None:
    """When a complete project was completed: the start (local midnight) of its completion day."""
    if p.status is not ProjectStatus.COMPLETE or p.completed_on is None:
        return None
    return datetime.combine(p.completed_on, time(0), tzinfo=tz)


def _group(
    entries: Sequence[ProjectEntry],
    priority_ids: dict[int, int | None],
    strategies: Sequence[_Strategy],
    active: _Strategy,
) -> list[PriorityGroup]:
    by_priority: dict[int | None, list[ProjectEntry]] = {}
    for e in entries:
        by_priority.setdefault(priority_ids[e.id], []).append(e)
    groups = [_group_of(GroupKind.PRIORITY, p, active.name, "", by_priority.pop(p.id, [])) for p in active.priorities]
    for s in strategies:
        if s.id == active.id:
            continue
        for p in s.priorities:
            if p.id in by_priority:
                note = (
                    f"A priority of {s.name}, which {active.name} has replaced: these projects have not yet "
                    f"been moved to one of its priorities."
                )
                groups.append(_group_of(GroupKind.RETIRED, p, s.name, note, by_priority.pop(p.id)))
    # Whatever is left has no priority (or one that no strategy of this workspace holds).
    rest = sorted((e for items in by_priority.values() for e in items), key=lambda e: e.ref)
    if rest:
        groups.append(
            PriorityGroup(
                kind=GroupKind.NONE,
                code=None,
                name=NO_PRIORITY,
                description="",
                strategy=None,
                note="Projects not filed under any priority of the strategy.",
                rag=RagCounts.of(e.rag for e in rest),
                status=StatusCounts.of(e.status for e in rest),
                projects=tuple(rest),
            )
        )
    return groups


def _group_of(
    kind: GroupKind, p: _Priority, strategy: str, note: str, projects: Sequence[ProjectEntry]
) -> PriorityGroup:
    return PriorityGroup(
        kind=kind,
        code=p.code,
        name=p.name,
        description=p.description,
        strategy=strategy,
        note=note,
        rag=RagCounts.of(e.rag for e in projects),
        status=StatusCounts.of(e.status for e in projects),
        projects=tuple(projects),
    )
