"""What an owner's reminder chases besides stale projects: their open actions (overdue or not) and their
open risks past the review date. :mod:`bot.services.reminders` puts them in the same claims, so each is
chased once per stage. Reads only; the day is the meeting series' local today, passed in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.registers.refs import ACTION, RISK, label
from models import Project, Workspace
from models.registers import ActionItem, ItemStatus, RaidItem, RaidKind

__all__ = ["Chased", "ChasedAction", "ChasedRisk", "by_owner", "labels", "of"]


@dataclass(frozen=True, slots=True)
class ChasedAction:
    id: int
    text: str
    due_on: date
    project_ref: str | None
    overdue: bool  # due before the day it was chased

    @property
    def label(self) -> str:
        return label(ACTION, self.id)


@dataclass(frozen=True, slots=True)
class ChasedRisk:
    id: int
    text: str
    review_on: date
    project_ref: str | None
    score: int

    @property
    def label(self) -> str:
        return label(RISK, self.id)


@dataclass(frozen=True, slots=True)
class Chased:
    actions: tuple[ChasedAction, ...] = ()
    risks: tuple[ChasedRisk, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.actions or self.risks)


def by_owner(session: Session, ws: Workspace, today: date, users: Iterable[str] | None = None) -> dict[str, Chased]:
    """Each owner's open actions and open risks past review on ``today`` (only ``users``' when given)."""
    wanted = None if users is None else list(users)
    actions: dict[str, list[ChasedAction]] = defaultdict(list)
    risks: dict[str, list[ChasedRisk]] = defaultdict(list)
    for a, ref in _open_actions(session, ws, wanted):
        actions[a.owner_user_id].append(ChasedAction(a.id, a.text, a.due_on, ref, a.due_on < today))
    for r, ref in _risks_past_review(session, ws, today, wanted):
        assert r.review_on is not None
        score = (r.likelihood or 0) * (r.impact or 0)
        risks[r.owner_user_id].append(ChasedRisk(r.id, r.text, r.review_on, ref, score))
    return {u: Chased(tuple(actions[u]), tuple(risks[u])) for u in sorted(set(actions) | set(risks))}


def of(session: Session, ws: Workspace, today: date, user: str) -> Chased:
    """``user``'s open actions and risks past review on ``today``."""
    return by_owner(session, ws, today, [user]).get(user, Chased())


def labels(chased: Chased) -> list[str]:
    """``A3``, ``R12``…: what a reminder chased, for its record."""
    return [a.label for a in chased.actions] + [r.label for r in chased.risks]


def _open_actions(session: Session, ws: Workspace, users: list[str] | None) -> list[tuple[ActionItem, str | None]]:
    query = (
        select(ActionItem, Project.ref)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id, ActionItem.status == ItemStatus.OPEN)
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    if users is not None:
        query = query.where(ActionItem.owner_user_id.in_(users))
    return [(a, ref) for a, ref in session.execute(query)]


def _risks_past_review(
    session: Session, ws: Workspace, today: date, users: list[str] | None
) -> list[tuple[RaidItem, str | None]]:
    query = (
        select(RaidItem, Project.ref)
        .outerjoin(Project, Project.id == RaidItem.project_id)
        .where(
            RaidItem.workspace_id == ws.id,
            RaidItem.kind == RaidKind.RISK,
            RaidItem.status == ItemStatus.OPEN,
            RaidItem.review_on < today,
        )
        .order_by(RaidItem.review_on, RaidItem.id)
    )
    if users is not None:
        query = query.where(RaidItem.owner_user_id.in_(users))
    return [(r, ref) for r, ref in session.execute(query)]
