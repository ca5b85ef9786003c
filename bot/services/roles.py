"""Admin and chair roles per workspace. Admins from ICTBOT_ADMINS are admins from the start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, NotAllowed
from models import Role, RoleGrant, Workspace


@dataclass(frozen=True, slots=True)
class RoleEntry:
    user_id: str
    role: Role
    source: str  # "ICTBOT_ADMINS" or "granted by U…"


def roles_of(session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str]) -> set[Role]:
    roles = set(
        session.scalars(select(RoleGrant.role).where(RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id))
    )
    if user_id in set(env_admins):
        roles.add(Role.ADMIN)
    return roles


def is_admin(session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str]) -> bool:
    return Role.ADMIN in roles_of(session, ws, user_id, env_admins)


def require_admin(session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str], action: str) -> None:
    if not is_admin(session, ws, user_id, env_admins):
        raise NotAllowed(f"Only an ICT admin can {action}. Ask an admin (see `ictbot roles list`) to do it.")


def require_chair_or_admin(
    session: Session, ws: Workspace, user_id: str, env_admins: Iterable[str], action: str
) -> None:
    if not roles_of(session, ws, user_id, env_admins) & {Role.CHAIR, Role.ADMIN}:
        raise NotAllowed(
            f"Only the chair or an ICT admin can {action}. Ask one of them (see `ictbot roles list`) to do it."
        )


def grant(session: Session, ws: Workspace, user_id: str, role: Role, *, by: str, now: datetime) -> bool:
    """Grant a role; False when the user already had it."""
    exists = session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id, RoleGrant.role == role
        )
    )
    if exists:
        return False
    session.add(RoleGrant(workspace_id=ws.id, user_id=user_id, role=role, granted_by=by, created_at=now))
    session.flush()
    return True


def revoke(session: Session, ws: Workspace, user_id: str, role: Role, env_admins: Iterable[str]) -> bool:
    """Revoke a granted role; False when there was nothing to revoke."""
    if role is Role.ADMIN and user_id in set(env_admins):
        raise DomainError(f"{user_id} is an admin through ICTBOT_ADMINS; remove them from that setting to revoke it.")
    result = session.execute(
        delete(RoleGrant).where(RoleGrant.workspace_id == ws.id, RoleGrant.user_id == user_id, RoleGrant.role == role)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def list_roles(session: Session, ws: Workspace, env_admins: Iterable[str]) -> list[RoleEntry]:
    entries = [RoleEntry(user_id=u, role=Role.ADMIN, source="ICTBOT_ADMINS") for u in sorted(set(env_admins))]
    grants = session.scalars(
        select(RoleGrant).where(RoleGrant.workspace_id == ws.id).order_by(RoleGrant.role, RoleGrant.user_id)
    )
    entries += [RoleEntry(user_id=g.user_id, role=g.role, source=f"granted by {g.granted_by}") for g in grants]
    return entries
