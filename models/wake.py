"""When the reconcile pass must next look at each workspace, and the writes that bring that moment forward.

Sessions from :func:`models.db.make_sessionmaker` mark the workspaces their writes to :data:`WAKES` tables
name, as their transaction commits; a pass looks at the marked ones and those whose ``wake_at`` has come
(:func:`due`), then sets ``wake_at`` unless a write came meanwhile (:func:`settle`). The reconciler's own
sessions are quiet (:data:`QUIET_SESSION`). docs/ARCHITECTURE.md has the reasoning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import BindParameter, Column, event, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.visitors import iterate

from models.entities import Workspace

__all__ = ["QUIET", "QUIET_SESSION", "WAKES", "WORKSPACE", "due", "mark", "settle", "watch"]

# A write here can make something due sooner than the workspace's ``wake_at`` says: who is chased and for
# what (projects, their delegates, actions, risks), the calendar (series, meetings, closures), who the chairs
# are, "remind me tomorrow" (a scheduled reminder), the assurance calendar, and the workspace itself
# (reinstalled, its chairs' user group set).
WAKES = frozenset(
    {
        "workspace",
        "project",
        "project_delegate",
        "meeting",
        "meeting_series",
        "closure_day",
        "role_grant",
        "action_item",
        "raid_item",
        "reminder",
        "assurance_obligation",
        "assurance_result",
        "assurance_reminder",
    }
)
# A write here makes nothing due sooner. Updates only ever make a project fresher; history, the paper, the
# people cache, Home's throttle (its stale rows are found across workspaces at every pass), and the rows the
# pass keeps itself (digest posts, whose abandoned claims are also found across workspaces).
QUIET = frozenset(
    {
        "progress_update",
        "update_revision",
        "project_event",
        "strategy",
        "priority",
        "strategy_aim",
        "decision",
        "raid_revision",
        "digest_post",
        "digest_sent",
        "home_view",
        "narrative_revision",
        "report_settings",
        "signoff",
        "person",
        "teams_conversation_ref",
        "inbound_delivery",
        "lease",
        "purge_record",
        "slack_bots",
        "slack_installations",
        "slack_oauth_states",
    }
)

QUIET_SESSION = "wake.quiet"  # ``Session.info`` key: this session's writes mark nothing (the reconciler's)
WORKSPACE = "wake.workspace_id"  # ``Session.info`` key: the workspace a unit of work is scoped to
_MARKED = "wake.marked"  # ``Session.info`` key: the workspaces this transaction has written to
_EVERY = -1  # marked: a write whose workspace could not be told, so every workspace is looked at


def watch(factory: sessionmaker[Session]) -> None:
    """Make every session of ``factory``, a new one, mark the workspaces its transactions write to.

    Called once for each factory (by make_sessionmaker), so nothing asks whether it is watched already:
    ``event.contains`` can answer yes for a new factory whose class reuses a collected one's id."""
    for name, listener in (
        ("after_flush", _flushed),
        ("do_orm_execute", _executed),
        ("before_commit", _committing),
        ("after_rollback", _forget),
    ):
        event.listen(factory, name, listener)


def mark(session: Session, workspace_ids: Iterable[int]) -> None:
    """Have the pass look at these workspaces next time, as this session's transaction commits."""
    if not session.info.get(QUIET_SESSION):
        session.info.setdefault(_MARKED, set()).update(workspace_ids)


def due(session: Session, *, at: datetime) -> list[int]:
    """The installed workspaces the pass must look at by ``at``: marked, or their moment has come."""
    return list(
        session.scalars(
            select(Workspace.id)
            .where(Workspace.uninstalled_at.is_(None), or_(Workspace.wake_at.is_(None), Workspace.wake_at <= at))
            .order_by(Workspace.id)
        )
    )


def settle(session: Session, workspace_id: int, *, seen: int, wake_at: datetime) -> bool:
    """Look at the workspace next at ``wake_at``, unless a write marked it since the pass read ``seen``
    (its ``changes``); then it stays marked. Whether it was set."""
    result = session.connection().execute(
        update(Workspace).where(Workspace.id == workspace_id, Workspace.changes == seen).values(wake_at=wake_at)
    )
    return bool(result.rowcount)


def _flushed(session: Session, _flush: UOWTransaction) -> None:
    # Still the flush's new, dirty and deleted objects here (SQLAlchemy keeps them until after this event).
    written = chain(session.new, (o for o in session.dirty if session.is_modified(o)), session.deleted)
    mark(session, (_workspace_of(session, o) for o in written if getattr(o, "__tablename__", "") in WAKES))


def _workspace_of(session: Session, obj: Any) -> int:
    if isinstance(obj, Workspace):
        return int(obj.id)
    workspace_id = getattr(obj, "workspace_id", None)
    if workspace_id is None:  # a project's delegate: its project's workspace
        project = getattr(obj, "project", None)
        workspace_id = getattr(project, "workspace_id", None)
    if workspace_id is None:
        workspace_id = session.info.get(WORKSPACE)
    return _EVERY if workspace_id is None else int(workspace_id)


def _executed(state: ORMExecuteState) -> None:
    """A statement sent through the session: an INSERT, UPDATE or DELETE on a table that wakes marks the
    workspaces it names (its rows' ``workspace_id``, or ``workspace_id = …`` in its WHERE; the workspace
    table's own ``id``), else the session's own (:data:`WORKSPACE`), else every workspace."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.session.info.get(QUIET_SESSION):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in WAKES or (name == "workspace" and state.is_insert):  # a new workspace is looked at anyway
        return
    key = "id" if name == "workspace" else "workspace_id"
    named = set(_named_in_rows(state.parameters, key)) or set(_named_in_where(state.statement, key))
    if not named and WORKSPACE in state.session.info:
        named = {int(state.session.info[WORKSPACE])}
    mark(state.session, named or {_EVERY})


def _named_in_rows(parameters: Any, key: str) -> Iterator[int]:
    rows = parameters if isinstance(parameters, list) else [parameters]
    for row in rows:
        if isinstance(row, Mapping) and row.get(key) is not None:
            yield int(row[key])


def _named_in_where(statement: Any, key: str) -> Iterator[int]:
    where = getattr(statement, "whereclause", None)
    if where is None:
        return
    for node in iterate(where):
        if isinstance(node, BinaryExpression) and node.operator is operators.eq:
            column, value = node.left, node.right
            if isinstance(column, Column) and column.name == key and isinstance(value, BindParameter):
                if value.value is not None:
                    yield int(value.value)


def _committing(session: Session) -> None:
    session.flush()  # the flush would otherwise come after this event, its marks too late
    marked = session.info.pop(_MARKED, None)
    if not marked:
        return
    statement = update(Workspace).values(wake_at=None, changes=Workspace.changes + 1)
    if _EVERY not in marked:
        statement = statement.where(Workspace.id.in_(sorted(marked)))
    session.connection().execute(statement)


def _forget(session: Session) -> None:
    session.info.pop(_MARKED, None)
