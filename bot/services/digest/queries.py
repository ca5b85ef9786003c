"""Reading a workspace's Work Plan for a digest, in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from bot.services.digest.model import UpdateEntry
from models import (
    ChangeVia,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectEvent,
    ProjectField,
    ProjectStatus,
    Rag,
    Strategy,
    StrategyAim,
    UpdateRevision,
    Workspace,
)

# -- reading (a fixed number of statements) --------------------------------------------------------
# Seven statements whatever the number of projects or updates: the strategies with their priorities, the
# active strategy's aims, the time zone, the projects' delegates, the projects started in the period (from
# their history), one that returns every project with the RAG of its latest update before the period, and
# one that returns every update in the period (current revision), the latest of which is the project's update.


@dataclass(frozen=True, slots=True)
class PriorityRow:
    id: int
    position: int
    code: str
    name: str
    description: str


@dataclass(slots=True)
class StrategyRow:
    id: int
    name: str
    period: str
    description: str
    active: bool
    priorities: list[PriorityRow]


def strategies(session: Session, ws: Workspace) -> list[StrategyRow]:
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
    out: dict[int, StrategyRow] = {}
    for sid, sname, speriod, sdesc, sactive, pid, pos, code, pname, pdesc in rows:
        s = out.setdefault(sid, StrategyRow(sid, sname, speriod, sdesc, sactive, []))
        s.priorities.append(PriorityRow(pid, pos, code, pname, pdesc))
    return list(out.values())


def aims(session: Session, strategy_id: int) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(StrategyAim.text).where(StrategyAim.strategy_id == strategy_id).order_by(StrategyAim.position)
        )
    )


@dataclass(frozen=True, slots=True)
class ProjectRow:
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
class Row:
    """A project with the time and RAG of its latest update before the period (its updates in the period
    are read by :func:`period_updates`)."""

    project: ProjectRow
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


def rows(session: Session, ws: Workspace, start: datetime | None, end: datetime) -> list[Row]:
    """Every project created by ``end``, by ref, with the time and RAG of its latest update before
    ``start`` (current revision). One statement.

    Per project, that update is one backward seek on ``ix_progress_update_project_created``
    (workspace, project, created_at, id), and its current revision one on the revision's primary key,
    so the cost follows the number of projects, not the history. PostgreSQL is given the seek as a
    ``LATERAL`` subquery (as a correlated join condition it would hash the whole update table instead);
    SQLite, which has no ``LATERAL``, as correlated scalar subqueries in the join conditions, which it
    runs once per project.
    """
    lateral = session.get_bind().dialect.name == "postgresql"
    stmt: _AnySelect = select(*_PROJECT_COLUMNS).select_from(Project)
    if start is not None:
        stmt = _join_latest(stmt, ws, [ProgressUpdate.created_at < start], ("created_at", "rag"), "before", lateral)
    stmt = stmt.where(Project.workspace_id == ws.id, Project.created_at <= end).order_by(Project.ref)
    out: list[Row] = []
    rows: Sequence[Any] = session.execute(stmt).all()  # read by position: cheaper than by name
    for row in rows:
        before = (row[10], row[11]) if start is not None and row[10] is not None else None
        out.append(Row(ProjectRow(*row[:10]), before))
    return out


_AnySelect = Select[*tuple[Any, ...]]

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


def period_updates(
    session: Session, ws: Workspace, start: datetime | None, end: datetime
) -> dict[int, list[UpdateEntry]]:
    """Every update in the period of each project created by ``end`` (current revision), oldest first,
    by project id. One statement.

    Driven by the projects, as :func:`rows` is: per project, one range seek on
    ``ix_progress_update_project_created`` (workspace, project, created_at, id) reads only the period's
    updates, and each one's current revision is one seek on the revision's primary key; so the cost
    follows the projects and the period's updates, never the whole history. PostgreSQL gets the seeks as
    ``LATERAL`` subqueries, SQLite as a join it runs per project (the newest revision by a correlated
    ``max``).
    """
    pu, rev = ProgressUpdate, UpdateRevision
    period = [pu.workspace_id == ws.id, pu.project_id == Project.id, pu.created_at <= end]
    if start is not None:
        period.append(pu.created_at >= start)
    update_cols = (pu.id, pu.author_user_id, pu.created_at, pu.source)
    revision_cols = (rev.number, rev.editor_user_id, rev.rag, rev.progress, rev.next_steps, rev.risks)
    projects = (Project.workspace_id == ws.id, Project.created_at <= end)
    stmt: _AnySelect
    if session.get_bind().dialect.name == "postgresql":
        # No LIMIT in the first subquery: OFFSET 0 keeps PostgreSQL from flattening it into a hash join.
        u = select(*update_cols).where(*period).offset(0).lateral("u_all")
        r = select(*revision_cols).where(rev.update_id == u.c.id).order_by(rev.number.desc()).limit(1).lateral("r_all")
        stmt = (
            select(Project.id, *u.c, *r.c)
            .select_from(Project)
            .join(u, true())
            .join(r, true())
            .where(*projects)
            .order_by(Project.id, u.c.created_at, u.c.id)
        )
    else:
        newest = select(func.max(rev.number)).where(rev.update_id == pu.id).correlate(pu).scalar_subquery()
        stmt = (
            select(Project.id, *update_cols, *revision_cols)
            .select_from(Project)
            .join(pu, and_(*period))
            .join(rev, (rev.update_id == pu.id) & (rev.number == newest))
            .where(*projects)
            .order_by(Project.id, pu.created_at, pu.id)
        )
    out: dict[int, list[UpdateEntry]] = {}
    rows: Sequence[Any] = session.execute(stmt).all()
    for row in rows:
        out.setdefault(row[0], []).append(UpdateEntry(*row[1:]))
    return out


def delegates(session: Session, ws: Workspace) -> dict[int, list[str]]:
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


def started(session: Session, ws: Workspace, start: datetime | None, end: datetime) -> set[int]:
    """The projects that started in the period, by the rule in :mod:`.build`: their status first became
    active in it, by a change of status or by being added active in chat. One statement."""
    e, prior = aliased(ProjectEvent, name="e"), aliased(ProjectEvent, name="prior")
    since = [e.at >= start] if start is not None else []
    earlier = exists().where(
        prior.workspace_id == ws.id,
        prior.project_id == e.project_id,
        _made_active(prior),
        (prior.at < e.at) | ((prior.at == e.at) & (prior.id < e.id)),
    )
    return set(
        session.scalars(
            select(e.project_id).where(
                e.workspace_id == ws.id,
                _made_active(e),
                (e.field == ProjectField.STATUS) | (e.via == ChangeVia.CHAT),  # not arrived active: see the rule
                e.at <= end,
                *since,
                ~earlier,
            )
        )
    )


def _made_active(event: Any) -> ColumnElement[bool]:
    return and_(event.field.in_((ProjectField.CREATED, ProjectField.STATUS)), event.new == ProjectStatus.ACTIVE.value)
