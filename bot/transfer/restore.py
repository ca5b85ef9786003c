"""Restore a workspace from its JSON export (``ictbot export``) into a database that does not hold it yet.

:func:`load` checks all of the document before the database is touched (JSON, a version this code
reads, every field's type and length, every reference; :mod:`bot.transfer.checks`). :func:`restore`
writes it into the caller's transaction: all of it or none. The workspace must be absent, or hold only
what was made for it automatically (the default strategy and calendar), which the export's replaces.
Database ids are given anew (the summary maps the updates' old ids to new); everything else is kept as
it was, reminder and digest history included, so the restored bot does not send again what was sent.
A project whose export carries no history (written before there was one) gets the starting point
migration 0010 gives: created at its created_at with its status, via backfill. Nothing reads the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError
from bot.services import search
from bot.services import strategy as strategy_service
from bot.services.paper import settings as paper_settings
from bot.transfer.checks import MAX_PROBLEMS, InvalidExport, cross_check, kind_of, refuse, shape_problems
from bot.transfer.export import CSV_COLUMNS
from bot.transfer.schema import (
    DOCUMENTS,
    FORMAT,
    FORMAT_VERSION,
    ActionDoc,
    AssuranceReminderDoc,
    AssuranceResultDoc,
    DecisionDoc,
    Document,
    DocumentV1,
    DocumentV2,
)
from models import (
    ChangeVia,
    ClosureDay,
    Meeting,
    MeetingSeries,
    NarrativeRevision,
    Person,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectEvent,
    ProjectField,
    ReportSettings,
    RoleGrant,
    Signoff,
    Strategy,
    StrategyAim,
    UpdateRevision,
    Workspace,
)
from models.db import unstorable_text
from models.entities import MeetingStatus
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

__all__ = [
    "MAX_PROBLEMS",
    "READABLE_VERSIONS",
    "Document",
    "DocumentV1",
    "DocumentV2",
    "InvalidExport",
    "RestoreSummary",
    "WorkspaceInUse",
    "load",
    "restore",
]

READABLE_VERSIONS = tuple(DOCUMENTS)
DEFAULT_SERIES_BY = "default"  # MeetingSeries.updated_by of a series made with the defaults (meetings.get_series)
EXPORT_HINT = "make one with `ictbot export --format json`"


class WorkspaceInUse(DomainError):
    """The target workspace already holds data: a restore would mix two histories."""

    def __init__(self, team_id: str, holds: list[str]) -> None:
        super().__init__(
            f"Workspace {team_id} already holds data in this database ({', '.join(holds)}); "
            "`ictbot import` restores only into a database that does not hold that workspace yet, or holds "
            "it empty. Nothing was imported. Use a new database, or restore under another team ID with --team."
        )
        self.team_id = team_id
        self.holds = holds


# -- reading and checking ------------------------------------------------------------------------------


def load(data: bytes | str) -> Document:
    """The export in ``data``, checked through; raises :class:`InvalidExport` naming what is wrong."""
    text = _decode(data)
    if not text.strip():
        raise InvalidExport([("", f"it is empty; {EXPORT_HINT}.")])
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        if _looks_like_csv(text):
            raise InvalidExport(
                [("", f"it is CSV, and `ictbot import` reads only the JSON export; {EXPORT_HINT}.")]
            ) from None
        raise InvalidExport(
            [("", f"it is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")]
        ) from None
    model = _model_for(raw)
    refuse(list(unstorable_text(raw)))
    try:
        document = model.model_validate_json(text)
    except ValidationError as exc:
        refuse(shape_problems(exc))
    refuse(cross_check(document))
    return document


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidExport([("", f"it is not UTF-8 text, so it is not an ictbot export; {EXPORT_HINT}.")]) from None


def _looks_like_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0].strip()
    if first.startswith(",".join(CSV_COLUMNS[:3])):
        return True
    return "," in first and not first.startswith(("{", "[", '"'))


def _model_for(raw: object) -> type[DocumentV1] | type[DocumentV2]:
    """The model of the document's version, after checking that it is an ictbot export at all."""
    if not isinstance(raw, dict):
        raise InvalidExport([("", f"it is {kind_of(raw)}, not the JSON object an ictbot export is; {EXPORT_HINT}.")])
    if "format" not in raw:
        raise InvalidExport([("format", f"is missing, so this is not an ictbot export; {EXPORT_HINT}.")])
    if raw["format"] != FORMAT:
        raise InvalidExport([("format", f"{raw['format']!r} is not {FORMAT!r}; this is not an ictbot export.")])
    version = raw.get("version")
    readable = " or ".join(str(v) for v in READABLE_VERSIONS)
    if "version" not in raw:
        raise InvalidExport([("version", f"is missing; this ictbot reads exports of version {readable}.")])
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidExport([("version", f"must be a whole number ({readable}), not {kind_of(version)}.")])
    if version not in DOCUMENTS:
        newer = "; it was written by a newer ictbot: restore it with that version" if version > FORMAT_VERSION else ""
        raise InvalidExport([("version", f"{version} is not a version this ictbot reads ({readable}){newer}.")])
    return DOCUMENTS[version]


# -- writing -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    """What was restored. ``update_ids`` maps the export's update ids to the new ones."""

    team_id: str
    platform: str
    version: int
    created_workspace: bool
    strategies: int
    projects: int
    updates: int
    revisions: int
    roles: int
    meeting_series: bool
    closures: int
    meetings: int
    reminders: int
    digest_posts: int
    update_ids: Mapping[int, int]


def restore(session: Session, doc: Document, *, team: str | None = None) -> RestoreSummary:
    """Write ``doc`` (from :func:`load`) into the session's transaction, under ``team`` if given (a
    move to another team ID) or else the export's own. Raises :class:`WorkspaceInUse` when that
    workspace holds data already; the caller's rollback then leaves the database as it was."""
    team_id = team or doc.workspace.team_id
    platform = doc.workspace.platform
    ws = session.scalar(
        select(Workspace)
        .where(Workspace.platform == platform, Workspace.external_id == team_id)
        .with_for_update()  # a second restore of the same team waits here, then finds it in use
    )
    created = ws is None
    if ws is None:
        ws = doc.workspace.row(Workspace, external_id=team_id)
        session.add(ws)
    else:
        _clear_seeded(session, ws, replace_calendar=isinstance(doc, DocumentV2))
        ws.name = doc.workspace.name or ws.name
        ws.created_at = doc.workspace.created_at
    ws.chair_usergroup_id = ws.chair_usergroup_id or doc.workspace.chair_usergroup_id
    try:
        session.flush()
        update_ids = _write(session, ws, doc)
        search.catch_up(session)  # SQLite: the restored text indexed now, not by the first search after it
    except IntegrityError as exc:  # only a concurrent writer gets past the checks above
        raise DomainError(
            f"The database refused the restore of workspace {team_id} ({type(exc.orig).__name__}); "
            "was something else writing to it at the same time? Nothing was imported."
        ) from None
    v2 = doc if isinstance(doc, DocumentV2) else None
    return RestoreSummary(
        team_id=team_id,
        platform=platform,
        version=doc.version,
        created_workspace=created,
        strategies=len(doc.strategies),
        projects=len(doc.projects),
        updates=len(doc.updates),
        revisions=sum(len(u.revisions) for u in doc.updates),
        roles=len(v2.roles) if v2 else 0,
        meeting_series=bool(v2 and v2.meeting_series),
        closures=len(v2.closures) if v2 else 0,
        meetings=len(v2.meetings) if v2 else 0,
        reminders=len(v2.reminders) if v2 else 0,
        digest_posts=len(v2.digest_posts) if v2 else 0,
        update_ids=update_ids,
    )


def _count(session: Session, model: Any, ws: Workspace, *where: Any) -> int:
    stmt = select(func.count()).select_from(model).where(model.workspace_id == ws.id, *where)
    return int(session.scalar(stmt) or 0)


def _clear_seeded(session: Session, ws: Workspace, *, replace_calendar: bool) -> None:
    """Make way in a workspace that exists but is empty: remove what was made for it automatically
    (the default strategy; with ``replace_calendar``, the default series and its meetings), or
    raise :class:`WorkspaceInUse` saying what it holds."""
    strategies = session.scalars(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id)
        .options(selectinload(Strategy.priorities), selectinload(Strategy.aims))
    ).all()
    seeded = [s for s in strategies if _is_default(s)][:1]
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    by_hand = _count(
        session,
        Meeting,
        ws,
        Meeting.changed_by.is_not(None) | Meeting.moved.is_(True) | (Meeting.status == MeetingStatus.CANCELLED),
    )
    meetings = _count(session, Meeting, ws)
    counts = (
        (_count(session, Project, ws), "project", "projects"),
        (_count(session, ProgressUpdate, ws), "update", "updates"),
        (len(strategies) - len(seeded), "strategy besides the default", "strategies besides the default"),
        (_count(session, RoleGrant, ws), "granted role", "granted roles"),
        (_count(session, ClosureDay, ws), "closure day", "closure days"),
        (by_hand, "meeting changed by hand", "meetings changed by hand"),
        (_count(session, Reminder, ws), "reminder", "reminders"),
        (_count(session, DigestPost, ws), "digest post", "digest posts"),
        (_count(session, DigestSent, ws), "digest posted by hand", "digests posted by hand"),
        (_count(session, NarrativeRevision, ws), "narrative revision", "narrative revisions"),
        (_count(session, Signoff, ws), "sign-off", "sign-offs"),
        (_count(session, Decision, ws), "decision", "decisions"),
        (_count(session, ActionItem, ws), "action", "actions"),
        (_count(session, ReportSettings, ws), "report settings file", "report settings files"),
        (_count(session, RaidItem, ws), "risk or issue", "risks and issues"),
        (_count(session, AssuranceObligation, ws), "assurance obligation", "assurance obligations"),
        (_count(session, AssuranceResult, ws), "assurance result", "assurance results"),
    )
    holds = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    if series is not None and series.updated_by != DEFAULT_SERIES_BY:
        holds.append(f"a meeting series set by {series.updated_by}")
    if holds:
        raise WorkspaceInUse(ws.external_id, holds)
    for s in seeded:
        session.delete(s)
    if replace_calendar and series is not None:
        if meetings:
            session.execute(delete(Meeting).where(Meeting.workspace_id == ws.id))
        session.delete(series)
    session.flush()  # before the export's strategy of the same name is added


def _is_default(s: Strategy) -> bool:
    """The strategy a new workspace is seeded with (workspaces.get_or_create), as it was seeded."""
    data = strategy_service.default_strategy_data()
    expected = [
        (i, str(p["code"]).upper(), str(p["name"]).strip(), str(p.get("description") or "").strip())
        for i, p in enumerate(data["priorities"], start=1)
    ]
    return (
        s.name == str(data["name"]).strip()
        and s.period == str(data.get("period") or "")
        and s.description == str(data.get("description") or "").strip()
        and [(p.position, p.code, p.name, p.description) for p in s.priorities] == expected
        and [a.text for a in s.aims] == [aim.strip() for aim in strategy_service.aims_of(data)]
    )


def _write(session: Session, ws: Workspace, doc: Document) -> dict[int, int]:
    """The document's rows, in the order of their references; the export's update ids mapped to the new."""
    mine = {"workspace_id": ws.id}
    priorities: dict[tuple[str, str], Priority] = {}
    for s in doc.strategies:
        strategy = s.row(
            Strategy,
            **mine,
            priorities=[p.row(Priority) for p in s.priorities],
            aims=[StrategyAim(position=i, text=aim) for i, aim in enumerate(s.aims, start=1)],
        )
        priorities.update({(s.name, p.code): p for p in strategy.priorities})
        session.add(strategy)
    session.flush()
    projects = {
        p.ref: p.row(
            Project,
            **mine,
            priority_id=priorities[(p.strategy, p.priority_code)].id if p.strategy and p.priority_code else None,
            delegates=[ProjectDelegate(user_id=d) for d in p.delegates],
        )
        for p in doc.projects
    }
    session.add_all(projects.values())
    session.flush()
    _write_history(session, ws, doc, projects)
    updates = {
        u.id: u.row(
            ProgressUpdate,
            **mine,
            project_id=projects[u.project_ref].id,
            revisions=[r.row(UpdateRevision) for r in u.revisions],
        )
        for u in doc.updates
    }
    session.add_all(updates.values())
    session.flush()
    if isinstance(doc, DocumentV2):
        _write_calendar(session, ws, doc)
        _write_raid(session, ws, doc, projects, priorities)
        _write_assurance(session, ws, doc, priorities)
    return {old: update.id for old, update in updates.items()}


def _write_history(session: Session, ws: Workspace, doc: Document, projects: Mapping[str, Project]) -> None:
    """The projects' history as the document has it, after a backfilled start for each project it has none for."""
    history = doc.history if isinstance(doc, DocumentV2) else []
    known = {e.project_ref for e in history if e.field is ProjectField.CREATED}
    session.add_all(
        ProjectEvent(
            workspace_id=ws.id,
            project_id=p.id,
            at=p.created_at,
            actor="",
            via=ChangeVia.BACKFILL,
            field=ProjectField.CREATED,
            old="",
            new=p.status.value,
        )
        for ref, p in projects.items()
        if ref not in known
    )
    session.add_all(e.row(ProjectEvent, workspace_id=ws.id, project_id=projects[e.project_ref].id) for e in history)
    session.flush()


def _write_raid(
    session: Session,
    ws: Workspace,
    doc: DocumentV2,
    projects: Mapping[str, Project],
    priorities: Mapping[tuple[str, str], Priority],
) -> None:
    """The risks and issues, each with its revisions, on the projects and priorities just written."""
    for r in doc.raid:
        item = r.row(
            RaidItem,
            workspace_id=ws.id,
            project_id=projects[r.project_ref].id if r.project_ref else None,
            priority_id=priorities[(r.strategy, r.priority_code)].id if r.strategy and r.priority_code else None,
        )
        session.add(item)
        session.flush()
        session.add_all(v.row(RaidRevision, workspace_id=ws.id, item_id=item.id) for v in r.revisions)
    session.flush()


def _write_assurance(
    session: Session, ws: Workspace, doc: DocumentV2, priorities: Mapping[tuple[str, str], Priority]
) -> None:
    """The assurance obligations on the priorities just written, then their results and reminders."""
    obligations = {
        o.code: o.row(AssuranceObligation, workspace_id=ws.id, priority_id=priorities[(o.strategy, o.priority_code)].id)
        for o in doc.assurance_obligations
    }
    session.add_all(obligations.values())
    session.flush()

    def of(d: AssuranceResultDoc | AssuranceReminderDoc) -> dict[str, Any]:
        return {"workspace_id": ws.id, "obligation_id": obligations[d.obligation_code].id}

    session.add_all(r.row(AssuranceResult, **of(r)) for r in doc.assurance_results)
    session.add_all(r.row(AssuranceReminder, **of(r)) for r in doc.assurance_reminders)
    session.flush()


def _write_calendar(session: Session, ws: Workspace, doc: DocumentV2) -> None:
    mine = {"workspace_id": ws.id}
    session.add_all(g.row(RoleGrant, **mine) for g in doc.roles)
    if doc.meeting_series is not None:
        session.add(doc.meeting_series.row(MeetingSeries, **mine))
    session.add_all(c.row(ClosureDay, **mine) for c in doc.closures)
    meetings = {m.occurrence: m.row(Meeting, **mine) for m in doc.meetings}
    session.add_all(meetings.values())
    session.flush()
    session.add_all(
        r.row(Reminder, **mine, meeting_id=meetings[r.meeting].id, project_refs=",".join(r.project_refs))
        for r in doc.reminders
    )
    session.add_all(d.row(DigestPost, **mine, meeting_id=meetings[d.meeting].id) for d in doc.digest_posts)
    session.add_all(d.row(DigestSent, **mine) for d in doc.digests_sent)
    if doc.report_settings is not None:
        paper_settings.load(session, ws, doc.report_settings, now=doc.exported_at)
    session.add_all(n.row(NarrativeRevision, **mine) for n in doc.narrative)
    session.add_all(s.row(Signoff, **mine) for s in doc.signoffs)
    # The directory is what the platform said: the export's names replace any the workspace got meanwhile.
    session.execute(delete(Person).where(Person.workspace_id == ws.id))
    session.add_all(p.row(Person, **mine) for p in doc.people)
    _write_decisions_and_actions(session, ws, doc, meetings)
    session.flush()


def _write_decisions_and_actions(
    session: Session, ws: Workspace, doc: DocumentV2, meetings: Mapping[date, Meeting]
) -> None:
    """The meetings' decisions and actions, given new ids (the database's), on the restored meetings and projects."""
    rows = session.execute(select(Project.ref, Project.id).where(Project.workspace_id == ws.id)).all()
    project_ids: dict[str, int] = {ref: pid for ref, pid in rows}

    def placed(d: DecisionDoc | ActionDoc) -> dict[str, Any]:
        project = project_ids[d.project_ref] if d.project_ref is not None else None
        return {"workspace_id": ws.id, "meeting_id": meetings[d.meeting].id, "project_id": project}

    session.add_all(d.row(Decision, **placed(d)) for d in doc.decisions)
    session.add_all(a.row(ActionItem, **placed(a)) for a in doc.actions)
