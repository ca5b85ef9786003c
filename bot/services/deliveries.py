"""Deliveries recorded once and acted on once, whichever instance of the app receives them.

A platform repeats what it thinks did not arrive. One :class:`models.install.InboundDelivery` row a
delivery, unique on ``(team_id, key)``, is the memory of what was handled: :func:`admit` (or
:func:`admit_done` inside the transaction that acts) inserts it, and the first of concurrent or repeated
deliveries wins on every backend and across processes. Which key identifies a delivery is each
platform's business (``handlers.slack.dedupe``, ``handlers.teams.deliveries``).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CTE, CursorResult, Table, bindparam, delete, func, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from models.db import conflict_insert, dialect_name
from models.driver import Executor
from models.install import DeliveryStatus, InboundDelivery

__all__ = [
    "KEEP_FOR",
    "Delivery",
    "admit",
    "admit_done",
    "delivery",
    "finish",
    "prune",
    "recorded_cte",
    "values_of",
    "which",
]

KEEP_FOR = timedelta(days=1)  # Slack's last retry of an event comes about five minutes after the first try
KEY_LIMIT = 255  # InboundDelivery.key's length


@dataclass(frozen=True, slots=True)
class Delivery:
    """What identifies one delivery across a platform's repeats of it."""

    team_id: str
    key: str
    kind: str  # event, command, shortcut, view, action; teams, teams-form


def delivery(team_id: str, kind: str, prefix: str, ident: object) -> Delivery | None:
    """The delivery keyed ``prefix:ident`` in ``team_id``; None when the platform gave no identity."""
    if not isinstance(ident, str) or not ident:
        return None
    key = f"{prefix}:{ident}"
    if len(key) > KEY_LIMIT:  # platforms' ids are short; a longer one is still told apart, by its digest
        key = f"{prefix}:sha256:{hashlib.sha256(ident.encode()).hexdigest()}"
    return Delivery(team_id=team_id, key=key, kind=kind)


# -- the record ------------------------------------------------------------------------------------
# The statements are built once: a request runs two of them, and building one costs more than running it.
_TABLE = cast(Table, InboundDelivery.__table__)
_UNIQUE = ["team_id", "key"]


@functools.cache
def _insert(dialect: str) -> ReturningInsert[tuple[int]]:
    return conflict_insert(dialect, _TABLE).on_conflict_do_nothing(index_elements=_UNIQUE).returning(_TABLE.c.id)


_THIS = (_TABLE.c.team_id == bindparam("d_team"), _TABLE.c.key == bindparam("d_key"))
# A row an earlier attempt left ``failed``, taken over: one more attempt, with the status given.
_TAKE_OVER = (
    update(_TABLE)
    .where(*_THIS, _TABLE.c.status == DeliveryStatus.FAILED)
    .values(status=bindparam("d_status"), attempts=_TABLE.c.attempts + 1)
)
_FINISH = update(_TABLE).where(*_THIS, _TABLE.c.status == DeliveryStatus.HANDLING).values(status=bindparam("d_status"))


def admit(connection: Executor, delivery: Delivery, *, now: datetime) -> bool:
    """Record ``delivery``; True when this process is to act on it.

    True for the first delivery, and for a retry of one whose handler failed (taken over: one more
    attempt, ``handling`` again). False while it is being handled elsewhere or once it is done. Commit
    before acting: the row is what tells other processes.
    """
    return _record(connection, delivery, DeliveryStatus.HANDLING, now=now)


def admit_done(connection: Executor, delivery: Delivery, *, now: datetime) -> bool:
    """Record ``delivery`` as ``done`` in the transaction that acts on it; True when that one is to act.

    The row commits with what the listener writes, or rolls back with it. False when the delivery is
    done already or being handled elsewhere (on PostgreSQL the insert waits for a concurrent attempt to
    commit or roll back); a row an earlier attempt left ``failed`` is taken over.
    """
    return _record(connection, delivery, DeliveryStatus.DONE, now=now)


def _record(connection: Executor, delivery: Delivery, status: DeliveryStatus, *, now: datetime) -> bool:
    """Insert ``delivery`` with ``status``, or take over its ``failed`` row; True when either happened."""
    if _insert_if_absent(connection, values_of(delivery, status, now=now)):
        return True
    # Taken already. On PostgreSQL the insert above waited for a concurrent one to commit or roll back.
    return bool(_rowcount(connection.execute(_TAKE_OVER, which(delivery, status))))


def values_of(delivery: Delivery, status: DeliveryStatus, *, now: datetime) -> dict[str, Any]:
    """The row of a first attempt at ``delivery``, as the parameters of :func:`recorded_cte`'s insert."""
    return {
        "team_id": delivery.team_id,
        "key": delivery.key,
        "kind": delivery.kind,
        "status": status,
        "attempts": 1,
        "received_at": now,
    }


def recorded_cte(*, taking_over: bool, found: CTE) -> CTE:
    """PostgreSQL's :func:`_record` as a WITH query, that runs only when ``found`` has a row (what the
    delivery brought may be acted on): a row (the delivery's id) when the delivery went in (:func:`values_of`'s
    parameters), or with ``taking_over`` when an earlier attempt's ``failed`` row was taken over
    (:func:`which`'s); none when it is done or being handled. A statement built on it writes what the
    delivery brought only when this is the attempt that acts (``bot.services.updates.post_directly``)."""
    if taking_over:
        return _TAKE_OVER.where(select(true()).select_from(found).exists()).returning(_TABLE.c.id).cte("delivery")
    row = select(*(bindparam(name, type_=_TABLE.c[name].type) for name in _COLUMNS)).select_from(found)
    statement = conflict_insert("postgresql", _TABLE).from_select(_COLUMNS, row)
    return statement.on_conflict_do_nothing(index_elements=_UNIQUE).returning(_TABLE.c.id).cte("delivery")


_COLUMNS = ["team_id", "key", "kind", "status", "attempts", "received_at"]


def _insert_if_absent(connection: Executor, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT (team_id, key) DO NOTHING``: True when the row went in."""
    # RETURNING, not the row count: some drivers do not report a count for a skipped row.
    return connection.execute(_insert(dialect_name(connection)), values).scalar_one_or_none() is not None


def finish(connection: Executor, delivery: Delivery, *, failed: bool) -> None:
    """The handler of ``delivery`` has finished: ``done``, or ``failed`` so that a retry may act again."""
    status = DeliveryStatus.FAILED if failed else DeliveryStatus.DONE
    connection.execute(_FINISH, which(delivery, status))


def which(delivery: Delivery, status: DeliveryStatus) -> dict[str, Any]:
    """The parameters that find ``delivery``'s row and give it ``status`` (a take-over, :func:`finish`)."""
    return {"d_team": delivery.team_id, "d_key": delivery.key, "d_status": status}


def prune(session: Session, *, before: datetime) -> int:
    """Delete the deliveries received before ``before``; returns how many went.

    A delivery is recorded when it is received, so the ones due hold the lowest ids. The first row to keep is
    found by walking the primary key from the oldest, and the ids below it received before ``before`` go: a
    pass reads what is due and one row more, however many rows are kept, with no index on ``received_at``.
    A row recorded out of turn (another instance's clock a little behind) waits for a later pass."""
    kept = InboundDelivery.received_at >= before
    first_kept = select(InboundDelivery.id).where(kept).order_by(InboundDelivery.id).limit(1).scalar_subquery()
    after_last = select(func.max(InboundDelivery.id) + 1).scalar_subquery()  # every row is due
    due = (InboundDelivery.id < func.coalesce(first_kept, after_last), InboundDelivery.received_at < before)
    return _rowcount(session.execute(delete(InboundDelivery).where(*due)))


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)
