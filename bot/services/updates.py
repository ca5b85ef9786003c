"""Progress updates and their revisions; who may post them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    String,
    Table,
    and_,
    bindparam,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError, NotAllowed
from bot.services import deliveries, home_views
from bot.services.deliveries import Delivery
from bot.services.projects import normalise_ref
from bot.services.quickform import QuickForm, UpdateText
from bot.wording import People, Text
from models import (
    HomeView,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    UpdateRevision,
    UpdateSource,
    Workspace,
)
from models.db import dialect_name
from models.driver import Executor
from models.install import DeliveryStatus

# A complete or closed project's record is finished: no new update and no correction until it is reopened.
# The update form lists only the other statuses; this rule is what holds every other path to the same.
FINISHED = (ProjectStatus.COMPLETE, ProjectStatus.CLOSED)


class ProjectFinished(DomainError):
    """An update or correction to a complete or closed project."""

    def __init__(self, project: Project) -> None:
        super().__init__(
            Text(
                "`{ref}` is {status}, so it takes no more updates or corrections. "
                "If work on it has started again, {reopen_project}.",
                ref=project.ref,
                status=project.status.value,
            ),
            field="project",
        )
        self.ref = project.ref


@dataclass(frozen=True, slots=True)
class UpdateResult:
    update_id: int
    revision: int
    project_ref: str
    project_title: str
    author: str
    rag: Rag
    progress: str
    next_steps: str
    risks: str
    created_at: datetime
    source: UpdateSource
    project_owner: str = ""  # whose Home the update changes besides its author's

    @property
    def homes_changed(self) -> tuple[str, ...]:
        """Whose Home the update changes: its author's and its project's owner's."""
        return tuple(sorted({self.author, self.project_owner} - {""}))


def may_update(project: Project, user_id: str, is_admin: bool) -> bool:
    return is_admin or user_id == project.owner_user_id or user_id in project.delegate_ids


def check_may_update(project: Project, user_id: str, is_admin: bool) -> None:
    """Who may, then whether the project still takes updates: raises NotAllowed or ProjectFinished."""
    if not may_update(project, user_id, is_admin):
        raise NotAllowed(
            Text(
                "Only the owner or a delegate of `{ref}`{people} or an ICT admin can update it. "
                "Ask the owner to add you as a delegate, or to post the update.",
                ref=project.ref,
                people=People((project.owner_user_id, *project.delegate_ids)),
            ),
            field="project",
        )
    if project.status in FINISHED:
        raise ProjectFinished(project)


def post(
    session: Session,
    ws: Workspace,
    project: Project,
    *,
    user_id: str,
    is_admin: bool,
    text: UpdateText,
    source: UpdateSource,
    now: datetime,
) -> UpdateResult:
    check_may_update(project, user_id, is_admin)
    if project.workspace_id != ws.id:  # a caller bug, never user input: refuse loudly
        raise DomainError("That project belongs to another workspace.")
    session.flush()  # nothing of the session's is left to flush after the INSERTs below
    target = Target(ws.id, project.id, project.ref, project.title, project.owner_user_id)
    return post_to(session, target, user_id=user_id, text=text, source=source, now=now)


@dataclass(frozen=True, slots=True)
class Target:
    """The project an update goes to, as storing it needs it (:func:`post_to`); with the Home throttle's rows
    of the poster and of the project's owner when they were read with it (:func:`direct_target`)."""

    workspace_id: int
    project_id: int
    ref: str
    title: str
    owner_user_id: str
    homes: Mapping[str, tuple[datetime, bool]] = field(default_factory=dict)  # home_views.taken_by's ``rows``


def direct_target(connection: Executor, *, platform: str, team_id: str, ref: str, user_id: str) -> Target | None:
    """The project ``ref`` of ``team_id``'s workspace, in one SELECT, when an update from ``user_id`` can go
    to it at once: the workspace is installed, the project takes updates, and ``user_id`` owns it or is one
    of its delegates. None for anything else (no such workspace or project, an uninstalled workspace, a
    finished project, someone else's): the general way (:func:`check_may_update`, :func:`post`) then
    handles it and says why. Nearly every update is an owner's or a delegate's: this is their path.

    The same SELECT reads the Home throttle's rows of ``user_id`` and of the owner (``Target.homes``): only
    in a writer's transaction (:func:`post_directly` begins one) does nothing change them before the commit."""
    row = connection.execute(_FOUND_AND_HOMES, _target_values(platform, team_id, ref, user_id)).first()
    if row is None:
        return None
    homes = {
        person: (published_at, stale)
        for person, published_at, stale in (
            (user_id, row.author_published_at, row.author_stale),
            (row.owner_user_id, row.owner_published_at, row.owner_stale),
        )
        if published_at is not None
    }
    return Target(row.workspace_id, row.project_id, row.ref, row.title, row.owner_user_id, homes)


def _target_values(platform: str, team_id: str, ref: str, user_id: str) -> dict[str, str]:
    return {"platform": platform, "team": team_id, "ref": normalise_ref(ref), "user": user_id}


_DIRECT_TARGET = (
    select(
        Workspace.id.label("workspace_id"),
        Workspace.uninstalled_at,
        Project.id.label("project_id"),
        Project.ref,
        Project.title,
        Project.owner_user_id,
        Project.status,
        ProjectDelegate.user_id.label("delegate"),
    )
    .select_from(Workspace)
    .outerjoin(Project, and_(Project.workspace_id == Workspace.id, Project.ref == bindparam("ref")))
    .outerjoin(
        ProjectDelegate, and_(ProjectDelegate.project_id == Project.id, ProjectDelegate.user_id == bindparam("user"))
    )
    .where(Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("team"))
)
# The rule of the direct way, in SQL: a project of an installed workspace, not finished, the poster's own
# or one they are a delegate of.
_MAY_GO_AT_ONCE = (
    Project.id.is_not(None),
    Workspace.uninstalled_at.is_(None),
    *(Project.status != status for status in FINISHED),
    or_(Project.owner_user_id == bindparam("user"), ProjectDelegate.user_id.is_not(None)),
)
_FOUND = _DIRECT_TARGET.where(*_MAY_GO_AT_ONCE)
# direct_target's: the project found, with the Home throttle's rows of the poster and of the project's owner
# (home_views.taken_by's ``rows``). SQLite's post_directly reads it in a writer's transaction (BEGIN IMMEDIATE).
_AUTHOR_HOME, _OWNER_HOME = (cast(Table, HomeView.__table__).alias(name) for name in ("author_home", "owner_home"))
_FOUND_AND_HOMES = (
    _FOUND.add_columns(
        _AUTHOR_HOME.c.published_at.label("author_published_at"),
        _AUTHOR_HOME.c.stale.label("author_stale"),
        _OWNER_HOME.c.published_at.label("owner_published_at"),
        _OWNER_HOME.c.stale.label("owner_stale"),
    )
    .outerjoin(
        _AUTHOR_HOME,
        and_(_AUTHOR_HOME.c.workspace_id == Workspace.id, _AUTHOR_HOME.c.user_id == bindparam("user")),
    )
    .outerjoin(
        _OWNER_HOME,
        and_(_OWNER_HOME.c.workspace_id == Workspace.id, _OWNER_HOME.c.user_id == Project.owner_user_id),
    )
)
_BEGIN_WRITING = text("BEGIN IMMEDIATE")


def post_to(
    connection: Executor,
    target: Target,
    *,
    user_id: str,
    text: UpdateText,
    source: UpdateSource,
    now: datetime,
) -> UpdateResult:
    """Store an update to ``target`` that may go (:func:`check_may_update`, or :func:`direct_target`): two
    INSERTs, not an ORM flush of new objects, as this is every update's path. Its tables make nothing due
    sooner (:data:`models.wake.QUIET`), so a plain connection may store it."""
    values = _update_values(target, user_id, source, now)
    update_id = connection.execute(_INSERT_UPDATE, values).scalar_one()
    connection.execute(_INSERT_REVISION, {**_revision_values(text, user_id, now), "update_id": update_id, "number": 1})
    return _result_to(target, user_id, text, source, now, update_id=update_id)


_UPDATES, _REVISIONS = cast(Table, ProgressUpdate.__table__), cast(Table, UpdateRevision.__table__)
_INSERT_UPDATE = insert(_UPDATES).returning(_UPDATES.c.id)
_INSERT_REVISION = insert(_REVISIONS)


@dataclass(frozen=True, slots=True)
class Stored:
    """An update stored by :func:`post_directly`: the answer's content, and the people whose Home the
    throttle lets be published now (:func:`home_views.taken_by`)."""

    result: UpdateResult
    homes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Posted:
    """What :func:`post_directly` did with an update that may go at once: ``stored`` None when its delivery
    was done already or being handled elsewhere (a platform's retry), and nothing was written."""

    stored: Stored | None


def post_directly(
    connection: Executor,
    *,
    platform: str,
    team_id: str,
    ref: str,
    user_id: str,
    delivery: Delivery | None,
    text: UpdateText,
    source: UpdateSource,
    now: datetime,
) -> Posted | None:
    """An owner's or a delegate's update (:func:`direct_target`'s rule) stored with the ``delivery`` that
    brought it (as :func:`deliveries.admit_done` records it) and Home's throttle for the people it concerns
    (:func:`home_views.taken_by`). None, having written nothing, when the update may not go at once: the
    general way (:func:`check_may_update`, :func:`post`) then handles it and says why.

    On PostgreSQL the project's look-up and every write are one statement (:func:`_at_once`): one round
    trip, or two when the delivery is there already and an earlier attempt's ``failed`` row is to be taken
    over; none needs a transaction around it (``models.driver.driver_connection``'s ``autocommit``). SQLite,
    which has no writes inside WITH, takes the steps in one transaction it begins as a writer (it has no round
    trips): the project is read with the Home throttle's rows, so that a row left stale within its minute is
    sent no statement (``home_views.taken_by``'s ``rows``); the connection must have none open."""
    if dialect_name(connection) != "postgresql":
        # A writer from the first statement: what it reads (the Home throttle's rows), no one changes before it commits.
        connection.execute(_BEGIN_WRITING)
        target = direct_target(connection, platform=platform, team_id=team_id, ref=ref, user_id=user_id)
        if target is None:
            return None
        if delivery is not None and not deliveries.admit_done(connection, delivery, now=now):
            return Posted(None)
        result = post_to(connection, target, user_id=user_id, text=text, source=source, now=now)
        homes = home_views.taken_by(connection, target.workspace_id, result.homes_changed, now=now, rows=target.homes)
        return Posted(Stored(result, homes))
    values = {
        **_target_values(platform, team_id, ref, user_id),
        **_revision_values(text, user_id, now),
        "author_user_id": user_id,
        "source": source,
        "created_at": now,
        "published_at": now,
        "cutoff": now - home_views.EVERY,
    }
    attempts: list[tuple[bool | None, dict[str, object]]]
    if delivery is None:
        attempts = [(None, values)]
    else:
        first = {**values, **deliveries.values_of(delivery, DeliveryStatus.DONE, now=now)}
        attempts = [(False, first), (True, {**values, **deliveries.which(delivery, DeliveryStatus.DONE)})]
    for taking_over, params in attempts:
        rows = connection.execute(_at_once(taking_over), params).all()
        if not rows:
            return None  # no project this update may go to at once
        found = rows[0]
        if found.update_id is not None:
            target = Target(found.workspace_id, found.project_id, found.ref, found.title, found.owner_user_id)
            result = _result_to(target, user_id, text, source, now, update_id=found.update_id)
            # no person in a row: each Home was stale already (home_views.taken_cte)
            homes = tuple(sorted(row.person for row in rows if row.person is not None and not row.stale))
            return Posted(Stored(result, homes))
    return Posted(None)


@functools.cache
def _at_once(taking_over: bool | None) -> Select[Any]:
    """PostgreSQL's one statement for :func:`post_directly`, its writes as data-modifying WITH queries: the
    project found (:func:`direct_target`'s SELECT and rule), then only when it was, the delivery recorded
    (``taking_over`` None: there is none; :func:`deliveries.recorded_cte`), then only when it was, the
    update, its first revision, and Home's throttle for its author and the project's owner
    (:func:`home_views.taken_cte`). No row when the project was not found; else a row for each person
    whose throttle was written (at least one, its person None when none was), with the project, the
    update's id (None when the delivery is not this attempt's to act on) and whether the Home was left stale."""
    found = _FOUND.cte("found")
    update_rows = select(found.c.workspace_id, found.c.project_id, *(_typed(n, _UPDATES) for n in _UPDATE_BOUND))
    if taking_over is not None:
        update_rows = update_rows.join(deliveries.recorded_cte(taking_over=taking_over, found=found), true())
    update = (
        insert(_UPDATES)
        .from_select(["workspace_id", "project_id", *_UPDATE_BOUND], update_rows)
        .returning(_UPDATES.c.id)
        .cte("progress")
    )
    revision_rows = select(update.c.id, literal(1, Integer), *(_typed(n, _REVISIONS) for n in _REVISION_COLUMNS))
    revision = (
        insert(_REVISIONS)
        .from_select(["update_id", "number", *_REVISION_COLUMNS], revision_rows)
        .returning(_REVISIONS.c.update_id)
        .cte("revision")
    )
    # The author and the project's owner, once each (UNION): an upsert may not touch one row twice.
    person = union(
        select(bindparam("author_user_id", type_=String).label("user_id")),
        select(found.c.owner_user_id.label("user_id")),
    ).subquery("person")
    people = select(found.c.workspace_id, person.c.user_id).select_from(update).join(found, true()).join(person, true())
    homes = home_views.taken_cte(people.subquery("people"))
    return (
        select(
            found.c.workspace_id,
            found.c.project_id,
            found.c.ref,
            found.c.title,
            found.c.owner_user_id,
            revision.c.update_id,
            homes.c.user_id.label("person"),
            homes.c.stale,
        )
        .select_from(found)
        .outerjoin(revision, true())
        .outerjoin(homes, true())
    )


_UPDATE_BOUND = ["author_user_id", "source", "created_at"]  # the rest of the row comes from the project found
_REVISION_COLUMNS = ["rag", "progress", "next_steps", "risks", "editor_user_id", "created_at"]


def _typed(name: str, table: Table) -> BindParameter[Any]:
    return bindparam(name, type_=table.c[name].type)


def _update_values(target: Target, user_id: str, source: UpdateSource, now: datetime) -> dict[str, object]:
    return {
        "workspace_id": target.workspace_id,
        "project_id": target.project_id,
        "author_user_id": user_id,
        "source": source,
        "created_at": now,
    }


def _result_to(
    target: Target, user_id: str, text: UpdateText, source: UpdateSource, now: datetime, *, update_id: int
) -> UpdateResult:
    return UpdateResult(
        update_id=update_id,
        revision=1,
        project_ref=target.ref,
        project_title=target.title,
        author=user_id,
        rag=text.rag,
        progress=text.progress,
        next_steps=text.next_steps,
        risks=text.risks,
        created_at=now,
        source=source,
        project_owner=target.owner_user_id,
    )


def latest(session: Session, ws: Workspace, project: Project) -> ProgressUpdate | None:
    """The project's most recent update, by anyone."""
    return session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.workspace_id == ws.id, ProgressUpdate.project_id == project.id)
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .options(selectinload(ProgressUpdate.revisions))
    )


def carry_forward(
    session: Session,
    ws: Workspace,
    project: Project,
    *,
    user_id: str,
    is_admin: bool,
    now: datetime,
    tz: ZoneInfo,
    since: datetime | None = None,
) -> UpdateResult:
    """'No change this month': a new update that carries the last RAG forward and says so.

    ``since`` is the start of the reporting period: a project already updated in it needs nothing.
    """
    check_may_update(project, user_id, is_admin)  # before looking at its updates: a finished one takes none
    previous = latest(session, ws, project)
    if previous is not None and since is not None and previous.created_at >= since:
        when = previous.created_at.astimezone(tz).strftime("%-d %b %Y %H:%M")
        raise DomainError(
            Text("`{ref}` was already updated on " + when + ", so it is up to date for this meeting.", ref=project.ref)
        )
    if previous is None:
        raise DomainError(
            Text(
                "`{ref}` has no earlier update to carry forward. Use *Post update* (or "
                "`{update} {ref} green what was done`) for its first one.",
                ref=project.ref,
            )
        )
    when = previous.created_at.astimezone(tz).strftime("%-d %b %Y")
    text = UpdateText(
        rag=previous.current.rag,
        progress=f"No change this month: status carried forward from the update of {when}.",
    )
    return post(
        session, ws, project, user_id=user_id, is_admin=is_admin, text=text, source=UpdateSource.REMINDER, now=now
    )


def latest_by(session: Session, ws: Workspace, project: Project, user_id: str) -> ProgressUpdate | None:
    return session.scalar(
        select(ProgressUpdate)
        .where(
            ProgressUpdate.workspace_id == ws.id,
            ProgressUpdate.project_id == project.id,
            ProgressUpdate.author_user_id == user_id,
        )
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .options(selectinload(ProgressUpdate.revisions))
    )


def get(session: Session, ws: Workspace, update_id: int) -> ProgressUpdate:
    update = session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.workspace_id == ws.id, ProgressUpdate.id == update_id)
        .options(selectinload(ProgressUpdate.revisions), selectinload(ProgressUpdate.project))
    )
    if update is None:
        raise DomainError("That update no longer exists.")
    return update


def correct(
    session: Session,
    ws: Workspace,
    update: ProgressUpdate,
    *,
    user_id: str,
    is_admin: bool,
    text: UpdateText,
    now: datetime,
) -> UpdateResult:
    """Add a revision to an update. Its author (or an admin) may; earlier text is kept."""
    if update.workspace_id != ws.id:
        raise DomainError("That update belongs to another workspace.")
    if not (is_admin or update.author_user_id == user_id):
        raise NotAllowed("Only the officer who posted an update, or an ICT admin, can correct it.")
    if update.project.status in FINISHED:
        raise ProjectFinished(update.project)
    update.revisions.append(_revision(update.current.number + 1, text, user_id, now))
    session.flush()
    return _result(update, update.project)


def correct_latest(
    session: Session,
    ws: Workspace,
    project: Project,
    *,
    user_id: str,
    is_admin: bool,
    text: UpdateText,
    now: datetime,
) -> UpdateResult:
    update = latest_by(session, ws, project, user_id)
    if update is None:
        raise DomainError(
            Text(
                "You have no update on `{ref}` to correct. Post one with `{update} {ref} green what was done`.",
                ref=project.ref,
            )
        )
    return correct(session, ws, update, user_id=user_id, is_admin=is_admin, text=text, now=now)


def apply_quick_form(
    session: Session,
    ws: Workspace,
    project: Project,
    form: QuickForm,
    *,
    user_id: str,
    is_admin: bool,
    now: datetime,
) -> UpdateResult:
    """A one-line form (``REF RAG text | next: … | risks: …``, or ``edit …``) from any platform: a new
    update, or a correction of the user's latest one on ``project``."""
    if form.text is None or form.kind not in ("update", "edit"):
        raise ValueError(f"a {form.kind} form carries no update")
    if form.kind == "edit":
        return correct_latest(session, ws, project, user_id=user_id, is_admin=is_admin, text=form.text, now=now)
    return post(
        session,
        ws,
        project,
        user_id=user_id,
        is_admin=is_admin,
        text=form.text,
        source=UpdateSource.COMMAND,
        now=now,
    )


def _revision(number: int, text: UpdateText, user_id: str, now: datetime) -> UpdateRevision:
    return UpdateRevision(number=number, **_revision_values(text, user_id, now))


def _revision_values(text: UpdateText, user_id: str, now: datetime) -> dict[str, object]:
    return {
        "rag": text.rag,
        "progress": text.progress,
        "next_steps": text.next_steps,
        "risks": text.risks,
        "editor_user_id": user_id,
        "created_at": now,
    }


def result_of(update: ProgressUpdate) -> UpdateResult:
    return _result(update, update.project)


def _result(update: ProgressUpdate, project: Project) -> UpdateResult:
    rev = update.current
    return UpdateResult(
        update_id=update.id,
        revision=rev.number,
        project_ref=project.ref,
        project_title=project.title,
        author=update.author_user_id,
        rag=rev.rag,
        progress=rev.progress,
        next_steps=rev.next_steps,
        risks=rev.risks,
        created_at=update.created_at,
        source=update.source,
        project_owner=project.owner_user_id,
    )
