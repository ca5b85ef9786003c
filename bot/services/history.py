"""Projects' history: what changed, who changed it, when and through what (:class:`models.ProjectEvent`).

The services that change a project take a :func:`snapshot` before and :func:`record` after, in the same
transaction, so only real changes are written; :func:`created` starts a new project's history.
:func:`of_project` reads it back, oldest first. Nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ChangeVia, Priority, Project, ProjectEvent, ProjectField, Workspace

__all__ = ["Event", "Snapshot", "created", "of_project", "record", "snapshot"]

# What a project's tracked fields hold, as text (ProjectEvent.old/new), in the order changes are recorded.
Snapshot = dict[ProjectField, str]


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str  # a chat user id; empty when no one in particular (an import, the backfill)
    via: ChangeVia
    field: ProjectField
    old: str
    new: str


def snapshot(session: Session, project: Project) -> Snapshot:
    """The project's tracked fields as its events store them."""
    return {
        ProjectField.STATUS: project.status.value,
        ProjectField.OWNER: project.owner_user_id,
        ProjectField.DELEGATES: ",".join(sorted(d.user_id for d in project.delegates)),
        ProjectField.TARGET_DATE: project.target_date.isoformat() if project.target_date else "",
        ProjectField.TITLE: project.title,
        ProjectField.PRIORITY: _priority_code(session, project.priority_id),
    }


def created(session: Session, project: Project, *, at: datetime, actor: str, via: ChangeVia) -> None:
    """A new project's first event: created, with the status it was created with."""
    session.add(_event(project, ProjectField.CREATED, "", project.status.value, at=at, actor=actor, via=via))


def record(session: Session, project: Project, before: Snapshot, *, at: datetime, actor: str, via: ChangeVia) -> int:
    """An event for each tracked field that differs from ``before``; how many there were."""
    after = snapshot(session, project)
    changed = [f for f in after if after[f] != before[f]]
    session.add_all(_event(project, f, before[f], after[f], at=at, actor=actor, via=via) for f in changed)
    return len(changed)


def _event(
    project: Project, field: ProjectField, old: str, new: str, *, at: datetime, actor: str, via: ChangeVia
) -> ProjectEvent:
    return ProjectEvent(
        workspace_id=project.workspace_id, project=project, at=at, actor=actor, via=via, field=field, old=old, new=new
    )


def of_project(session: Session, ws: Workspace, project: Project) -> list[Event]:
    """The project's history, oldest first (events of the same moment in the order they were written)."""
    rows = session.execute(
        select(
            ProjectEvent.at,
            ProjectEvent.actor,
            ProjectEvent.via,
            ProjectEvent.field,
            ProjectEvent.old,
            ProjectEvent.new,
        )
        .where(ProjectEvent.workspace_id == ws.id, ProjectEvent.project_id == project.id)
        .order_by(ProjectEvent.at, ProjectEvent.id)
    )
    return [Event(*row) for row in rows]


def _priority_code(session: Session, priority_id: int | None) -> str:
    if priority_id is None:
        return ""
    priority = session.get(Priority, priority_id)  # from the session's identity map when it holds it
    return priority.code if priority is not None else ""
