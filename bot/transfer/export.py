"""A workspace's record read from the database as the export document (:mod:`bot.transfer.schema`).

:func:`gather` reads the whole of one workspace with a fixed handful of SQL statements, however many
projects there are; :func:`to_document` gives it as one JSON-ready mapping (what ``ictbot import``
restores) and :func:`csv_rows` as one flat table (a row per update revision; a project with no update
still gets a row, so nothing is dropped). Nothing here reads the clock: the caller says when the export
was taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.literal import visible
from bot.services import people
from bot.services.paper import settings as paper_settings
from bot.timefmt import iso
from bot.transfer.schema import (
    FORMAT,
    FORMAT_VERSION,
    ActionDoc,
    AssuranceObligationDoc,
    AssuranceReminderDoc,
    AssuranceResultDoc,
    ClosureDoc,
    DecisionDoc,
    DigestPostDoc,
    DigestSentDoc,
    DocumentV2,
    MeetingDoc,
    NarrativeDoc,
    PersonDoc,
    PriorityDoc,
    ProjectDoc,
    ProjectEventDoc,
    RaidDoc,
    RaidRevisionDoc,
    ReminderDoc,
    RevisionDoc,
    RoleDoc,
    SeriesDoc,
    SignoffDoc,
    StrategyDoc,
    UpdateDoc,
    WorkspaceDoc,
)
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    NarrativeRevision,
    Priority,
    ProgressUpdate,
    Project,
    ProjectEvent,
    ReportSettings,
    RoleGrant,
    Signoff,
    Strategy,
    Workspace,
)
from models.registers import (
    ActionItem,
    AssuranceObligation,
    AssuranceReminder,
    AssuranceResult,
    Decision,
    RaidItem,
    RaidRevision,
)
from models.scheduling import DigestPost, DigestSent, Reminder

__all__ = ["CSV_COLUMNS", "FORMAT", "FORMAT_VERSION", "csv_rows", "gather", "spreadsheet_cell", "to_document"]

# What starts a formula in a spreadsheet (OWASP, "CSV Injection"); a tab and a carriage return as well.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T", Strategy, Project, ProgressUpdate)

CSV_COLUMNS = (
    "project_ref",
    "project_title",
    "strategy",
    "priority_code",
    "priority_name",
    "owner",
    "owner_name",
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


def gather(session: Session, ws: Workspace, *, exported_at: datetime) -> DocumentV2:
    """Read the whole of one workspace: twenty-eight SQL statements (four of them selectin loads), whatever
    its size.

    Strategies come oldest first, projects by reference, updates oldest first with their revisions
    in order, the projects' history by project reference, oldest first; roles by role and user, closures,
    meetings, reminders and digest posts by day (each in the order of its unique key, so two exports of
    the same data are the same), digests posted by hand in the order posted; people by user id; assurance
    obligations by code, their reminders by code and occurrence. Nothing from another workspace is read.
    """
    return DocumentV2.model_construct(
        format=FORMAT,
        version=FORMAT_VERSION,
        exported_at=exported_at,
        workspace=WorkspaceDoc.of(ws, team_id=ws.external_id),
        **_work_plan(session, ws),
        **_calendar(session, ws),
        **_paper(session, ws),
        people=[PersonDoc.of(p) for p in people.everyone(session, ws)],
        raid=_raid(session, ws),
        **_decisions_and_actions(session, ws),
        **_assurance(session, ws),
    )


def _assurance(session: Session, ws: Workspace) -> dict[str, Any]:
    """The assurance calendar: obligations by code (retired ones too) with their priority's strategy and code,
    results in the order recorded, reminders by code and occurrence (their unique key): three statements."""
    obligations = session.execute(
        select(AssuranceObligation, Strategy.name, Priority.code)
        .join(Priority, Priority.id == AssuranceObligation.priority_id)
        .join(Strategy, Strategy.id == Priority.strategy_id)
        .where(AssuranceObligation.workspace_id == ws.id)
    ).all()
    results = session.execute(
        select(AssuranceResult, AssuranceObligation.code)
        .join(AssuranceObligation, AssuranceObligation.id == AssuranceResult.obligation_id)
        .where(AssuranceResult.workspace_id == ws.id)
        .order_by(AssuranceResult.recorded_at, AssuranceResult.id)
    ).all()
    reminders = session.execute(
        select(AssuranceReminder, AssuranceObligation.code)
        .join(AssuranceObligation, AssuranceObligation.id == AssuranceReminder.obligation_id)
        .where(AssuranceReminder.workspace_id == ws.id)
    ).all()
    return {  # sorted here, not by SQL: the same order whichever database's collation
        "assurance_obligations": [
            AssuranceObligationDoc.of(o, strategy=name, priority_code=code)
            for o, name, code in sorted(obligations, key=lambda row: row[0].code)
        ],
        "assurance_results": [AssuranceResultDoc.of(r, obligation_code=code) for r, code in results],
        "assurance_reminders": [
            AssuranceReminderDoc.of(r, obligation_code=code)
            for r, code in sorted(reminders, key=lambda row: (row[1], row[0].occurrence))
        ],
    }


def _raid(session: Session, ws: Workspace) -> list[RaidDoc]:
    """The risks and issues, oldest first, each with its revisions in order: four statements."""
    items = session.scalars(
        select(RaidItem).where(RaidItem.workspace_id == ws.id).order_by(RaidItem.raised_at, RaidItem.id)
    ).all()
    revisions = session.scalars(
        select(RaidRevision).where(RaidRevision.workspace_id == ws.id).order_by(RaidRevision.at, RaidRevision.id)
    ).all()
    targets = session.execute(
        select(Priority.id, Strategy.name, Priority.code)
        .join(Strategy, Strategy.id == Priority.strategy_id)
        .where(Strategy.workspace_id == ws.id)
    ).all()
    refs = {
        pid: ref for pid, ref in session.execute(select(Project.id, Project.ref).where(Project.workspace_id == ws.id))
    }
    priority_of = {pid: (name, code) for pid, name, code in targets}
    of_item: dict[int, list[RaidRevisionDoc]] = {}
    for r in revisions:
        of_item.setdefault(r.item_id, []).append(RaidRevisionDoc.of(r))
    return [
        RaidDoc.of(
            i,
            project_ref=refs.get(i.project_id) if i.project_id else None,
            strategy=priority_of[i.priority_id][0] if i.priority_id else None,
            priority_code=priority_of[i.priority_id][1] if i.priority_id else None,
            revisions=of_item.get(i.id, []),
        )
        for i in items
    ]


def _decisions_and_actions(session: Session, ws: Workspace) -> dict[str, Any]:
    """The meetings' decisions and actions, each with its meeting's occurrence and its project's ref, in the
    order they were recorded: two statements."""
    decisions = session.execute(
        select(Decision, Meeting.occurrence, Project.ref)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .outerjoin(Project, Project.id == Decision.project_id)
        .where(Decision.workspace_id == ws.id)
        .order_by(Decision.recorded_at, Decision.id)
    ).all()
    actions = session.execute(
        select(ActionItem, Meeting.occurrence, Project.ref)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id)
        .order_by(ActionItem.given_at, ActionItem.id)
    ).all()
    return {
        "decisions": [DecisionDoc.of(d, meeting=day, project_ref=ref) for d, day, ref in decisions],
        "actions": [ActionDoc.of(a, meeting=day, project_ref=ref) for a, day, ref in actions],
    }


def _paper(session: Session, ws: Workspace) -> dict[str, Any]:
    """The committee paper's settings, narrative revisions and sign-offs: three statements."""
    loaded = session.get(ReportSettings, ws.id)
    narrative = session.scalars(
        select(NarrativeRevision)
        .where(NarrativeRevision.workspace_id == ws.id)
        .order_by(NarrativeRevision.period_start, NarrativeRevision.section, NarrativeRevision.number)
    ).all()
    signoffs = session.scalars(
        select(Signoff).where(Signoff.workspace_id == ws.id).order_by(Signoff.signed_at, Signoff.id)
    ).all()
    return {
        "report_settings": paper_settings.get(session, ws) if loaded is not None else None,
        "narrative": [NarrativeDoc.of(n) for n in narrative],
        "signoffs": [SignoffDoc.of(s) for s in signoffs],
    }


def _work_plan(session: Session, ws: Workspace) -> dict[str, Any]:
    """Strategies, projects, updates and the projects' history: eight statements."""
    strategies = _with_children(
        session, ws, Strategy, (Strategy.priorities, Strategy.aims), Strategy.created_at, Strategy.id
    )
    projects = _with_children(session, ws, Project, (Project.delegates,), Project.ref)
    updates = _with_children(
        session, ws, ProgressUpdate, (ProgressUpdate.revisions,), ProgressUpdate.created_at, ProgressUpdate.id
    )
    events = session.scalars(
        select(ProjectEvent).where(ProjectEvent.workspace_id == ws.id).order_by(ProjectEvent.at, ProjectEvent.id)
    ).all()
    priority_of = {p.id: (s, p) for s in strategies for p in s.priorities}
    ref_of = {p.id: p.ref for p in projects}
    return {
        "strategies": [
            StrategyDoc.of(s, priorities=[PriorityDoc.of(p) for p in s.priorities], aims=[a.text for a in s.aims])
            for s in strategies
        ],
        "projects": [_project(p, priority_of.get(p.priority_id) if p.priority_id else None) for p in projects],
        "updates": [
            UpdateDoc.of(u, project_ref=ref_of[u.project_id], revisions=[RevisionDoc.of(r) for r in u.revisions])
            for u in updates
        ],
        "history": [  # sorted here, not by SQL: the same order whichever database's collation
            ProjectEventDoc.of(e, project_ref=ref_of[e.project_id])
            for e in sorted(events, key=lambda e: ref_of[e.project_id])
        ],
    }


def _with_children(
    session: Session, ws: Workspace, model: type[T], children: tuple[Any, ...], *order: Any
) -> Sequence[T]:
    """The rows of ``model`` in ``ws``, in ``order``, with each of their ``children`` (one more statement
    for each relationship, whatever the number of rows)."""
    return session.scalars(
        select(model).where(model.workspace_id == ws.id).order_by(*order).options(*map(selectinload, children))
    ).all()


def _project(p: Project, priority_of: tuple[Strategy, Priority] | None) -> ProjectDoc:
    strategy, priority = priority_of if priority_of else (None, None)
    return ProjectDoc.of(
        p,
        strategy=strategy.name if strategy else None,
        priority_code=priority.code if priority else None,
        priority_name=priority.name if priority else None,
        delegates=list(p.delegate_ids),
    )


def _calendar(session: Session, ws: Workspace) -> dict[str, Any]:
    """Roles, the meeting series, closures, meetings, reminders, digest posts and the digests posted by hand:
    seven statements.

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
    day = {m.id: m.occurrence for m in meetings}
    reminders = sorted(
        session.scalars(select(Reminder).where(Reminder.workspace_id == ws.id)),
        key=lambda r: (day[r.meeting_id], r.stage, r.user_id),
    )
    posts = sorted(
        session.scalars(select(DigestPost).where(DigestPost.workspace_id == ws.id)), key=lambda d: day[d.meeting_id]
    )
    return {
        "roles": [RoleDoc.of(g) for g in roles],
        "meeting_series": SeriesDoc.of(series) if series is not None else None,
        "closures": [ClosureDoc.of(c) for c in closures],
        "meetings": [MeetingDoc.of(m) for m in meetings],
        "reminders": [
            ReminderDoc.of(
                r, meeting=day[r.meeting_id], project_refs=r.project_refs.split(",") if r.project_refs else []
            )
            for r in reminders
        ],
        "digest_posts": [DigestPostDoc.of(d, meeting=day[d.meeting_id]) for d in posts],
        "digests_sent": [
            DigestSentDoc.of(d)
            for d in session.scalars(
                select(DigestSent).where(DigestSent.workspace_id == ws.id).order_by(DigestSent.posted_at, DigestSent.id)
            )
        ],
    }


def to_document(export: DocumentV2) -> dict[str, Any]:
    """The export as one mapping of JSON types (str, int, bool, None, lists, dicts)."""
    return export.model_dump(mode="json")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def spreadsheet_cell(value: str) -> str:
    """A CSV cell that a spreadsheet shows as the text it is: invisible characters removed
    (:func:`bot.literal.visible`), and a ``'`` put before a cell that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return (after any spaces), which Excel, LibreOffice and Google Sheets would
    otherwise run as a formula (``=HYPERLINK(…)``): OWASP's advice against CSV injection. The ``'`` is
    what those spreadsheets themselves use to mark a cell as text."""
    value = visible(value)
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def csv_rows(export: DocumentV2) -> list[dict[str, str]]:
    """One row per update revision, projects by reference and updates oldest first.

    A project with no update gets one row whose update columns are empty. Delegates are joined
    with ``;``. Every value is a string (empty for none), keyed by :data:`CSV_COLUMNS`, and passed
    through :func:`spreadsheet_cell`, so that no cell of it runs as a formula.
    """
    return [{column: spreadsheet_cell(value) for column, value in row.items()} for row in _rows(export)]


def _rows(export: DocumentV2) -> list[dict[str, str]]:
    names = {person.user_id: person.name for person in export.people}
    by_project: dict[str, list[UpdateDoc]] = {}
    for u in export.updates:
        by_project.setdefault(u.project_ref, []).append(u)
    rows: list[dict[str, str]] = []
    for p in export.projects:
        project = _project_cells(p, names)
        project_updates = by_project.get(p.ref, [])
        if not project_updates:
            rows.append({**project, **{c: "" for c in CSV_COLUMNS if c not in project}})
        rows += [{**project, **_revision_cells(u, r)} for u in project_updates for r in u.revisions]
    return rows


def _project_cells(p: ProjectDoc, names: dict[str, str]) -> dict[str, str]:
    return {
        "project_ref": p.ref,
        "project_title": p.title,
        "strategy": p.strategy or "",
        "priority_code": p.priority_code or "",
        "priority_name": p.priority_name or "",
        "owner": p.owner,
        "owner_name": names.get(p.owner, ""),
        "delegates": ";".join(p.delegates),
        "service_area": p.service_area,
        "status": p.status.value,
        "target_date": _day(p.target_date),
        "completed_on": _day(p.completed_on),
    }


def _revision_cells(u: UpdateDoc, r: RevisionDoc) -> dict[str, str]:
    return {
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
