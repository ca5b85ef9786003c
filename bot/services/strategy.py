"""Strategies and their ordered priorities, loaded from YAML; one active, old ones kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError, InvalidInput
from models import Priority, Strategy, Workspace
from models.db import column_length, unstorable_text

DEFAULT_STRATEGY = "strategy_2014_2016.yaml"
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
MAX_PERIOD = column_length(Strategy.period)


@dataclass(frozen=True, slots=True)
class PriorityView:
    code: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class StrategyView:
    name: str
    period: str
    active: bool
    priorities: tuple[PriorityView, ...]


def default_strategy_data() -> dict[str, Any]:
    return parse_yaml((files("bot") / "data" / DEFAULT_STRATEGY).read_text(encoding="utf-8"))


def parse_yaml(text: str) -> dict[str, Any]:
    """Parse and check a strategy file; the error names the key that is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The strategy file is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput("The strategy file must be a mapping with `name` and `priorities`.")
    for path, why in unstorable_text(data, first=1):  # counted as the file's other messages count
        raise InvalidInput(f"The strategy file's {path} {why}; retype it.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("The strategy file needs a `name` (text, at most 200 characters).")
    if len(str(data.get("period") or "")) > MAX_PERIOD:
        raise InvalidInput(f"The strategy file's period must be text of at most {MAX_PERIOD} characters.")
    priorities = data.get("priorities")
    if not isinstance(priorities, list) or not priorities:
        raise InvalidInput("The strategy file needs a non-empty `priorities` list.")
    seen: set[str] = set()
    for i, item in enumerate(priorities, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(f"priorities[{i}] must be a mapping with `code` and `name`.")
        code, pname = item.get("code"), item.get("name")
        if not isinstance(code, str) or not CODE.match(code):
            raise InvalidInput(f"priorities[{i}].code must be a short code of letters, digits, - or _ (e.g. ARCH).")
        if code.upper() in seen:
            raise InvalidInput(f"priorities[{i}].code {code!r} is used twice.")
        seen.add(code.upper())
        if not isinstance(pname, str) or not pname.strip() or len(pname) > 200:
            raise InvalidInput(f"priorities[{i}].name must be text of at most 200 characters.")
    return data


def load(session: Session, ws: Workspace, data: dict[str, Any], *, now: datetime) -> Strategy:
    """Add a strategy and make it the active one; earlier strategies stay, inactive and readable."""
    name = str(data["name"]).strip()
    if session.scalar(select(Strategy.id).where(Strategy.workspace_id == ws.id, Strategy.name == name)):
        raise DomainError(f"This workspace already has a strategy called {name!r}; give the new one another name.")
    session.execute(update(Strategy).where(Strategy.workspace_id == ws.id).values(active=False))
    strategy = Strategy(
        workspace_id=ws.id,
        name=name,
        period=str(data.get("period") or ""),
        description=str(data.get("description") or "").strip(),
        active=True,
        created_at=now,
    )
    strategy.priorities = [
        Priority(
            position=i,
            code=str(p["code"]).upper(),
            name=str(p["name"]).strip(),
            description=str(p.get("description") or "").strip(),
        )
        for i, p in enumerate(data["priorities"], start=1)
    ]
    session.add(strategy)
    session.flush()
    return strategy


def active(session: Session, ws: Workspace) -> Strategy:
    strategy = session.scalar(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id, Strategy.active.is_(True))
        .options(selectinload(Strategy.priorities))
    )
    if strategy is None:
        raise DomainError("This workspace has no active strategy; load one with `ictbot strategy load FILE`.")
    return strategy


def all_strategies(session: Session, ws: Workspace) -> list[StrategyView]:
    rows = session.scalars(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id)
        .order_by(Strategy.created_at, Strategy.id)
        .options(selectinload(Strategy.priorities))
    ).all()
    return [
        StrategyView(
            name=s.name,
            period=s.period,
            active=s.active,
            priorities=tuple(PriorityView(p.code, p.name, p.description) for p in s.priorities),
        )
        for s in rows
    ]


def find_priority(strategy: Strategy, code_or_name: str) -> Priority | None:
    """A priority of the strategy by its code or its name, case-insensitively."""
    key = code_or_name.strip().casefold()
    for p in strategy.priorities:
        if p.code.casefold() == key or p.name.casefold() == key:
            return p
    return None


def priority_choices(strategy: Strategy) -> str:
    return ", ".join(f"{p.code} ({p.name})" for p in strategy.priorities)
