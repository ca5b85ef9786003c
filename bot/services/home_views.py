"""Home is published at most once a minute per person, across every process: the throttle's rows.

:func:`take` decides whether a publish may go now, in one statement when something changed: an upsert
(``INSERT … ON CONFLICT DO UPDATE``) that makes the person's row, or moves its time to now when the last
publish is a minute old, or else marks it stale; the database serialises racers on the row, so two
processes at once publish once. Without a change (a page asked for, a pass's refresh) it is an insert
only one racer wins (``ON CONFLICT DO NOTHING``), then a conditional UPDATE on the last publish's time.
The next reconcile pass publishes the stale ones whose minute has passed (:func:`stale`).
``now`` is the runtime's clock.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Subquery,
    Table,
    bindparam,
    case,
    false,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from models import HomeView, Workspace
from models.db import conflict_insert, dialect_name, insert_missing
from models.driver import Executor

__all__ = ["EVERY", "failed", "left_stale", "record", "stale", "take", "taken", "taken_by", "taken_cte"]

EVERY = timedelta(minutes=1)  # at most one publish a minute per person


def take(session: Session, ws: Workspace, user_id: str, *, now: datetime, changed: bool = True) -> bool:
    """True: publish ``user_id``'s Home now (recorded as published at ``now``). False: it was published
    less than a minute ago; the row is marked stale when ``changed`` (the next pass publishes it)."""
    if changed:
        return taken(session, ws.id, user_id, now=now)
    if insert_missing(session, HomeView, [_first(ws, user_id, now)], key=("workspace_id", "user_id")):
        return True
    moved = session.execute(
        update(_TABLE)
        .where(*_mine(ws, user_id), _TABLE.c.published_at <= now - EVERY)
        .values(published_at=now, stale=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(moved)


def taken(connection: Executor, workspace_id: int, user_id: str, *, now: datetime) -> bool:
    """:func:`take` after a change, on a session, a plain connection or the driver's (an update's direct path).

    One statement, on the path of every update: the row made, or taken when its minute has passed, or else
    marked stale; a row already stale whose minute has not passed is left as it is, unwritten. Its
    ``stale`` after the statement says which (False: taken; no row: left stale). On PostgreSQL a racer's
    upsert waits for the first's row, then sees its new time: one of them takes it."""
    params = {"workspace_id": workspace_id, "user_id": user_id, "published_at": now, "cutoff": now - EVERY}
    stale = connection.execute(_take_or_mark(dialect_name(connection)), params).scalar_one_or_none()
    return stale is not None and not stale


def taken_by(
    connection: Executor,
    workspace_id: int,
    people: Sequence[str],
    *,
    now: datetime,
    rows: Mapping[str, tuple[datetime, bool]] | None = None,
) -> tuple[str, ...]:
    """:func:`taken` for each of ``people`` after one change (an update: its author and its project's
    owner), in the transaction that made it: those whose Home may be published now.

    ``rows``: each person's throttle row (its last publish and whether it is stale; none: no row), when the
    caller read them in this transaction as a writer, so that no one could change them since (SQLite's
    ``BEGIN IMMEDIATE``). A row :func:`left_stale` is then not sent :func:`taken`'s statement, which would
    leave it as it is: a burst of updates costs one statement fewer each."""
    return tuple(
        user
        for user in people
        if not (rows is not None and user in rows and left_stale(*rows[user], now=now))
        and taken(connection, workspace_id, user, now=now)
    )


def left_stale(published_at: datetime, stale: bool, *, now: datetime) -> bool:
    """A row :func:`taken` leaves as it is, unwritten: stale already, and its minute has not passed."""
    return stale and published_at > now - EVERY


_TABLE = cast(Table, HomeView.__table__)


def _first(ws: Workspace, user_id: str, now: datetime) -> dict[str, object]:
    return {"workspace_id": ws.id, "user_id": user_id, "published_at": now, "stale": False}


def _mine(ws: Workspace, user_id: str) -> tuple[ColumnElement[bool], ...]:
    return (_TABLE.c.workspace_id == ws.id, _TABLE.c.user_id == user_id)


@functools.lru_cache(maxsize=2)
def _take_or_mark(dialect: str) -> ReturningInsert[tuple[bool]]:
    """``INSERT … ON CONFLICT DO UPDATE``: a first publish, or the last one's time moved to now when its
    minute has passed (stale cleared), or else the row marked stale; RETURNING the row's ``stale``."""
    insert = conflict_insert(dialect, _TABLE)
    values: dict[str, BindParameter[Any]] = {
        name: bindparam(name) for name in ("workspace_id", "user_id", "published_at")
    }
    return cast(ReturningInsert[tuple[bool]], _or_mark(insert.values(**values, stale=False)).returning(_TABLE.c.stale))


def taken_cte(people: Subquery) -> CTE:
    """PostgreSQL's :func:`taken` as a WITH query, for each row of ``people`` (its ``workspace_id`` and
    ``user_id``; an update's author and its project's owner, when the update went in): a row for each
    person written, with its ``user_id`` and ``stale`` (none for a person already stale within the
    minute). Its parameters are :func:`taken`'s ``published_at`` and ``cutoff``."""
    rows = select(
        people.c.workspace_id,
        people.c.user_id,
        bindparam("published_at", type_=_TABLE.c.published_at.type),
        false(),
    )
    insert = conflict_insert("postgresql", _TABLE).from_select(
        ["workspace_id", "user_id", "published_at", "stale"], rows
    )
    return cast(CTE, _or_mark(insert).returning(_TABLE.c.user_id, _TABLE.c.stale).cte("home"))


def _or_mark(insert: Any) -> Any:
    """``insert`` of a first publish, or on conflict: the last publish's time moved to now when its minute
    has passed (``cutoff``), or else the row marked stale. A row already stale within its minute is not
    written again (a burst of updates rewrote it, and its indexes, at every one of them)."""
    due = _TABLE.c.published_at <= bindparam("cutoff", type_=_TABLE.c.published_at.type)
    return insert.on_conflict_do_update(
        index_elements=["workspace_id", "user_id"],
        set_={
            "published_at": case((due, insert.excluded.published_at), else_=_TABLE.c.published_at),
            "stale": case((due, false()), else_=true()),
        },
        where=or_(due, _TABLE.c.stale.is_(false())),
    )


def record(session: Session, ws: Workspace, user_id: str, *, now: datetime) -> None:
    """A publish the person asked for (the next page of a list), which goes at once: recorded all the same,
    so that what follows within the minute waits."""
    if not take(session, ws, user_id, now=now, changed=False):
        session.execute(update(_TABLE).where(*_mine(ws, user_id)).values(published_at=now, stale=False))


def failed(session: Session, ws: Workspace, user_id: str) -> None:
    """The publish did not go through: left stale, for the next pass after the minute."""
    session.execute(update(_TABLE).where(*_mine(ws, user_id)).values(stale=True))


def stale(session: Session, ws: Workspace, *, now: datetime) -> list[str]:
    """The people whose Home is stale and whose minute has passed: the next pass publishes theirs."""
    return list(
        session.scalars(
            select(HomeView.user_id).where(HomeView.workspace_id == ws.id, *_stale_by(now)).order_by(HomeView.user_id)
        )
    )


def stale_workspaces(session: Session, *, now: datetime) -> set[int]:
    """The workspaces with someone's Home stale and its minute passed: one statement across them all."""
    return set(session.scalars(select(HomeView.workspace_id).where(*_stale_by(now)).distinct()))


def _stale_by(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Left stale, and its minute has passed by ``now``."""
    return HomeView.stale.is_(True), HomeView.published_at <= now - EVERY
