"""The ICT Work Plan: projects, their owners and delegates, and the all-or-nothing CSV import.

Every change of a project's status, owner, delegates, target date, title or priority is recorded in its
history (:mod:`bot.services.history`) in the same transaction, with who made it (``actor``) and how (``via``).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Subquery, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.errors import DomainError, ImportFailed, InvalidInput, UnknownProject
from bot.services import history
from bot.services import people as people_service
from bot.services import strategy as strategy_service
from bot.wording import Text
from models import (
    ChangeVia,
    Person,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    Strategy,
    UpdateRevision,
    Workspace,
)
from models.db import column_length

REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# A Teams person: their Entra ID (AAD) object id, a GUID, stored in lower case.
TEAMS_USER_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
USER_IDS = {"slack": (USER_ID, "a Slack user ID (U…)"), "teams": (TEAMS_USER_ID, "a Teams user's object ID (a GUID)")}
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_TITLE = 200
REQUIRED_COLUMNS = ("ref", "title", "priority", "owner")
OPTIONAL_COLUMNS = ("delegates", "service_area", "status", "target_date", "owner_name")
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


MAX_USER_ID = column_length(ProjectDelegate.user_id)  # and Project.owner_user_id
MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321's 256-character path, less its <>)
# The most each cell of a Work Plan CSV may hold: what its column holds, so PostgreSQL never refuses
# what SQLite would have taken. Owner and delegates are checked person by person.
CELL_LIMITS = {
    "ref": column_length(Project.ref),
    "title": column_length(Project.title),
    "priority": column_length(Priority.name),  # a priority's code or its name
    "owner": MAX_EMAIL,
    "service_area": column_length(Project.service_area),
    "status": column_length(Project.status),
    "target_date": len("2027-03-31"),
    "owner_name": column_length(Person.name),
}
SHOWN = 40  # characters of a refused value repeated in its message


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    ref: str
    title: str
    priority_code: str | None
    priority_name: str | None
    priority_position: int | None
    owner: str
    delegates: tuple[str, ...]
    service_area: str
    status: ProjectStatus
    target_date: date | None
    completed_on: date | None
    last_update_at: datetime | None
    last_rag: Rag | None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int
    updated: int


def normalise_ref(ref: str) -> str:
    return ref.strip().upper()


def suggestions(session: Session, ws: Workspace, ref: str, limit: int = 3) -> list[str]:
    refs = list(session.scalars(select(Project.ref).where(Project.workspace_id == ws.id)))
    key = normalise_ref(ref)
    close = difflib.get_close_matches(key, refs, n=limit, cutoff=0.7)
    # A ref typed without its number ("NET") should still find NET-01, NET-02.
    prefix = [r for r in sorted(refs) if r.startswith(key) and r not in close]
    return (close + prefix)[:limit]


# One statement for a project with its delegates and priority, built once: every update looks a project up.
_WITH_DELEGATES = (joinedload(Project.delegates), joinedload(Project.priority))
_REF = select(Project).where(Project.workspace_id == bindparam("ws"), Project.ref == bindparam("ref"))
_BY_REF = _REF.options(*_WITH_DELEGATES)
# What an update needs of its project (who may post it, whether it still takes updates): its delegates,
# not its priority. Every update looks its project up this way.
_FOR_UPDATE = _REF.options(joinedload(Project.delegates))
_BY_ID = select(Project).where(Project.workspace_id == bindparam("ws"), Project.id == bindparam("id"))
_BY_ID = _BY_ID.options(*_WITH_DELEGATES)


def get(session: Session, ws: Workspace, ref: str) -> Project:
    return _by_ref(session, ws, ref, _BY_REF)


def for_update(session: Session, ws: Workspace, ref: str) -> Project:
    """:func:`get` for posting an update: the project with its delegates (its priority loads if read)."""
    return _by_ref(session, ws, ref, _FOR_UPDATE)


def _by_ref(session: Session, ws: Workspace, ref: str, statement: Select[Project]) -> Project:
    project = session.execute(statement, {"ws": ws.id, "ref": normalise_ref(ref)}).unique().scalar_one_or_none()
    if project is None:
        raise UnknownProject(normalise_ref(ref), suggestions(session, ws, ref))
    return project


def get_by_id(session: Session, ws: Workspace, project_id: int) -> Project:
    project = session.execute(_BY_ID, {"ws": ws.id, "id": project_id}).unique().scalar_one_or_none()
    if project is None:
        raise DomainError("That project is no longer in the Work Plan; pick another.", field="project")
    return project


def exists(session: Session, ws: Workspace, ref: str) -> bool:
    return bool(
        session.scalar(select(Project.id).where(Project.workspace_id == ws.id, Project.ref == normalise_ref(ref)))
    )


def list_projects(
    session: Session, ws: Workspace, *, include_closed: bool = False, user_id: str | None = None
) -> list[ProjectView]:
    """Projects in priority order, with when each was last updated and its latest RAG.

    ``user_id`` keeps only the projects that user owns or is a delegate on.
    """
    latest, current = latest_updates(ws)
    stmt = (
        select(Project, ProgressUpdate.created_at, UpdateRevision.rag)
        .outerjoin(latest, latest.c.project_id == Project.id)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == latest.c.update_id)
        .outerjoin(current, current.c.update_id == ProgressUpdate.id)
        .outerjoin(
            UpdateRevision,
            (UpdateRevision.update_id == current.c.update_id) & (UpdateRevision.number == current.c.number),
        )
        .outerjoin(Priority, Priority.id == Project.priority_id)
        .where(Project.workspace_id == ws.id)
        .options(selectinload(Project.delegates), selectinload(Project.priority))
        .order_by(Priority.position.is_(None), Priority.position, Project.ref)
    )
    if not include_closed:
        stmt = stmt.where(Project.status.in_(OPEN_STATUSES))
    if user_id is not None:
        delegated = select(ProjectDelegate.project_id).where(ProjectDelegate.user_id == user_id)
        stmt = stmt.where((Project.owner_user_id == user_id) | Project.id.in_(delegated))
    return [_view(p, last_at, rag) for p, last_at, rag in session.execute(stmt)]


def latest_updates(ws: Workspace, project_ids: Sequence[int] | None = None) -> tuple[Subquery, Subquery]:
    """Subqueries to join for each project's latest update: ``latest`` (project_id, update_id: the latest
    update by id) and ``current`` (update_id, number: that update's current revision). ``project_ids``
    limits them to those projects (None: every project of the workspace)."""
    by_project = select(ProgressUpdate.project_id, func.max(ProgressUpdate.id).label("update_id")).where(
        ProgressUpdate.workspace_id == ws.id
    )
    if project_ids is not None:
        by_project = by_project.where(ProgressUpdate.project_id.in_(project_ids))
    latest = by_project.group_by(ProgressUpdate.project_id).subquery()
    current = (
        select(UpdateRevision.update_id, func.max(UpdateRevision.number).label("number"))
        .join(latest, latest.c.update_id == UpdateRevision.update_id)
        .group_by(UpdateRevision.update_id)
        .subquery()
    )
    return latest, current


def group_by_priority(views: Iterable[ProjectView]) -> list[tuple[str, list[ProjectView]]]:
    """Projects grouped under their priority's name, keeping the order given; none dropped."""
    groups: dict[str, list[ProjectView]] = {}
    for v in views:
        groups.setdefault(v.priority_name or "No priority", []).append(v)
    return list(groups.items())


def _view(p: Project, last_at: datetime | None, rag: Rag | None) -> ProjectView:
    return ProjectView(
        id=p.id,
        ref=p.ref,
        title=p.title,
        priority_code=p.priority.code if p.priority else None,
        priority_name=p.priority.name if p.priority else None,
        priority_position=p.priority.position if p.priority else None,
        owner=p.owner_user_id,
        delegates=tuple(p.delegate_ids),
        service_area=p.service_area,
        status=p.status,
        target_date=p.target_date,
        completed_on=p.completed_on,
        last_update_at=last_at,
        last_rag=rag,
    )


def add(
    session: Session,
    ws: Workspace,
    *,
    ref: str,
    title: str,
    priority: str,
    owner: str,
    delegates: Iterable[str] = (),
    service_area: str = "",
    status: ProjectStatus = ProjectStatus.ACTIVE,
    target_date: date | None = None,
    now: datetime,
    actor: str = "",
    via: ChangeVia = ChangeVia.CHAT,
) -> Project:
    ref = normalise_ref(ref)
    if not REF.match(ref):
        raise InvalidInput(
            Text("`{typed}` is not a project reference: use letters, digits, - . or _ (e.g. NET-01).", typed=ref)
        )
    if exists(session, ws, ref):
        raise InvalidInput(Text("There is already a project `{ref}`; pick another reference.", ref=ref))
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"A project needs a title of 1 to {MAX_TITLE} characters.")
    prio = strategy_service.active_priority(session, ws, priority)
    if prio is None:
        strategy = strategy_service.active(session, ws)  # says when there is none
        raise InvalidInput(
            Text(
                "`{typed}` is not a priority of {strategy}. Use one of: {choices}.",
                typed=priority,
                strategy=strategy.name,
                choices=strategy_service.priority_choices(strategy),
            )
        )
    project = Project(
        workspace_id=ws.id,
        ref=ref,
        title=title,
        priority_id=prio.id,
        owner_user_id=owner,
        service_area=service_area,
        status=status,
        target_date=target_date,
        created_at=now,
    )
    project.delegates = [ProjectDelegate(user_id=d) for d in dict.fromkeys(delegates) if d != owner]
    session.add(project)
    history.created(session, project, at=now, actor=actor, via=via)
    session.flush()
    return project


def reassign(
    session: Session,
    ws: Workspace,
    ref: str,
    new_owner: str,
    *,
    now: datetime,
    actor: str = "",
    via: ChangeVia = ChangeVia.CHAT,
) -> tuple[Project, str]:
    """Give a project a new owner (no longer one of its delegates); returns the project and its previous owner."""
    project = get(session, ws, ref)
    before = history.snapshot(session, project)
    previous = project.owner_user_id
    project.owner_user_id = new_owner
    project.delegates = [d for d in project.delegates if d.user_id != new_owner]
    history.record(session, project, before, at=now, actor=actor, via=via)
    session.flush()
    return project, previous


def set_status(
    session: Session,
    ws: Workspace,
    ref: str,
    status: ProjectStatus,
    *,
    now: datetime,
    tz: ZoneInfo,
    actor: str = "",
    via: ChangeVia = ChangeVia.CHAT,
) -> Project:
    project = get(session, ws, ref)
    if project.status is status:
        raise InvalidInput(Text("`{ref}` is already " + status.value.replace("_", " ") + ".", ref=project.ref))
    before = history.snapshot(session, project)
    project.status = status
    project.completed_on = now.astimezone(tz).date() if status is ProjectStatus.COMPLETE else None
    history.record(session, project, before, at=now, actor=actor, via=via)
    session.flush()
    return project


def reopen(
    session: Session, ws: Workspace, ref: str, *, now: datetime, actor: str = "", via: ChangeVia = ChangeVia.CHAT
) -> Project:
    """A complete or closed project made active again, so that it takes updates (and is chased for them)."""
    project = get(session, ws, ref)
    if project.status in OPEN_STATUSES:
        raise InvalidInput(
            f"`{project.ref}` is {project.status.value.replace('_', ' ')}, not complete or closed: "
            "it takes updates already."
        )
    before = history.snapshot(session, project)
    project.status = ProjectStatus.ACTIVE
    project.completed_on = None
    history.record(session, project, before, at=now, actor=actor, via=via)
    session.flush()
    return project


def parse_status(value: str) -> ProjectStatus:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return ProjectStatus(key)
    except ValueError:
        choices = ", ".join(s.value for s in ProjectStatus)
        raise InvalidInput(Text("`{typed}` is not a status; use one of " + choices + ".", typed=value)) from None


EmailResolver = Callable[[list[str]], dict[str, str | None]]


def import_csv(
    session: Session,
    ws: Workspace,
    text: str,
    *,
    resolve_emails: EmailResolver | None,
    now: datetime,
    actor: str = "",
) -> ImportSummary:
    """Import a Work Plan CSV: every row is checked first, and nothing is written if any is wrong.

    A row whose ref already exists updates that project; otherwise a project is created. Each change is
    recorded in the project's history, via import, by ``actor`` (empty: no one in particular); a row that
    changes nothing records nothing. ``resolve_emails`` maps e-mail addresses to Slack user IDs (None
    for an unknown address).
    """
    with _csv_fields_unlimited():
        try:
            return _import_rows(session, ws, text, resolve_emails=resolve_emails, now=now, actor=actor)
        except csv.Error as exc:  # the csv module's own refusal (its field limit is lifted above)
            raise ImportFailed([(0, f"the file cannot be read as CSV ({exc})")]) from None


def _import_rows(
    session: Session, ws: Workspace, text: str, *, resolve_emails: EmailResolver | None, now: datetime, actor: str
) -> ImportSummary:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    reader.fieldnames = _checked_header(reader.fieldnames or [])
    strategy = strategy_service.active(session, ws)
    problems: list[tuple[int, str]] = []
    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    emails: set[str] = set()
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append((line, "this row has more fields than the header"))
            continue
        cells = {k: (v or "").strip() for k, v in record.items()}
        if not any(cells.values()):
            continue
        errors = _cell_problems(cells)
        if errors:  # nothing else is said of a cell the database could not hold
            problems.extend((line, e) for e in errors)
            continue
        row = _parse_row(cells, line, ws, strategy, seen, emails)
        if isinstance(row, _Row):
            parsed.append(row)
        else:
            problems.extend((line, e) for e in row)
    if not problems and not parsed:
        problems.append((2, "the file has a header but no projects"))
    return _write_rows(session, ws, parsed, problems, emails, resolve_emails=resolve_emails, now=now, actor=actor)


def _checked_header(fieldnames: Sequence[str]) -> list[str]:
    """The header's column names, tidied; ImportFailed when a column is missing or unknown."""
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFailed(
            [
                (
                    1,
                    f"the header row lacks the column(s) {', '.join(missing)}; "
                    f"expected {','.join(REQUIRED_COLUMNS)} and optionally "
                    f"{','.join(OPTIONAL_COLUMNS)}",
                )
            ]
        )
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise ImportFailed([(1, f"unknown column(s) {', '.join(repr(_shown(h)) for h in unknown)}")])
    return header


def _parse_row(
    cells: dict[str, str], line: int, ws: Workspace, strategy: Strategy, seen: dict[str, int], emails: set[str]
) -> _Row | list[str]:
    """One row's project, or what is wrong with it. ``seen`` (refs by line) and ``emails`` (the addresses to
    look up) collect across the rows."""
    errors: list[str] = []
    ref = normalise_ref(cells["ref"])
    if not REF.match(ref):
        errors.append(f"ref {cells['ref']!r} is not a project reference (letters, digits, - . _; e.g. NET-01)")
    elif ref in seen:
        errors.append(f"ref {ref} is already on line {seen[ref]}")
    else:
        seen[ref] = line
    if not cells["title"] or len(cells["title"]) > MAX_TITLE:
        errors.append(f"title must be 1 to {MAX_TITLE} characters")
    prio = strategy_service.find_priority(strategy, cells["priority"]) if cells["priority"] else None
    if prio is None:
        errors.append(
            f"priority {_shown(cells['priority'])!r} is not a code or name of {strategy.name} "
            f"({', '.join(p.code for p in strategy.priorities)})"
        )
    people = _people(cells, ws.platform, emails, errors)
    status = _status(cells, errors)
    target = _target_date(cells, errors)
    if errors:
        return errors
    assert prio is not None
    return _Row(
        line=line,
        ref=ref,
        title=cells["title"],
        priority_id=prio.id,
        people=people,
        service_area=cells.get("service_area", ""),
        status=status,
        target_date=target,
        owner_name=cells.get("owner_name", ""),
    )


def _people(cells: dict[str, str], platform: str, emails: set[str], errors: list[str]) -> list[str]:
    """The owner, then the delegates (Teams ids in lower case); their e-mail addresses go into ``emails``, what
    is wrong with them into ``errors``."""
    people = [cells["owner"], *_split_people(cells.get("delegates", ""))]
    user_id, what = USER_IDS.get(platform, USER_IDS["slack"])
    if user_id is TEAMS_USER_ID:
        people = [p.lower() if TEAMS_USER_ID.match(p) else p for p in people]
    for i, person in enumerate(people):
        too_long = MAX_EMAIL if EMAIL.match(person) else MAX_USER_ID
        if len(person) > too_long:
            role = "owner" if i == 0 else "delegate"
            errors.append(f"{role} {_shown(person)!r} is {len(person):,} characters long; at most {too_long}")
        elif EMAIL.match(person):
            emails.add(person.lower())
        elif not user_id.match(person):
            errors.append(f"{_shown(person)!r} is neither {what} nor an e-mail address" if person else "owner is empty")
    return people


def _status(cells: dict[str, str], errors: list[str]) -> ProjectStatus:
    if not cells.get("status"):
        return ProjectStatus.ACTIVE
    try:
        return parse_status(cells["status"])
    except InvalidInput as exc:
        errors.append(exc.message.replace("`", ""))
        return ProjectStatus.ACTIVE


def _target_date(cells: dict[str, str], errors: list[str]) -> date | None:
    if not cells.get("target_date"):
        return None
    try:
        return date.fromisoformat(cells["target_date"])
    except ValueError:
        errors.append(f"target_date {cells['target_date']!r} is not a date like 2027-03-31")
        return None


def _write_rows(
    session: Session,
    ws: Workspace,
    parsed: list[_Row],
    problems: list[tuple[int, str]],
    emails: set[str],
    *,
    resolve_emails: EmailResolver | None,
    now: datetime,
    actor: str,
) -> ImportSummary:
    """Look the e-mail addresses up, then write every row, or raise ImportFailed with every problem."""
    resolved: dict[str, str | None] = {}
    if emails and not problems:
        if resolve_emails is None:
            raise ImportFailed(
                [
                    (
                        0,
                        "e-mail addresses need SLACK_BOT_TOKEN set so they can be looked up in Slack; "
                        "use Slack user IDs instead or set the token",
                    )
                ]
            )
        resolved = resolve_emails(sorted(emails))
        for item in parsed:
            for person in item.people:
                if EMAIL.match(person) and not resolved.get(person.lower()):
                    problems.append((item.line, f"no Slack user has the e-mail address {person}"))
    if problems:
        raise ImportFailed(sorted(problems))

    existing = {
        p.ref: p
        for p in session.scalars(
            select(Project).where(Project.workspace_id == ws.id).options(selectinload(Project.delegates))
        )
    }
    created = updated = 0
    named: dict[str, str] = {}  # owner_name: the directory's name for an owner Slack or Teams has not named yet
    for row in parsed:
        ids = [resolved[p.lower()] or p if EMAIL.match(p) else p for p in row.people]
        owner, delegates = ids[0], [d for d in dict.fromkeys(ids[1:]) if d != ids[0]]
        if row.owner_name:
            named[owner] = row.owner_name
        project = existing.get(row.ref)
        before = history.snapshot(session, project) if project is not None else None
        if project is None:
            project = Project(workspace_id=ws.id, ref=row.ref, created_at=now)
            session.add(project)
            created += 1
        else:
            updated += 1
        project.title = row.title
        project.priority_id = row.priority_id
        project.owner_user_id = owner
        project.service_area = row.service_area
        project.status = row.status
        project.target_date = row.target_date
        project.delegates = [ProjectDelegate(user_id=d) for d in delegates]
        if before is None:
            history.created(session, project, at=now, actor=actor, via=ChangeVia.IMPORT)
        else:
            history.record(session, project, before, at=now, actor=actor, via=ChangeVia.IMPORT)
    session.flush()
    people_service.fill(session, ws, named)
    return ImportSummary(created=created, updated=updated)


@dataclass(slots=True)
class _Row:
    line: int
    ref: str
    title: str
    priority_id: int
    people: list[str]
    service_area: str
    status: ProjectStatus
    target_date: date | None
    owner_name: str = ""


def _split_people(value: str) -> list[str]:
    return [p for p in re.split(r"[;\s]+", value.strip()) if p]


def _cell_problems(cells: dict[str, str]) -> list[str]:
    """Cells no column can hold: a NUL character (PostgreSQL refuses it in text), or longer than the column."""
    found = []
    for column, value in cells.items():
        limit = CELL_LIMITS.get(column)
        if "\x00" in value:
            found.append(f"{column} holds a NUL character, which no text may hold; retype it")
        elif limit is not None and len(value) > limit:
            found.append(f"{column} is {len(value):,} characters long; at most {limit}")
    return found


def _shown(value: str) -> str:
    """A refused value as its message repeats it: the start of it when it is long."""
    return value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"


# The csv module refuses a field longer than its limit (131,072 characters) with an error that names no
# column. Lifted while a Work Plan is read (it is in memory whole already), every cell is measured
# against its own column instead, and the message names the line and the column. The limit is the
# process's: the lock keeps two imports from putting back each other's.
_CSV_LIMIT_LOCK = threading.Lock()
_NO_CSV_LIMIT = 2**31 - 1  # the largest the csv module takes on every platform (a C long)


@contextmanager
def _csv_fields_unlimited() -> Iterator[None]:
    with _CSV_LIMIT_LOCK:
        before = csv.field_size_limit(_NO_CSV_LIMIT)
        try:
            yield
        finally:
            csv.field_size_limit(before)
