"""Home is published at most once a minute per person, across every process: the throttle's rows.

:func:`take` decides whether a publish may go now: the first for a person is an insert only one racer
wins (``INSERT … ON CONFLICT DO NOTHING``), later ones a conditional UPDATE on the last publish's time, so
two processes at once publish once. One inside the minute marks the row stale instead (when something
changed); the next reconcile pass publishes the stale ones whose minute has passed (:func:`stale`).
``now`` is the runtime's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import HomeView, Workspace
from models.db import insert_missing

__all__ = ["EVERY", "failed", "record", "stale", "take"]

EVERY = timedelta(minutes=1)  # at most one publish a minute per person


def take(session: Session, ws: Workspace, user_id: str, *, now: datetime, changed: bool = True) -> bool:
    """True: publish ``user_id``'s Home now (recorded as published at ``now``). False: it was published
    less than a minute ago; the row is marked stale when ``changed`` (the next pass publishes it)."""
    first = {"workspace_id": ws.id, "user_id": user_id, "published_at": now, "stale": False}
    if insert_missing(session, HomeView, [first], key=("workspace_id", "user_id")):
        return True
    mine = (HomeView.workspace_id == ws.id, HomeView.user_id == user_id)
    taken = session.execute(
        update(HomeView).where(*mine, HomeView.published_at <= now - EVERY).values(published_at=now, stale=False)
    ).rowcount  # type: ignore[attr-defined]
    if taken:
        return True
    if changed:
        session.execute(update(HomeView).where(*mine).values(stale=True))
    return False


def record(session: Session, ws: Workspace, user_id: str, *, now: datetime) -> None:
    """A publish the person asked for (the next page of a list), which goes at once: recorded all the same,
    so that what follows within the minute waits."""
    if not take(session, ws, user_id, now=now, changed=False):
        session.execute(
            update(HomeView)
            .where(HomeView.workspace_id == ws.id, HomeView.user_id == user_id)
            .values(published_at=now, stale=False)
        )


def failed(session: Session, ws: Workspace, user_id: str) -> None:
    """The publish did not go through: left stale, for the next pass after the minute."""
    session.execute(
        update(HomeView).where(HomeView.workspace_id == ws.id, HomeView.user_id == user_id).values(stale=True)
    )


def stale(session: Session, ws: Workspace, *, now: datetime) -> list[str]:
    """The people whose Home is stale and whose minute has passed: the next pass publishes theirs."""
    return list(
        session.scalars(
            select(HomeView.user_id)
            .where(HomeView.workspace_id == ws.id, HomeView.stale.is_(True), HomeView.published_at <= now - EVERY)
            .order_by(HomeView.user_id)
        )
    )
