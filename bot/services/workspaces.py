"""Workspaces: every row and every query belongs to one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import strategy as strategy_service
from models import Workspace


def get_or_create(
    session: Session, external_id: str, *, now: datetime, name: str = "", platform: str = "slack"
) -> Workspace:
    """The workspace for a Slack team, created on first contact with the default strategy."""
    ws = session.scalar(select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id))
    if ws is not None:
        return ws
    ws = Workspace(platform=platform, external_id=external_id, name=name, created_at=now)
    session.add(ws)
    session.flush()
    strategy_service.load(session, ws, strategy_service.default_strategy_data(), now=now)
    return ws


def find(session: Session, external_id: str, platform: str = "slack") -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id))


def only_workspace(session: Session) -> Workspace | None:
    """The one workspace in the database, or None when there is none.

    Raises when there are several, since then the caller must say which (``--team``).
    """
    rows = session.scalars(select(Workspace).order_by(Workspace.id).limit(2)).all()
    if len(rows) > 1:
        teams = ", ".join(w.external_id for w in session.scalars(select(Workspace).order_by(Workspace.id)))
        raise DomainError(f"This database holds several workspaces ({teams}); say which with --team TEAM_ID.")
    return rows[0] if rows else None
