"""How people type decisions and actions, the same in Slack and Teams: ``text [| project REF]``,
``add OWNER YYYY-MM-DD text [| project REF]``, ``done ID [note]``, ``list [mine|open|overdue]``.

Who ``OWNER`` is, each platform reads its own way (a Slack mention, a Teams e-mail address): this module
returns the word as typed. Nothing here touches the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.errors import InvalidInput
from bot.services.meetings import parse_date
from bot.services.registers.refs import ACTION, parse
from bot.wording import Text

__all__ = ["ActionAdd", "ActionDone", "parse_add", "parse_done", "parse_list", "split_project"]

# ``… | project REF`` at the end of the text (a ``|`` elsewhere is part of the text).
_PROJECT = re.compile(r"\s*\|\s*project\s+(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ActionAdd:
    owner: str  # as typed: the platform reads who it is
    due_on: date
    text: str
    project_ref: str | None


@dataclass(frozen=True, slots=True)
class ActionDone:
    action_id: int
    note: str


def split_project(typed: str) -> tuple[str, str | None]:
    """``text | project REF`` → (text, REF); no such ending: (text, None)."""
    found = _PROJECT.search(typed)
    if found is None:
        return typed.strip(), None
    return typed[: found.start()].strip(), found.group(1)


def parse_add(rest: str) -> ActionAdd:
    """``OWNER YYYY-MM-DD text [| project REF]`` (what follows ``add``)."""
    words = rest.split(maxsplit=2)
    if len(words) < 3:
        raise InvalidInput(
            Text("Give the owner, the due date and the action, e.g. `add @owner 2026-12-01 Circulate the plan`.")
        )
    owner, due, body = words
    text, project_ref = split_project(body)
    return ActionAdd(owner, parse_date(due, "due date"), text, project_ref)


def parse_done(rest: str) -> ActionDone:
    """``ID [note]`` (what follows ``done``)."""
    words = rest.split(maxsplit=1)
    if not words:
        raise InvalidInput(Text("Say which action is done, e.g. `done A3 sent to the board`."))
    return ActionDone(parse(words[0], ACTION), words[1].strip() if len(words) > 1 else "")


def parse_list(rest: str) -> str:
    """``mine`` (the default), ``open`` or ``overdue``."""
    which = rest.strip().lower() or "mine"
    if which not in ("mine", "open", "overdue"):
        raise InvalidInput(Text("Say which actions: `mine`, `open` or `overdue` (not `{which}`).", which=rest[:40]))
    return which
