"""Everything a workspace holds, gathered for export: strategies, the Work Plan, every update revision.

Plain values in, plain values out: a session and a workspace give an :class:`Export` of frozen
dataclasses, read with a fixed handful of SQL statements however many projects there are.
:func:`to_document` shapes it as one JSON-ready mapping and :func:`csv_rows` as one flat table (a row
per update revision; a project with no update still gets a row, so nothing is dropped). Nothing here
reads the clock: the caller says when the export was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    Priority,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    Strategy,
    UpdateSource,
    Workspace,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMAT_VERSION",
    "Export",
    "PriorityRecord",
    "ProjectRecord",
    "RevisionRecord",
    "StrategyRecord",
    "UpdateRecord",
    "WorkspaceRecord",
    "csv_rows",
    "gather",
    "iso",
    "to_document",
]

FORMAT_VERSION = 1

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
class Export:
    exported_at: datetime
    workspace: WorkspaceRecord
    strategies: tuple[StrategyRecord, ...]
    projects: tuple[ProjectRecord, ...]
    updates: tuple[UpdateRecord, ...]


def gather(session: Session, ws: Workspace, *, exported_at: datetime) -> Export:
    """Read the whole of one workspace: six SQL statements (three tables, three selectin loads), whatever its size.

    Strategies come oldest first, projects by reference, updates oldest first with their revisions
    in order. Nothing from another workspace is read.
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
    return Export(
        exported_at=exported_at,
        workspace=WorkspaceRecord(team_id=ws.external_id, platform=ws.platform, name=ws.name, created_at=ws.created_at),
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


def to_document(export: Export) -> dict[str, Any]:
    """The export as one mapping of JSON types (str, int, bool, None, lists, dicts)."""
    return {
        "format": "ictbot-export",
        "version": FORMAT_VERSION,
        "exported_at": iso(export.exported_at),
        "workspace": {
            "team_id": export.workspace.team_id,
            "platform": export.workspace.platform,
            "name": export.workspace.name,
            "created_at": iso(export.workspace.created_at),
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
    }


def csv_rows(export: Export) -> list[dict[str, str]]:
    """One row per update revision, projects by reference and updates oldest first.

    A project with no update gets one row whose update columns are empty. Delegates are joined
    with ``;``. Every value is a string (empty for none), keyed by :data:`CSV_COLUMNS`.
    """
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
