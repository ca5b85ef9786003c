"""The people directory: who a chat user id is, so that every output can show a name, not ``U0PEPO``.

Slack's ``users.info``/``users.list``/``user_change`` and the name Teams sends with an activity fill it
(:func:`record`, which marks the entry refreshed); a Work Plan CSV's ``owner_name`` fills a name the
platform has not given yet (:func:`fill`). An entry the platform gave more than :data:`FRESH_FOR` ago is
:func:`stale`, and the platforms ask again only for those. Nothing here calls a chat platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from models import Person, Workspace
from models.db import column_length, upsert_insert

__all__ = [
    "FRESH_FOR",
    "Entry",
    "by_email",
    "directory",
    "display",
    "everyone",
    "fill",
    "labelled",
    "names",
    "record",
    "seen",
    "stale",
]

FRESH_FOR = timedelta(days=1)  # how long a name the platform gave is used before it is asked again
_NAME = column_length(Person.name)
_TITLE = column_length(Person.title)
_USER_ID = column_length(Person.user_id)
_EMAIL = column_length(Person.email)


@dataclass(frozen=True, slots=True)
class Entry:
    """One person as a platform describes them."""

    user_id: str
    name: str
    title: str = ""
    email: str = ""  # where the platform gives one (Slack's profile.email, with users:read.email)


def display(name: str | None, user_id: str) -> str:
    """What to show for ``user_id``: its name, or the id itself when the directory has none."""
    return name.strip() if name and name.strip() else user_id


def labelled(people: Mapping[str, str], user_id: str) -> str:
    """For an admin, who must be able to act on the id: ``Jane Smith (U0PEPO)``, or the id alone."""
    shown = display(people.get(user_id), user_id)
    return user_id if shown == user_id else f"{shown} ({user_id})"


def names(session: Session, ws: Workspace, user_ids: Iterable[str]) -> dict[str, str]:
    """User id → name, for those of ``user_ids`` the directory knows (one statement)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.user_id, Person.name).where(Person.workspace_id == ws.id, Person.user_id.in_(wanted))
    )
    return {user_id: name for user_id, name in rows if name}


def by_email(session: Session, ws: Workspace, emails: Iterable[str]) -> dict[str, str]:
    """E-mail address (lower case) → user id, for those of ``emails`` the directory knows (any case)."""
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person.email, Person.user_id)
        .where(Person.workspace_id == ws.id, Person.email.in_(wanted))
        .order_by(Person.refreshed_at.desc().nulls_last(), Person.id)
    )
    found: dict[str, str] = {}
    for email, user_id in rows:
        found.setdefault(email, user_id)
    return found


def directory(session: Session, ws: Workspace) -> dict[str, str]:
    """User id → name for everyone the workspace's directory knows (for a whole document's names)."""
    rows = session.execute(select(Person.user_id, Person.name).where(Person.workspace_id == ws.id))
    return {user_id: name for user_id, name in rows if name}


def everyone(session: Session, ws: Workspace) -> list[Person]:
    """The workspace's whole directory, by user id."""
    return list(session.scalars(select(Person).where(Person.workspace_id == ws.id).order_by(Person.user_id)))


def stale(session: Session, ws: Workspace, user_ids: Iterable[str], now: datetime) -> list[str]:
    """Those of ``user_ids`` (in their order, once each) the platform should be asked about: no entry,
    a name only a CSV gave, or one the platform gave more than :data:`FRESH_FOR` before ``now``."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    fresh = set(
        session.scalars(
            select(Person.user_id).where(
                Person.workspace_id == ws.id,
                Person.user_id.in_(wanted),
                Person.refreshed_at.is_not(None),
                Person.refreshed_at > now - FRESH_FOR,
            )
        )
    )
    return [user_id for user_id in wanted if user_id not in fresh]


def record(session: Session, ws: Workspace, entries: Iterable[Entry], *, now: datetime) -> int:
    """Store what the platform said about each of ``entries`` at ``now``: one ``INSERT … ON CONFLICT DO
    UPDATE``, so two processes recording the same person at once leave one entry (the later), not an
    error. Entries with no name are skipped; the last of several for one id wins. How many were stored."""
    rows = _rows(ws, entries, refreshed_at=now)
    if not rows:
        return 0
    statement = upsert_insert(session, Person).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "user_id"],
            set_={
                "name": statement.excluded.name,
                "title": statement.excluded.title,
                "refreshed_at": statement.excluded.refreshed_at,
                # An answer without an address (Teams, a token without users:read.email) keeps the one known.
                "email": case((statement.excluded.email != "", statement.excluded.email), else_=Person.email),
            },
        )
    )
    return len(rows)


def fill(session: Session, ws: Workspace, given: Mapping[str, str]) -> None:
    """Names from elsewhere than the platform (a Work Plan CSV's ``owner_name``): stored where the platform
    has given none, and left for the platform's next answer to replace (they stay :func:`stale`)."""
    rows = _rows(ws, (Entry(user_id, name) for user_id, name in given.items()), refreshed_at=None)
    if not rows:
        return
    statement = upsert_insert(session, Person).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "user_id"],
            set_={"name": statement.excluded.name},
            where=Person.__table__.c.refreshed_at.is_(None),
        )
    )


def seen(session: Session, ws: Workspace, entry: Entry, *, now: datetime) -> bool:
    """A person the platform just named (a Teams activity's sender): recorded when the directory has no
    fresh entry for them, so a conversation writes it at most once a day. Whether it was."""
    if not entry.name.strip() or not stale(session, ws, [entry.user_id], now):
        return False
    return bool(record(session, ws, [entry], now=now))


def _rows(ws: Workspace, entries: Iterable[Entry], *, refreshed_at: datetime | None) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}  # one per id: ON CONFLICT may not touch a row twice in a statement
    for e in entries:
        name, user_id = e.name.strip()[:_NAME], e.user_id.strip()
        if not name or not user_id or len(user_id) > _USER_ID:
            continue
        rows[user_id] = {
            "workspace_id": ws.id,
            "user_id": user_id,
            "name": name,
            "title": e.title.strip()[:_TITLE],
            "email": e.email.strip().lower() if len(e.email.strip()) <= _EMAIL else "",
            "refreshed_at": refreshed_at,
        }
    return list(rows.values())
