"""The claim protocol shared by reminders, scheduled digests and assurance reminders.

A row (``Reminder``, ``DigestPost``, ``AssuranceReminder``) is claimed by one process before anything is
sent; just before sending, that process confirms the claim is still its own (refreshing it, so nobody
takes it for abandoned); afterwards it records the outcome. A transient failure leaves the row claimed, and the
claim is retried once after it times out.

Every time here is the runtime's clock (the real one), never the moment a pass reconciles for
(``ictbot tick --at``): a claim's age decides whether its process is presumed dead, and that is a
fact about real time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, select, union, update
from sqlalchemy.orm import Session, class_mapper

from models.db import insert_missing
from models.registers import AssuranceReminder
from models.scheduling import DigestPost, Reminder, ReminderStatus

Claimed = type[Reminder] | type[DigestPost] | type[AssuranceReminder]


# How a retry settled an unknown earlier outcome by sending again without being able to look: it may
# have arrived twice (the admins see these: ``ictbot reminders failures``).
RESENT = "resent: "


class DueItem(Protocol):
    """What is due: a reminder or a digest post, for one meeting of one workspace."""

    @property
    def workspace_id(self) -> int: ...
    @property
    def meeting_id(self) -> int: ...
    @property
    def due_at(self) -> datetime: ...


def taken(item: DueItem, *, holder: str, now: datetime) -> dict[str, Any]:
    """The columns of ``item``'s row, claimed by ``holder`` at ``now`` for the first time (for :func:`insert_once`)."""
    return {"meeting_id": item.meeting_id, **claim_columns(item.workspace_id, item.due_at, holder=holder, now=now)}


def claim_columns(workspace_id: int, due_at: datetime, *, holder: str, now: datetime) -> dict[str, Any]:
    """The claim's columns of a row due at ``due_at``, claimed by ``holder`` at ``now`` for the first time:
    :func:`taken` without the meeting, for a row that belongs to something else (an assurance occurrence)."""
    return {
        "workspace_id": workspace_id,
        "status": ReminderStatus.CLAIMED,
        "due_at": due_at,
        "attempts": 1,
        "claimed_by": holder,
        "claimed_at": now,
        "first_claimed_at": now,
    }


def abandoned(session: Session, model: Claimed, workspace_id: int, *, before: datetime) -> Sequence[Any]:
    """The workspace's rows of ``model`` claimed before ``before`` and never recorded: their process died."""
    return session.scalars(
        select(model).where(
            model.workspace_id == workspace_id,
            model.status == ReminderStatus.CLAIMED,
            model.claimed_at < before,
        )
    ).all()


def abandoned_workspaces(session: Session, *, before: datetime) -> set[int]:
    """The workspaces with a claim of any kind (reminder, digest, assurance reminder) made before ``before``
    and never recorded: one statement across every workspace."""
    left = [
        select(model.workspace_id).where(model.status == ReminderStatus.CLAIMED, model.claimed_at < before)
        for model in (Reminder, DigestPost, AssuranceReminder)
    ]
    return set(session.scalars(union(*left)))


def resent(why: str) -> str:
    """The settlement of a retry that sent again without being able to look first."""
    return f"{RESENT}{why}"


def sent_again(session: Session, model: Claimed, workspace_id: int, *, since: datetime) -> list[Any]:
    """The rows of ``model`` due since ``since`` whose retry sent again without a look (:func:`resent`)."""
    return list(
        session.scalars(
            select(model)
            .where(model.workspace_id == workspace_id, model.settlement.startswith(RESENT), model.due_at >= since)
            .order_by(model.due_at, model.id)
        )
    )


_UNIQUE: dict[Claimed, tuple[str, ...]] = {
    Reminder: ("meeting_id", "user_id", "stage"),
    DigestPost: ("meeting_id",),
    AssuranceReminder: ("obligation_id", "occurrence"),
}


def insert_once(session: Session, row: Reminder | DigestPost | AssuranceReminder) -> int | None:
    """Insert ``row`` unless its unique key is taken (another process, or an earlier request, got there
    first): its new id, or None. ``INSERT … ON CONFLICT DO NOTHING`` (:func:`models.db.insert_missing`)
    leaves the surrounding transaction whole either way, and on SQLite commits nothing before it does,
    as a savepoint that is a transaction's first write would."""
    model = type(row)
    values = {a.key: getattr(row, a.key) for a in class_mapper(model).column_attrs if getattr(row, a.key) is not None}
    ids = insert_missing(session, model, [values], key=_UNIQUE[model])
    return ids[0] if ids else None


def retake(session: Session, model: Claimed, row: Any, *, holder: str, now: datetime) -> tuple[int, datetime] | None:
    """Take over ``row``, an abandoned claim, for ``holder`` at ``now`` (compare-and-set on its claim time):
    the attempt it now is and when its first attempt was claimed; None when another process took it first."""
    attempt, first = row.attempts + 1, row.first_claimed_at or row.claimed_at  # before the UPDATE refreshes ``row``
    taken = session.execute(
        update(model)
        .where(model.id == row.id, model.status == ReminderStatus.CLAIMED, model.claimed_at == row.claimed_at)
        .values(claimed_by=holder, claimed_at=now, attempts=attempt)
    ).rowcount  # type: ignore[attr-defined]
    return (attempt, first) if taken else None


def settle_abandoned(session: Session, model: Claimed, row: Any, status: ReminderStatus, error: str) -> None:
    """Close ``row``, an abandoned claim, unless another process took it over meanwhile (compare-and-set)."""
    session.execute(
        update(model)
        .where(model.id == row.id, model.status == ReminderStatus.CLAIMED, model.claimed_at == row.claimed_at)
        .values(status=status, error=error[:200])
    )


def drop(session: Session, model: Claimed, row_id: int, reason: str) -> None:
    """Not worth sending any more: the person caught up, or the meeting has started."""
    session.execute(update(model).where(model.id == row_id).values(status=ReminderStatus.DROPPED, error=reason[:200]))


def confirm(session: Session, model: Claimed, row_id: int, *, holder: str, now: datetime) -> bool:
    """Is the claim on ``row_id`` still ``holder``'s? Refreshes it when it is."""
    return row_id in confirm_many(session, model, [row_id], holder=holder, now=now)


def confirm_many(session: Session, model: Claimed, row_ids: Sequence[int], *, holder: str, now: datetime) -> set[int]:
    """Which of the claims on ``row_ids`` are still ``holder``'s, refreshing those: one statement."""
    if not row_ids:
        return set()
    result = session.execute(
        update(model)
        .where(model.id.in_(row_ids), model.claimed_by == holder, model.status == ReminderStatus.CLAIMED)
        .values(claimed_at=now)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return {int(i) for i in result.scalars()}


@dataclass(frozen=True, slots=True)
class Recorded:
    """The outcome of one send, as :func:`record` takes it."""

    row_id: int
    error: str | None = None
    permanent: bool = True
    channel_id: str | None = None
    message_ts: str | None = None
    settlement: str = ""
    deferred: bool = False


def record(
    session: Session,
    model: Claimed,
    row_id: int,
    *,
    holder: str,
    now: datetime,
    error: str | None = None,
    permanent: bool = True,
    channel_id: str | None = None,
    message_ts: str | None = None,
    settlement: str = "",
    deferred: bool = False,
) -> None:
    """The outcome of a send: sent, failed for good, or (transient) still claimed for one retry.

    ``message_ts`` is kept on a failure too: a digest that failed after its summary was posted must
    show where, and is not posted again. ``settlement``: how a retry whose first attempt's outcome was
    unknown was settled (kept whatever the outcome). ``deferred``: a transient failure before anything
    was sent (the retry could not look for its earlier attempt yet), which does not use up the retry.
    """
    outcome = Recorded(row_id, error, permanent, channel_id, message_ts, settlement, deferred)
    record_many(session, model, [outcome], holder=holder, now=now)


def record_many(session: Session, model: Claimed, outcomes: Sequence[Recorded], *, holder: str, now: datetime) -> None:
    """:func:`record` for several sends: one statement for each kind of outcome among them (sent, failed,
    to retry), each row still ``holder``'s claim."""
    table = cast(Table, model.__table__)
    kinds: dict[tuple[tuple[str, ...], bool], list[dict[str, Any]]] = {}
    for outcome in outcomes:
        values = _values(outcome, now)
        deferred = outcome.deferred and outcome.error is not None and not outcome.permanent
        row = {"row_id": outcome.row_id, **{f"new_{name}": value for name, value in values.items()}}
        kinds.setdefault((tuple(sorted(values)), deferred), []).append(row)
    for (columns, deferred), rows in kinds.items():
        changes: dict[str, Any] = {name: bindparam(f"new_{name}") for name in columns}
        if deferred:  # the retry is not used up
            changes["attempts"] = table.c.attempts - 1
        session.execute(
            update(table)
            .where(
                table.c.id == bindparam("row_id"),
                table.c.claimed_by == holder,
                table.c.status == ReminderStatus.CLAIMED,
            )
            .values(changes),
            rows,
        )


def _values(outcome: Recorded, now: datetime) -> dict[str, Any]:
    values: dict[str, Any]
    if outcome.error is None:
        values = {"status": ReminderStatus.SENT, "sent_at": now, "error": "", "message_ts": outcome.message_ts}
    elif outcome.permanent:
        values = {"status": ReminderStatus.FAILED, "error": outcome.error[:200], "message_ts": outcome.message_ts}
    else:
        values = {"error": outcome.error[:200]}
    if outcome.channel_id:
        values["channel_id"] = outcome.channel_id
    if outcome.settlement:
        values["settlement"] = outcome.settlement[:200]
    return values
