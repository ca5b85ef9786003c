"""Restore a workspace from its JSON export (``ictbot export``) into a database that does not hold it yet.

Two steps, so that nothing is written unless all of it can be:

- :func:`load` reads the document and checks all of it before the database is touched: that it is
  JSON, an ``ictbot-export`` of a version this code reads (1 or 2; see :mod:`bot.transfer.export`),
  every field of the right type (pydantic models, strict: no text where a number belongs), then,
  once every field is right, every reference inside it (an update's project, a project's priority in
  its strategy, a reminder's meeting; revision numbers 1..n; no key given twice). Each problem is
  reported with its JSON path, e.g.
  ``projects[3].status: 'done' is not one of planned, active, on_hold, complete, closed``.
- :func:`restore` writes it into one session (the caller's transaction): all of it or, if the
  database refuses anything, none of it. The workspace must be absent or empty. A workspace made on
  first use holds only the default strategy it was seeded with (and, once the scheduler has run, the
  meetings of the default series): those are replaced by the export's. Anything else (a project, an
  update, a granted role, a strategy loaded by hand, a meeting moved by hand, ...) means the
  workspace is in use, and the restore is refused.

Database ids are not kept (the database may hold other workspaces): update ids are given anew (the
old-to-new map is in the summary), meetings are found by their ``occurrence``. Everything else is
kept as it was: every timestamp, author, editor, revision, and the state of every reminder and digest
post, so that the restored bot does not send again what was sent. Nothing here reads the clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError, InvalidInput
from bot.services import meetings as meeting_service
from bot.services import quickform
from bot.services import strategy as strategy_service
from bot.transfer.export import CSV_COLUMNS, FORMAT, FORMAT_VERSION
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    Role,
    RoleGrant,
    Strategy,
    UpdateRevision,
    UpdateSource,
    Workspace,
)
from models.db import unstorable_text
from models.scheduling import DigestPost, Reminder, ReminderKind, ReminderStatus

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

READABLE_VERSIONS = (1, FORMAT_VERSION)
MAX_PROBLEMS = 20  # shown; the rest are counted
DEFAULT_SERIES_BY = "default"  # MeetingSeries.updated_by of a series made with the defaults (meetings.get_series)
EXPORT_HINT = "make one with `ictbot export --format json`"


class InvalidExport(DomainError):
    """The document cannot be restored. ``problems`` are ``(JSON path, what is wrong)``; the path is
    empty for a problem with the whole file."""

    def __init__(self, problems: list[tuple[str, str]], *, more: int = 0) -> None:
        lines = [f"{path}: {msg}" if path else msg for path, msg in problems]
        if more:
            lines.append(f"… and {more} more problem{'s' if more != 1 else ''}")
        super().__init__("\n".join(lines))
        self.problems = problems
        self.more = more


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


# -- the document's shape ------------------------------------------------------------------------------

# Lengths are the columns' (models/): PostgreSQL would refuse a longer value, SQLite would not; refuse
# it here on both, with the path. ``Key…`` may not be empty, ``Text…`` may.
Key8 = Annotated[str, StringConstraints(min_length=1, max_length=8)]
Key16 = Annotated[str, StringConstraints(min_length=1, max_length=16)]
Key32 = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Key64 = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Key200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Key500 = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Text32 = Annotated[str, StringConstraints(max_length=32)]
Text64 = Annotated[str, StringConstraints(max_length=64)]
Text100 = Annotated[str, StringConstraints(max_length=100)]
Text128 = Annotated[str, StringConstraints(max_length=128)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
UserId = Key64
Count = Annotated[int, Field(ge=0)]


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class WorkspaceDoc(_Shape):
    team_id: Key64
    platform: Key16
    name: Text200
    created_at: AwareDatetime
    chair_usergroup_id: Key32 | None = None  # exports before the chairs' user group lack it


class PriorityDoc(_Shape):
    position: int
    code: Key32
    name: Key200
    description: str


class StrategyDoc(_Shape):
    name: Key200
    period: Text100
    description: str
    active: bool
    created_at: AwareDatetime
    priorities: list[PriorityDoc]


class ProjectDoc(_Shape):
    ref: Key32
    title: Key200
    strategy: Text200 | None
    priority_code: Text32 | None
    priority_name: Text200 | None
    owner: UserId
    delegates: list[UserId]
    service_area: Text200
    status: ProjectStatus
    target_date: date | None
    completed_on: date | None
    created_at: AwareDatetime


class RevisionDoc(_Shape):
    number: int
    rag: Rag
    progress: str
    next_steps: str
    risks: str
    editor: UserId
    created_at: AwareDatetime


class UpdateDoc(_Shape):
    id: int
    project_ref: Key32
    author: UserId
    source: UpdateSource
    created_at: AwareDatetime
    revisions: Annotated[list[RevisionDoc], Field(min_length=1)]


class RoleDoc(_Shape):
    user_id: UserId
    role: Role
    granted_by: Text64
    created_at: AwareDatetime


class SeriesDoc(_Shape):
    rrule: Key500
    anchor: date
    local_time: time
    duration_minutes: Annotated[int, Field(ge=1)]
    timezone: Key64
    holiday_region: Key8
    channel_id: Text32 | None
    reminder_stages: Key200
    digest_stage: Key32
    updated_by: Text64
    updated_at: AwareDatetime


class ClosureDoc(_Shape):
    day: date
    reason: Text200
    created_by: Text64
    created_at: AwareDatetime


class MeetingDoc(_Shape):
    occurrence: date
    starts_at: AwareDatetime
    status: MeetingStatus
    moved: bool
    note: Text200
    revision: Count
    changed_by: Text64 | None
    updated_at: AwareDatetime


class ReminderDoc(_Shape):
    meeting: date  # the occurrence of one of the document's meetings
    user_id: UserId
    kind: ReminderKind
    stage: Key32
    status: ReminderStatus
    due_at: AwareDatetime
    attempts: Count
    claimed_by: Text128 | None
    claimed_at: AwareDatetime | None
    sent_at: AwareDatetime | None
    error: Text200
    project_refs: list[Key32]
    channel_id: Text32 | None
    message_ts: Text32 | None


class DigestPostDoc(_Shape):
    meeting: date  # the occurrence of one of the document's meetings
    channel_id: Key32
    status: ReminderStatus
    due_at: AwareDatetime
    attempts: Count
    claimed_by: Text128 | None
    claimed_at: AwareDatetime | None
    sent_at: AwareDatetime | None
    error: Text200
    message_ts: Text32 | None


class _DocumentBase(_Shape):
    format: Literal["ictbot-export"]
    exported_at: AwareDatetime
    workspace: WorkspaceDoc
    strategies: list[StrategyDoc]
    projects: list[ProjectDoc]
    updates: list[UpdateDoc]


class DocumentV1(_DocumentBase):
    """An export of format version 1: the workspace, strategies, projects and updates."""

    version: Literal[1]


class DocumentV2(_DocumentBase):
    """Version 1's sections, and the roles, the meeting calendar and the reminder and digest history."""

    version: Literal[2]
    roles: list[RoleDoc]
    meeting_series: SeriesDoc | None
    closures: list[ClosureDoc]
    meetings: list[MeetingDoc]
    reminders: list[ReminderDoc]
    digest_posts: list[DigestPostDoc]


Document = DocumentV1 | DocumentV2
_MODELS: dict[int, type[DocumentV1] | type[DocumentV2]] = {1: DocumentV1, 2: DocumentV2}


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
    _refuse(list(unstorable_text(raw)))
    try:
        document = model.model_validate_json(text)
    except ValidationError as exc:
        _refuse([(_path(e["loc"]), _describe(e)) for e in exc.errors(include_url=False)])
    _refuse(_cross_check(document))
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
        raise InvalidExport([("", f"it is {_kind(raw)}, not the JSON object an ictbot export is; {EXPORT_HINT}.")])
    if "format" not in raw:
        raise InvalidExport([("format", f"is missing, so this is not an ictbot export; {EXPORT_HINT}.")])
    if raw["format"] != FORMAT:
        raise InvalidExport([("format", f"{raw['format']!r} is not {FORMAT!r}; this is not an ictbot export.")])
    version = raw.get("version")
    readable = " or ".join(str(v) for v in READABLE_VERSIONS)
    if "version" not in raw:
        raise InvalidExport([("version", f"is missing; this ictbot reads exports of version {readable}.")])
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidExport([("version", f"must be a whole number ({readable}), not {_kind(version)}.")])
    if version not in _MODELS:
        newer = "; it was written by a newer ictbot: restore it with that version" if version > FORMAT_VERSION else ""
        raise InvalidExport([("version", f"{version} is not a version this ictbot reads ({readable}){newer}.")])
    return _MODELS[version]


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise InvalidExport(problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list [...]",
    "model_type": "an object {...}",
    "dict_type": "an object {...}",
}


def _describe(error: ErrorDetails) -> str:
    """Pydantic's error in the words of the export: what is there, and what belongs there."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field of an ictbot export"
    if kind == "enum":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{given!r} is not one of {', '.join(choices)}"
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}, not {_kind(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"must hold at least {ctx.get('min_length')} entry"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{given!r} is too small: it must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind == "timezone_aware":
        return f"{given!r} has no time zone; give it in UTC, e.g. 2026-11-24T09:30:00Z"
    if kind.startswith("datetime"):
        return f"{given!r} is not a time such as 2026-11-24T09:30:00Z"
    if kind.startswith("date"):
        return f"{given!r} is not a date such as 2026-11-24"
    if kind.startswith("time"):
        return f"{given!r} is not a time of day such as 10:00:00"
    return str(error["msg"])


class _Problems:
    """What is wrong, collected in document order."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.found.append((path, message))

    def once(self, section: str, keys: Iterable[object], what: str) -> None:
        """Each key given once in ``section``."""
        seen: dict[object, int] = {}
        for i, key in enumerate(keys):
            if key in seen:
                self.add(f"{section}[{i}]", f"{what} {_show(key)} is given twice (also at {section}[{seen[key]}])")
            else:
                seen[key] = i


def _cross_check(doc: Document) -> list[tuple[str, str]]:
    """What the shape cannot say: keys given once, references that lead somewhere, revisions 1..n."""
    problems = _Problems()
    problems.once("strategies", (s.name for s in doc.strategies), "the strategy")
    active = [s.name for s in doc.strategies if s.active]
    if len(active) > 1:
        problems.add("strategies", f"{len(active)} strategies are active ({', '.join(active)}); at most one may be")
    codes: dict[str, dict[str, PriorityDoc]] = {}
    for i, s in enumerate(doc.strategies):
        problems.once(f"strategies[{i}].priorities", (p.code for p in s.priorities), "the priority code")
        problems.once(f"strategies[{i}].priorities", (p.position for p in s.priorities), "the position")
        codes.setdefault(s.name, {p.code: p for p in s.priorities})
    problems.once("projects", (p.ref for p in doc.projects), "the project ref")
    for i, p in enumerate(doc.projects):
        _check_project(problems, f"projects[{i}]", p, codes)
    refs = {p.ref for p in doc.projects}
    problems.once("updates", (u.id for u in doc.updates), "the update id")
    for i, u in enumerate(doc.updates):
        if u.project_ref not in refs:
            problems.add(f"updates[{i}].project_ref", f"{u.project_ref!r} is not the ref of a project in the export")
        for k, r in enumerate(u.revisions):
            if r.number != k + 1:
                problems.add(
                    f"updates[{i}].revisions[{k}].number",
                    f"is {r.number} where {k + 1} belongs: revisions are numbered 1, 2, 3, … in order",
                )
            _check_text(problems, f"updates[{i}].revisions[{k}]", r)
    if isinstance(doc, DocumentV2):
        _check_calendar(problems, doc)
    return problems.found


def _check_text(problems: _Problems, at: str, revision: RevisionDoc) -> None:
    """An update's text as chat takes it (:func:`bot.services.quickform.validate`): same limits, same characters."""
    try:
        quickform.validate(revision.rag, revision.progress, revision.next_steps, revision.risks)
    except InvalidInput as exc:
        field = exc.field if exc.field in quickform.LIMITS else "progress"
        value, limit = str(getattr(revision, field)).strip(), quickform.LIMITS[field]
        if not value:
            problems.add(f"{at}.{field}", "is empty; every update says what was done")
        elif len(value) > limit:
            problems.add(f"{at}.{field}", f"is {len(value):,} characters; the limit is {limit:,}, as in chat")
        else:
            problems.add(
                f"{at}.{field}", "contains control characters, which chat refuses (tab and line breaks are fine)"
            )


def _check_project(problems: _Problems, at: str, p: ProjectDoc, codes: dict[str, dict[str, PriorityDoc]]) -> None:
    problems.once(f"{at}.delegates", p.delegates, "the delegate")
    if p.strategy is None or p.priority_code is None:
        if p.strategy is not None or p.priority_code is not None:
            problems.add(at, "strategy and priority_code go together: give both, or neither (null)")
        elif p.priority_name is not None:
            problems.add(f"{at}.priority_name", "must be null when the project has no priority")
        return
    if p.strategy not in codes:
        problems.add(f"{at}.strategy", f"{p.strategy!r} is not one of the export's strategies")
        return
    priority = codes[p.strategy].get(p.priority_code)
    if priority is None:
        held = ", ".join(codes[p.strategy]) or "none"
        problems.add(f"{at}.priority_code", f"{p.priority_code!r} is not a priority of {p.strategy!r} (it has {held})")
    elif p.priority_name is not None and p.priority_name != priority.name:
        problems.add(
            f"{at}.priority_name", f"{p.priority_name!r} is not the name of {p.priority_code} ({priority.name!r})"
        )


def _check_calendar(problems: _Problems, doc: DocumentV2) -> None:
    problems.once("roles", ((g.user_id, g.role.value) for g in doc.roles), "the role grant")
    problems.once("closures", (c.day for c in doc.closures), "the closure day")
    problems.once("meetings", (m.occurrence for m in doc.meetings), "the meeting occurrence")
    series = doc.meeting_series
    if series is None:
        if doc.meetings:
            problems.add("meeting_series", "is null, but the export has meetings: they need their series")
    else:
        _check_series(problems, series)
    occurrences = {m.occurrence for m in doc.meetings}
    named = [(f"reminders[{i}]", r.meeting) for i, r in enumerate(doc.reminders)]
    named += [(f"digest_posts[{i}]", d.meeting) for i, d in enumerate(doc.digest_posts)]
    for at, day in named:
        if day not in occurrences:
            problems.add(f"{at}.meeting", f"{day.isoformat()} is not the occurrence of a meeting in the export")
    problems.once("reminders", ((r.meeting, r.user_id, r.stage) for r in doc.reminders), "the reminder")
    for i, r in enumerate(doc.reminders):
        if any("," in ref for ref in r.project_refs):
            problems.add(f"reminders[{i}].project_refs", "a project ref cannot hold a comma")
        elif len(",".join(r.project_refs)) > 2000:
            problems.add(f"reminders[{i}].project_refs", "are longer than 2000 characters together")
    problems.once("digest_posts", (d.meeting for d in doc.digest_posts), "the digest post of the meeting of")


def _check_series(problems: _Problems, series: SeriesDoc) -> None:
    """The series as the meetings service would take it, so the restored scheduler can read it."""
    checks: list[tuple[str, Callable[[], object]]] = [
        ("rrule", lambda: meeting_service.parse_rrule(series.rrule)),
        ("timezone", lambda: meeting_service.parse_timezone(series.timezone)),
        ("reminder_stages", lambda: meeting_service.parse_reminder_stages(series.reminder_stages)),
        ("digest_stage", lambda: _one_stage(series.digest_stage)),
    ]
    for name, check in checks:
        try:
            check()
        except InvalidInput as exc:
            problems.add(f"meeting_series.{name}", exc.message.replace("`", "'"))
    if series.holiday_region not in meeting_service.REGIONS:
        choices = ", ".join(meeting_service.REGIONS)
        problems.add("meeting_series.holiday_region", f"{series.holiday_region!r} is not one of {choices}")


def _one_stage(text: str) -> None:
    if len(meeting_service.parse_reminder_stages(text)) != 1:
        raise InvalidInput("give one stage, e.g. '1@12:00'")


def _show(key: object) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(_show(k) for k in key) + ")"
    if isinstance(key, date):
        return key.isoformat()
    return repr(key)


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
        ws = Workspace(
            platform=platform, external_id=team_id, name=doc.workspace.name, created_at=doc.workspace.created_at
        )
        session.add(ws)
    else:
        _clear_seeded(session, ws, replace_calendar=isinstance(doc, DocumentV2))
        ws.name = doc.workspace.name or ws.name
        ws.created_at = doc.workspace.created_at
    ws.chair_usergroup_id = ws.chair_usergroup_id or doc.workspace.chair_usergroup_id
    try:
        session.flush()
        update_ids = _write(session, ws, doc)
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
        select(Strategy).where(Strategy.workspace_id == ws.id).options(selectinload(Strategy.priorities))
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
    )


def _write(session: Session, ws: Workspace, doc: Document) -> dict[int, int]:
    priorities: dict[tuple[str, str], Priority] = {}
    for s in doc.strategies:
        strategy = Strategy(
            workspace_id=ws.id,
            name=s.name,
            period=s.period,
            description=s.description,
            active=s.active,
            created_at=s.created_at,
        )
        strategy.priorities = [
            Priority(position=p.position, code=p.code, name=p.name, description=p.description) for p in s.priorities
        ]
        priorities.update({(s.name, p.code): p for p in strategy.priorities})
        session.add(strategy)
    session.flush()
    projects: dict[str, Project] = {}
    for p in doc.projects:
        project = Project(
            workspace_id=ws.id,
            ref=p.ref,
            title=p.title,
            priority_id=priorities[(p.strategy, p.priority_code)].id if p.strategy and p.priority_code else None,
            owner_user_id=p.owner,
            service_area=p.service_area,
            status=p.status,
            target_date=p.target_date,
            completed_on=p.completed_on,
            created_at=p.created_at,
        )
        project.delegates = [ProjectDelegate(user_id=d) for d in p.delegates]
        projects[p.ref] = project
        session.add(project)
    session.flush()
    written: list[tuple[int, ProgressUpdate]] = []
    for u in doc.updates:
        update = ProgressUpdate(
            workspace_id=ws.id,
            project_id=projects[u.project_ref].id,
            author_user_id=u.author,
            source=u.source,
            created_at=u.created_at,
        )
        update.revisions = [
            UpdateRevision(
                number=r.number,
                rag=r.rag,
                progress=r.progress,
                next_steps=r.next_steps,
                risks=r.risks,
                editor_user_id=r.editor,
                created_at=r.created_at,
            )
            for r in u.revisions
        ]
        written.append((u.id, update))
        session.add(update)
    session.flush()
    if isinstance(doc, DocumentV2):
        _write_calendar(session, ws, doc)
    return {old: update.id for old, update in written}


def _write_calendar(session: Session, ws: Workspace, doc: DocumentV2) -> None:
    session.add_all(
        RoleGrant(workspace_id=ws.id, user_id=g.user_id, role=g.role, granted_by=g.granted_by, created_at=g.created_at)
        for g in doc.roles
    )
    if doc.meeting_series is not None:
        s = doc.meeting_series
        session.add(
            MeetingSeries(
                workspace_id=ws.id,
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
        )
    session.add_all(
        ClosureDay(workspace_id=ws.id, day=c.day, reason=c.reason, created_by=c.created_by, created_at=c.created_at)
        for c in doc.closures
    )
    meetings = {
        m.occurrence: Meeting(
            workspace_id=ws.id,
            occurrence=m.occurrence,
            starts_at=m.starts_at,
            status=m.status,
            moved=m.moved,
            note=m.note,
            revision=m.revision,
            changed_by=m.changed_by,
            updated_at=m.updated_at,
        )
        for m in doc.meetings
    }
    session.add_all(meetings.values())
    session.flush()
    session.add_all(
        Reminder(
            workspace_id=ws.id,
            meeting_id=meetings[r.meeting].id,
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
            project_refs=",".join(r.project_refs),
            channel_id=r.channel_id,
            message_ts=r.message_ts,
        )
        for r in doc.reminders
    )
    session.add_all(
        DigestPost(
            workspace_id=ws.id,
            meeting_id=meetings[d.meeting].id,
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
        for d in doc.digest_posts
    )
    session.flush()
