"""Deleting a workspace's data a while after the app was uninstalled from it.

Once ``ICTBOT_RETENTION_DAYS`` have passed since ``Workspace.uninstalled_at``, :func:`purge_due` deletes
everything the workspace holds and leaves a :class:`models.PurgeRecord` saying which team it was, when,
why, and how many rows of each table went (no officer text). Installing the app again before then
cancels the purge. Which rows belong to a workspace is read from the schema, not listed by hand; each
workspace is purged in one transaction, so a purge that fails deletes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, delete, select
from sqlalchemy.orm import Session

from models import Base, InboundDelivery, PurgeRecord, Workspace
from models.install import slack_bots, slack_installations

__all__ = ["NOT_BY_WORKSPACE_ID", "Purged", "due", "purge", "purge_due"]

log = logging.getLogger(__name__)

# Tables whose rows are not found by workspace id: the workspace itself; rows kept by team id, which
# purge() deletes by team; and rows that belong to no workspace. Any other table must lead to a
# workspace_id, or _owned_tables() refuses to guess.
NOT_BY_WORKSPACE_ID = frozenset(
    {
        "workspace",
        "inbound_delivery",
        "slack_installations",
        "slack_bots",
        "lease",
        "purge_record",
        "slack_oauth_states",
    }
)


@dataclass(frozen=True, slots=True)
class Purged:
    team_id: str
    name: str
    uninstalled_at: datetime
    deleted: dict[str, int]  # table -> rows


def due(session: Session, *, now: datetime, days: int) -> list[Workspace]:
    """Workspaces uninstalled at least ``days`` days before ``now``, oldest first."""
    cutoff = now - timedelta(days=days)
    return list(
        session.scalars(
            select(Workspace)
            .where(Workspace.uninstalled_at.is_not(None), Workspace.uninstalled_at <= cutoff)
            .order_by(Workspace.uninstalled_at, Workspace.id)
        )
    )


def purge(session: Session, ws: Workspace, *, now: datetime, reason: str) -> Purged:
    """Delete everything ``ws`` holds and record it; the caller commits (all or nothing)."""
    deleted: dict[str, int] = {}
    for table, belongs in _owned_tables():
        count = _rowcount(session.execute(delete(table).where(belongs(ws.id))))
        if count:
            deleted[table.name] = count
    team = ws.external_id
    by_team: tuple[tuple[str, Any], ...] = (
        ("inbound_delivery", delete(InboundDelivery).where(InboundDelivery.team_id == team)),
        (slack_installations.name, delete(slack_installations).where(slack_installations.c.team_id == team)),
        (slack_bots.name, delete(slack_bots).where(slack_bots.c.team_id == team)),
    )
    for name, statement in by_team:
        count = _rowcount(session.execute(statement))
        if count:
            deleted[name] = count
    uninstalled_at = ws.uninstalled_at or now
    session.delete(ws)
    session.flush()
    deleted["workspace"] = 1
    session.add(
        PurgeRecord(
            platform=ws.platform,
            team_id=team,
            name=ws.name,
            uninstalled_at=uninstalled_at,
            purged_at=now,
            reason=reason,
            deleted=deleted,
        )
    )
    session.flush()
    return Purged(team_id=team, name=ws.name, uninstalled_at=uninstalled_at, deleted=deleted)


def purge_due(sessions: Callable[[], Session], *, now: datetime, days: int) -> list[Purged]:
    """Purge every workspace whose retention period is over, each in a transaction of its own."""
    with sessions() as session:
        ids = [ws.id for ws in due(session, now=now, days=days)]
    done: list[Purged] = []
    for ws_id in ids:
        with sessions() as session, session.begin():
            ws = session.get(Workspace, ws_id)
            if ws is None or ws.uninstalled_at is None:  # purged or reinstalled meanwhile
                continue
            purged = purge(session, ws, now=now, reason=f"retention: {days} days after uninstall")
        log.info(
            "purged workspace %s (%s), uninstalled %s: %s",
            purged.team_id,
            purged.name,
            purged.uninstalled_at.isoformat(),
            ", ".join(f"{n} {t}" for t, n in sorted(purged.deleted.items())),
        )
        done.append(purged)
    return done


def _owned_tables() -> list[tuple[Table, Callable[[int], ColumnElement[bool]]]]:
    """Each table holding a workspace's rows, children first, with how to select one workspace's."""
    owned: dict[str, Callable[[int], ColumnElement[bool]]] = {}
    tables = [t for t in Base.metadata.sorted_tables if isinstance(t, Table)]
    for table in tables:  # parents first, so a child can refer to its parent's selection
        if table.name in NOT_BY_WORKSPACE_ID:
            continue
        if "workspace_id" in table.c:
            owned[table.name] = _direct(table)
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if isinstance(parent, Table) and "workspace_id" in parent.c:
                owned[table.name] = _through(fk.parent, parent, fk.column)
                break
        else:
            raise AssertionError(f"{table.name}: cannot tell which workspace its rows belong to; teach retention")
    by_name = {t.name: t for t in tables}
    return [(by_name[name], belongs) for name, belongs in reversed(owned.items())]


def _direct(table: Table) -> Callable[[int], ColumnElement[bool]]:
    return lambda ws_id: table.c.workspace_id == ws_id


def _through(column: Column[Any], parent: Table, key: Column[Any]) -> Callable[[int], ColumnElement[bool]]:
    return lambda ws_id: column.in_(select(key).where(parent.c.workspace_id == ws_id))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
