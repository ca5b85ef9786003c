"""Workspaces: every row and every query belongs to one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import strategy as strategy_service
from models import Workspace
from models.db import insert_missing


def get_or_create(
    session: Session, external_id: str, *, now: datetime, name: str = "", platform: str = "slack"
) -> Workspace:
    """The workspace for a Slack team or Teams tenant, created on first contact with the default strategy.

    A burst of first requests may all find none: each inserts it if missing (see
    :func:`models.db.insert_missing`), the one whose row went in loads the strategy in the same
    transaction, and the others read the row that transaction committed, strategy and all.
    """
    ws = find(session, external_id, platform)
    if ws is not None:
        return ws
    row = {"platform": platform, "external_id": external_id, "name": name, "created_at": now}
    created = insert_missing(session, Workspace, [row], key=("platform", "external_id"))
    ws = find(session, external_id, platform)
    if ws is None:  # neither inserted nor committed by another: the database broke its own constraint
        raise RuntimeError(f"workspace {platform}:{external_id} was neither inserted nor found")
    if created:
        strategy_service.load(session, ws, strategy_service.default_strategy_data(), now=now)
    return ws


# Built once: every request looks its workspace up.
_BY_EXTERNAL_ID = select(Workspace).where(
    Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("external_id")
)


def find(session: Session, external_id: str, platform: str = "slack") -> Workspace | None:
    return session.execute(_BY_EXTERNAL_ID, {"platform": platform, "external_id": external_id}).scalar_one_or_none()


def mark_installed(ws: Workspace, *, name: str = "") -> bool:
    """The app is (again) installed in ``ws``: cancel a pending purge. True when it had been uninstalled."""
    was_uninstalled = ws.uninstalled_at is not None
    ws.uninstalled_at = None
    if name:
        ws.name = name
    return was_uninstalled


def mark_uninstalled(session: Session, external_id: str, *, now: datetime, platform: str = "slack") -> Workspace | None:
    """The app was uninstalled from this team: its data is kept for the retention period, then purged.

    None when the team never used the bot (nothing is stored, so nothing to purge). A second notice
    keeps the first time, so the retention period is not extended by Slack's retries.
    """
    ws = find(session, external_id, platform)
    if ws is not None and ws.uninstalled_at is None:
        ws.uninstalled_at = now
    return ws
