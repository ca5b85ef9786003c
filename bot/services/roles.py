"""Roles per workspace: who may manage the Work Plan and the roles, and who chairs the governance group.

- **admin**: named in ICTBOT_ADMINS (the caller passes them in, see ``Settings.admins_for``), or granted.
- **chair**: granted by an admin, or a member of the workspace's chairs' user group
  (``Workspace.chair_usergroup_id``) when one is set.
- **owner**, **delegate** and **member** are never granted: they follow from the Work Plan and from
  being in the workspace at all.
Nothing here calls a chat platform: the caller hands in a :data:`GroupMembers` lookup, called only when
the answer matters, which answers an empty set when it cannot tell (the granted roles then stand alone).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.wording import Text
from models import Role, RoleGrant, Workspace
from models.db import insert_missing

__all__ = [
    "GROUP_CACHE_TTL",
    "USERGROUP_ID",
    "AdminBySetting",
    "GroupCache",
    "GroupMembers",
    "LastAdmin",
    "RoleEntry",
    "chairs",
    "grant",
    "is_admin",
    "is_chair_or_admin",
    "list_roles",
    "parse_usergroup_id",
    "require_admin",
    "require_chair_or_admin",
    "revoke",
    "roles_of",
    "set_chair_usergroup",
]

GroupMembers = Callable[[str], Collection[str]]
"""The members of a Slack user group, by the group's ID; empty when they cannot be found out."""

USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
GROUP_CACHE_TTL = timedelta(minutes=5)  # how long a user group's members, as Slack gave them, are trusted


@dataclass(frozen=True, slots=True)
class RoleEntry:
    user_id: str
    role: Role
    source: str  # "ICTBOT_ADMINS" or "granted by U…"
    granted_by: str | None = None  # None: from ICTBOT_ADMINS
    granted_at: datetime | None = None


class AdminBySetting(DomainError):
    """The admin role of someone ICTBOT_ADMINS names cannot be revoked: the setting would give it back."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"{user_id} is an admin through ICTBOT_ADMINS; remove them from that setting to revoke it.")
        self.user_id = user_id


class LastAdmin(DomainError):
    """Revoking this admin would leave the workspace with nobody who can grant roles."""

    def __init__(self, user_id: str) -> None:
        super().__init__(
            f"{user_id} is the last admin of this workspace and ICTBOT_ADMINS names none for it; "
            "grant admin to someone else first, so that somebody can still manage the roles."
        )
        self.user_id = user_id


# -- who has which role ----------------------------------------------------------------------------
def _granted(session: Session, ws: Workspace, user_id: str) -> set[Role]:
    return set(
        session.scalars(select(RoleGrant.role).where(RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id))
    )


def _in_chair_group(ws: Workspace, user_id: str, chair_group: GroupMembers | None) -> bool:
    return bool(ws.chair_usergroup_id and chair_group is not None and user_id in chair_group(ws.chair_usergroup_id))


def roles_of(
    session: Session,
    ws: Workspace,
    user_id: str,
    env_admins: Iterable[str],
    *,
    chair_group: GroupMembers | None = None,
) -> set[Role]:
    """The roles ``user_id`` holds in ``ws``: granted, from ICTBOT_ADMINS (``env_admins``: the admins it
    names for this workspace) and, with ``chair_group``, chair through the chairs' user group."""
    roles = _granted(session, ws, user_id)
    if user_id in set(env_admins):
        roles.add(Role.ADMIN)
    if Role.CHAIR not in roles and _in_chair_group(ws, user_id, chair_group):
        roles.add(Role.CHAIR)
    return roles


def is_admin(session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str]) -> bool:
    return user_id in set(env_admins) or Role.ADMIN in _granted(session, ws, user_id)


def is_chair_or_admin(
    session: Session,
    ws: Workspace,
    user_id: str,
    env_admins: Iterable[str],
    *,
    chair_group: GroupMembers | None = None,
) -> bool:
    """A chair or an admin; the user group is only looked at when the granted roles do not settle it."""
    if user_id in set(env_admins) or _granted(session, ws, user_id) & {Role.CHAIR, Role.ADMIN}:
        return True
    return _in_chair_group(ws, user_id, chair_group)


def require_admin(session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str], action: str) -> None:
    if not is_admin(session, ws, user_id, env_admins):
        raise NotAllowed(Text("Only an ICT admin can {action}. Ask an admin ({who_admins}) to do it.", action=action))


def require_chair_or_admin(
    session: Session,
    ws: Workspace,
    user_id: str,
    env_admins: Iterable[str],
    action: str,
    *,
    chair_group: GroupMembers | None = None,
) -> None:
    if not is_chair_or_admin(session, ws, user_id, env_admins, chair_group=chair_group):
        raise NotAllowed(
            Text("Only the chair or an ICT admin can {action}. Ask one of them ({who_admins}) to do it.", action=action)
        )


def chairs(
    session: Session, ws: Workspace, env_admins: Iterable[str], *, chair_group: GroupMembers | None = None
) -> list[str]:
    """The chairs of the governance group: granted the role, or members of the chairs' user group (when
    ``chair_group`` can say who they are). The admins stand in when there is no chair."""
    found = set(
        session.scalars(select(RoleGrant.user_id).where(RoleGrant.workspace_id == ws.id, RoleGrant.role == Role.CHAIR))
    )
    if ws.chair_usergroup_id and chair_group is not None:
        found |= set(chair_group(ws.chair_usergroup_id))
    if found:
        return sorted(found)
    return sorted({e.user_id for e in list_roles(session, ws, env_admins) if e.role is Role.ADMIN})


def list_roles(session: Session, ws: Workspace, env_admins: Iterable[str]) -> list[RoleEntry]:
    """ICTBOT_ADMINS' admins first, then the grants by role and user. The chairs' user group is
    ``ws.chair_usergroup_id``."""
    entries = [RoleEntry(user_id=u, role=Role.ADMIN, source="ICTBOT_ADMINS") for u in sorted(set(env_admins))]
    grants = session.scalars(
        select(RoleGrant).where(RoleGrant.workspace_id == ws.id).order_by(RoleGrant.role, RoleGrant.user_id)
    )
    entries += [
        RoleEntry(
            user_id=g.user_id,
            role=g.role,
            source=f"granted by {g.granted_by}",
            granted_by=g.granted_by,
            granted_at=g.created_at,
        )
        for g in grants
    ]
    return entries


# -- changing them ---------------------------------------------------------------------------------
def grant(
    session: Session,
    ws: Workspace,
    user_id: str,
    role: Role,
    *,
    by: str,
    now: datetime,
    env_admins: Iterable[str] = (),
) -> bool:
    """Grant a role; False, with nothing written, when the user already has it (granted, or admin
    through ICTBOT_ADMINS)."""
    if role is Role.ADMIN and user_id in set(env_admins):
        return False
    row = {"workspace_id": ws.id, "user_id": user_id, "role": role, "granted_by": by, "created_at": now}
    # The same grant by a simultaneous request: one goes in, the other is told it was there.
    return bool(insert_missing(session, RoleGrant, [row], key=("workspace_id", "user_id", "role")))


def revoke(session: Session, ws: Workspace, user_id: str, role: Role, env_admins: Iterable[str]) -> bool:
    """Revoke a granted role; False when there was nothing to revoke.

    Refuses (:class:`AdminBySetting`) the admin role of someone ICTBOT_ADMINS names, and
    (:class:`LastAdmin`) the last granted admin of a workspace for which ICTBOT_ADMINS names nobody:
    the workspace would be left with no one to grant roles in Slack.
    """
    admins = set(env_admins)
    if role is Role.ADMIN and user_id in admins:
        raise AdminBySetting(user_id)
    if role is Role.ADMIN and not admins:
        # One role change at a time per workspace: two admins revoking each other at once must not both win.
        # A write to the workspace's row is that lock on every backend: a row lock on PostgreSQL, the
        # database's write lock on SQLite, which has no row lock (SELECT … FOR UPDATE locks nothing there).
        session.execute(
            update(Workspace).where(Workspace.id == ws.id).values(name=Workspace.name),
            execution_options={"synchronize_session": False},
        )
        others = session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.workspace_id == ws.id, RoleGrant.role == Role.ADMIN, RoleGrant.user_id != user_id)
        )
        if not others and Role.ADMIN in _granted(session, ws, user_id):
            raise LastAdmin(user_id)
    result = session.execute(
        delete(RoleGrant).where(RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id, RoleGrant.role == role)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def parse_usergroup_id(value: str) -> str | None:
    """A user group ID (``S…``), or None for ``none``; anything else is refused."""
    value = value.strip()
    if value.lower() == "none":
        return None
    if not USERGROUP_ID.match(value):
        raise InvalidInput(Text("`{typed}` is not a Slack user group ID such as S012ABCDEF (or `none`).", typed=value))
    return value


def set_chair_usergroup(ws: Workspace, group_id: str | None) -> bool:
    """Make the members of ``group_id`` chairs (None: no group); False when it was already so."""
    if ws.chair_usergroup_id == group_id:
        return False
    ws.chair_usergroup_id = group_id
    return True


# -- the user group's members, as Slack last gave them ---------------------------------------------
class GroupCache:
    """Members of user groups per team, each kept until it expires. Thread-safe; ``now`` is passed in."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[datetime, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, group_id: str, now: datetime) -> frozenset[str] | None:
        """The members, or None when they are not known or have expired."""
        with self._lock:
            entry = self._entries.get((team_id, group_id))
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def put(self, team_id: str, group_id: str, members: Iterable[str], *, until: datetime) -> frozenset[str]:
        found = frozenset(members)
        with self._lock:
            self._entries[(team_id, group_id)] = (until, found)
        return found
