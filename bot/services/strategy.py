"""Strategies, their ordered priorities and aims, loaded from YAML; one active, old ones kept."""

from __future__ import annotations

import copy
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from bot.errors import DomainError, InvalidInput
from models import Priority, Strategy, StrategyAim, Workspace
from models.db import column_length, unstorable_text

DEFAULT_STRATEGY = "strategy_2014_2016.yaml"
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
MAX_PERIOD = column_length(Strategy.period)
# The keys a strategy file and each of its priorities may have, in the order the README gives them.
STRATEGY_KEYS = ("name", "period", "description", "aims", "priorities")
PRIORITY_KEYS = ("code", "name", "description")


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
    aims: tuple[str, ...]  # in the file's order; none for a strategy without ``aims``


def default_strategy_data() -> dict[str, Any]:
    """The strategy every new workspace starts with (a fresh copy: the caller may change it)."""
    return copy.deepcopy(_default_strategy())


@functools.cache
def _default_strategy() -> dict[str, Any]:
    # Parsed once per process: it ships with the code, and each new workspace would parse it again.
    return parse_yaml((files("bot") / "data" / DEFAULT_STRATEGY).read_text(encoding="utf-8"))


def parse_yaml(text: str) -> dict[str, Any]:
    """Parse and check a strategy file; the error names the key that is wrong."""
    import yaml  # here: a server reads a strategy file only when it makes a workspace

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The strategy file is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput("The strategy file must be a mapping with `name` and `priorities`.")
    _refuse_unknown_keys(data, STRATEGY_KEYS, "")
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
        _refuse_unknown_keys(item, PRIORITY_KEYS, f"priorities[{i}].")
        code, pname = item.get("code"), item.get("name")
        if not isinstance(code, str) or not CODE.match(code):
            raise InvalidInput(f"priorities[{i}].code must be a short code of letters, digits, - or _ (e.g. ARCH).")
        if code.upper() in seen:
            raise InvalidInput(f"priorities[{i}].code {code!r} is used twice.")
        seen.add(code.upper())
        if not isinstance(pname, str) or not pname.strip() or len(pname) > 200:
            raise InvalidInput(f"priorities[{i}].name must be text of at most 200 characters.")
    aims = data.get("aims")
    if aims is not None and not isinstance(aims, list):
        raise InvalidInput("The strategy file's `aims` must be a list, one aim of text per item.")
    for i, aim in enumerate(aims or [], start=1):
        if not isinstance(aim, str) or not aim.strip():
            raise InvalidInput(f"aims[{i}] must be the text of one aim.")
    return data


def _refuse_unknown_keys(mapping: Mapping[object, object], keys: tuple[str, ...], at: str) -> None:
    """Refuse the first key of ``mapping`` that is not one of ``keys``, naming where it is (``at``)."""
    for key in mapping:
        if key in keys:
            continue
        where = "" if at else " in the strategy file"
        close = difflib.get_close_matches(str(key), keys, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise InvalidInput(f"{at}{key}: unknown key{where}{hint}; the keys are {', '.join(keys)}.")


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
    strategy.aims = [StrategyAim(position=i, text=aim.strip()) for i, aim in enumerate(aims_of(data), start=1)]
    session.add(strategy)
    session.flush()
    return strategy


def aims_of(data: Mapping[str, Any]) -> list[str]:
    """The aims of a checked strategy file (:func:`parse_yaml`), none when it has no ``aims``."""
    return [str(aim) for aim in data.get("aims") or []]


def active(session: Session, ws: Workspace) -> Strategy:
    """The workspace's active strategy, with its priorities and its aims (``Strategy.aims``) in order."""
    strategy = session.scalar(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id, Strategy.active.is_(True))
        .options(selectinload(Strategy.priorities), selectinload(Strategy.aims))
    )
    if strategy is None:
        raise DomainError("This workspace has no active strategy; load one with `ictbot strategy load FILE`.")
    return strategy


def active_view(session: Session, ws: Workspace) -> StrategyView:
    """The active strategy as plain values: its priorities and aims in order."""
    return _view(active(session, ws))


def all_strategies(session: Session, ws: Workspace) -> list[StrategyView]:
    rows = session.scalars(
        select(Strategy)
        .where(Strategy.workspace_id == ws.id)
        .order_by(Strategy.created_at, Strategy.id)
        .options(selectinload(Strategy.priorities), selectinload(Strategy.aims))
    ).all()
    return [_view(s) for s in rows]


def _view(s: Strategy) -> StrategyView:
    return StrategyView(
        name=s.name,
        period=s.period,
        active=s.active,
        priorities=tuple(PriorityView(p.code, p.name, p.description) for p in s.priorities),
        aims=tuple(a.text for a in s.aims),
    )


class UnknownStrategy(DomainError):
    """No strategy of the workspace has the name given; the message lists the ones it has."""

    def __init__(self, name: str, names: list[str]) -> None:
        held = "; ".join(names) if names else "none yet"
        super().__init__(
            f"This workspace has no strategy called {name!r}. Its strategies are: {held}. "
            "See them with `ictbot strategy list`."
        )
        self.name = name
        self.names = names


def activate(session: Session, ws: Workspace, name: str) -> tuple[StrategyView, bool]:
    """Make the workspace's strategy called ``name`` the active one, and every other inactive, in one
    statement. The name is matched exactly, else ignoring case and surrounding spaces. Returns the
    strategy and whether it changed anything (False when it was already the active one)."""
    rows = session.scalars(
        select(Strategy).where(Strategy.workspace_id == ws.id).order_by(Strategy.created_at, Strategy.id)
    ).all()
    found = [s for s in rows if s.name == name] or [s for s in rows if s.name.casefold() == name.strip().casefold()]
    if not found:
        raise UnknownStrategy(name, [s.name for s in rows])
    if len(found) > 1:
        raise DomainError(f"{name!r} could be any of {'; '.join(s.name for s in found)}; give the name exactly.")
    chosen = found[0]
    if chosen.active and not any(s.active for s in rows if s is not chosen):
        return active_view(session, ws), False
    session.execute(
        update(Strategy)
        .where(Strategy.workspace_id == ws.id)
        .values(active=Strategy.id == chosen.id)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return active_view(session, ws), True


def find_priority(strategy: Strategy, code_or_name: str) -> Priority | None:
    """A priority of the strategy by its code or its name, case-insensitively."""
    return _named(strategy.priorities, code_or_name)


def _named(priorities: Iterable[Priority], code_or_name: str) -> Priority | None:
    key = code_or_name.strip().casefold()
    return next((p for p in priorities if key in (p.code.casefold(), p.name.casefold())), None)


def active_priority(session: Session, ws: Workspace, code_or_name: str) -> Priority | None:
    """A priority of the active strategy by its code or its name, case-insensitively: one SELECT of the
    priorities alone, for a path that needs no more of the strategy (a project added, one at a time)."""
    priorities = session.scalars(
        select(Priority)
        .join(Strategy, Priority.strategy_id == Strategy.id)
        .where(Strategy.workspace_id == ws.id, Strategy.active.is_(True))
        .order_by(Priority.position)
    )
    return _named(priorities, code_or_name)


def priority_choices(strategy: Strategy) -> str:
    return ", ".join(f"{p.code} ({p.name})" for p in strategy.priorities)
