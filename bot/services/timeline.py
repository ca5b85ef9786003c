"""A project's progress updates over time, newest first (``/ict-update history REF [N]``, the History button).

Each entry is an update as it reads now (its current revision), with who posted it, when, and whether it was
corrected (by whom, when). Two SQL statements whatever the number of updates. Anyone in the workspace may
read it. Project field changes are :mod:`bot.services.history`'s; this is the updates' record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, UnknownProject
from bot.services.projects import normalise_ref, suggestions
from bot.wording import Text
from models import ProgressUpdate, Project, ProjectStatus, Rag, UpdateRevision, Workspace

__all__ = ["DEFAULT_SHOWN", "MAX_SHOWN", "SHORT_PROGRESS", "Entry", "Timeline", "count", "of_project", "short"]

DEFAULT_SHOWN = 10
MAX_SHOWN = 50
SHORT_PROGRESS = 160  # characters of an update's progress shown in the history


@dataclass(frozen=True, slots=True)
class Entry:
    """One update as it reads now. ``progress`` is its progress in short, as typed (shown literally);
    ``revisions`` how many texts it has had: more than one when it was corrected (``corrected_*``: the last)."""

    update_id: int
    created_at: datetime
    author: str
    rag: Rag
    progress: str
    revisions: int
    corrected_at: datetime | None
    corrected_by: str | None

    @property
    def revised(self) -> bool:
        return self.revisions > 1


@dataclass(frozen=True, slots=True)
class Timeline:
    """The project's latest updates (at most ``limit``, newest first) of ``total``."""

    ref: str
    title: str
    status: ProjectStatus
    entries: list[Entry]
    total: int
    limit: int

    def people(self) -> list[str]:
        """Every user id the history names (authors and correctors), once each, for looking names up."""
        ids = [u for e in self.entries for u in (e.author, e.corrected_by) if u]
        return list(dict.fromkeys(ids))


def count(word: str | None) -> int:
    """How many updates ``word`` asks for: :data:`DEFAULT_SHOWN` when none, else 1 to :data:`MAX_SHOWN`."""
    if word is None:
        return DEFAULT_SHOWN
    if not (word.isascii() and word.isdigit()) or not 1 <= int(word) <= MAX_SHOWN:
        raise InvalidInput(
            Text(
                "`{typed}` is not a number of updates; give 1 to {most}, e.g. `{update} history NET-01 20`.",
                typed=word[:40],
                most=MAX_SHOWN,
            )
        )
    return int(word)


def short(text: str, limit: int = SHORT_PROGRESS) -> str:
    """``text`` on one line (runs of whitespace as one space), cut to ``limit`` characters with an ellipsis:
    at a space in the second half where there is one."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = limit - 1
    at = flat.rfind(" ", 0, room + 1)
    cut = at if at >= room // 2 else room
    return flat[:cut].rstrip() + "…"


_PROJECT = select(Project.id, Project.ref, Project.title, Project.status)


def of_project(session: Session, ws: Workspace, ref: str, *, limit: int = DEFAULT_SHOWN) -> Timeline:
    """The latest ``limit`` updates of the project ``ref`` in ``ws``, newest first. Raises UnknownProject."""
    limit = max(1, min(limit, MAX_SHOWN))
    key = normalise_ref(ref)
    found = session.execute(_PROJECT.where(Project.workspace_id == ws.id, Project.ref == key)).one_or_none()
    if found is None:
        raise UnknownProject(key, suggestions(session, ws, ref))
    project_id, project_ref, title, status = found
    # Each update's current revision is its highest number; numbers run 1, 2, … so it is also how many.
    current = (
        select(UpdateRevision.update_id, func.max(UpdateRevision.number).label("number"))
        .join(ProgressUpdate, ProgressUpdate.id == UpdateRevision.update_id)
        .where(ProgressUpdate.workspace_id == ws.id, ProgressUpdate.project_id == project_id)
        .group_by(UpdateRevision.update_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ProgressUpdate.id,
            ProgressUpdate.created_at,
            ProgressUpdate.author_user_id,
            UpdateRevision.rag,
            UpdateRevision.progress,
            UpdateRevision.number,
            UpdateRevision.created_at,
            UpdateRevision.editor_user_id,
            func.count().over(),  # every update of the project, counted before the limit
        )
        .join(current, current.c.update_id == ProgressUpdate.id)
        .join(
            UpdateRevision,
            (UpdateRevision.update_id == ProgressUpdate.id) & (UpdateRevision.number == current.c.number),
        )
        .where(ProgressUpdate.workspace_id == ws.id, ProgressUpdate.project_id == project_id)
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(limit)
    ).all()
    entries = [
        Entry(
            update_id=update_id,
            created_at=created_at,
            author=author,
            rag=rag,
            progress=short(progress),
            revisions=number,
            corrected_at=revised_at if number > 1 else None,
            corrected_by=editor if number > 1 else None,
        )
        for update_id, created_at, author, rag, progress, number, revised_at, editor, _ in rows
    ]
    total = int(rows[0][-1]) if rows else 0
    return Timeline(ref=project_ref, title=title, status=status, entries=entries, total=total, limit=limit)
