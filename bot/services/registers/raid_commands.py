"""The typed grammar of the risk and issue commands, shared by Slack (`/ict-risk …`) and Teams (`risk …`):

``add REF L I text [| owner @person] [| review YYYY-MM-DD]`` (an issue: ``add REF text [| owner @person]``),
``update ID [L I] [text] [| owner @person] [| review YYYY-MM-DD]``, ``close ID [note]``, ``history ID``,
``list [REF|mine|high]``. How a person is typed is the platform's: it hands in ``owner_of``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.errors import InvalidInput
from bot.services.registers import raid, refs
from bot.wording import Text
from models.registers import RaidKind

__all__ = ["SUBCOMMANDS", "AddForm", "UpdateForm", "item_id", "parse_add", "parse_close", "parse_update", "usage"]

SUBCOMMANDS = ("add", "list", "update", "close", "history", "help")
_BAR = re.compile(r"\|(?![^<>]*>)")  # a bar, but not one inside a mention (Slack's <@U123|name>)
OwnerOf = Callable[[str], str]  # a typed person (a mention, an id) → their user id; InvalidInput if not one

_USAGE = {
    (RaidKind.RISK, "add"): "{cmd} add REF L I text | owner @person | review YYYY-MM-DD",
    (RaidKind.ISSUE, "add"): "{cmd} add REF text | owner @person",
    (RaidKind.RISK, "update"): "{cmd} update ID L I new text | owner @person | review YYYY-MM-DD",
    (RaidKind.ISSUE, "update"): "{cmd} update ID new text | owner @person",
    (RaidKind.RISK, "close"): "{cmd} close ID note",
    (RaidKind.ISSUE, "close"): "{cmd} close ID note",
    (RaidKind.RISK, "history"): "{cmd} history ID",
    (RaidKind.ISSUE, "history"): "{cmd} history ID",
}


@dataclass(frozen=True, slots=True)
class AddForm:
    target: str
    text: str
    likelihood: int | None = None
    impact: int | None = None
    owner: str | None = None
    review_on: date | None = None


@dataclass(frozen=True, slots=True)
class UpdateForm:
    item_id: int
    changes: raid.Changes  # empty: open the form filled in


def usage(kind: RaidKind, sub: str, cmd: str) -> Text:
    """``Usage: `/ict-risk add …``` with ``cmd`` the platform's name of the command."""
    return Text("Usage: `" + _USAGE[(kind, sub)] + "` (the parts after | are optional).", cmd=cmd).owning("cmd")


def item_id(kind: RaidKind, typed: str) -> int:
    """``R12``, ``r12`` or ``12`` for a risk; ``I7`` for an issue."""
    return refs.parse(typed, raid.letter(kind))


def _options(kind: RaidKind, rest: str, owner_of: OwnerOf) -> tuple[str, str | None, date | None]:
    """The part before the first ``|``, and the owner and review date given after one."""
    head, *parts = _BAR.split(rest)
    owner: str | None = None
    review: date | None = None
    for part in parts:
        word, _, value = part.strip().partition(" ")
        word, value = word.lower(), value.strip()
        if word == "owner" and value:
            owner = owner_of(value)
        elif word == "review" and value and kind == RaidKind.RISK:
            review = raid.parse_day(value)
        else:
            allowed = "`owner @person` or `review YYYY-MM-DD`" if kind == RaidKind.RISK else "`owner @person`"
            raise InvalidInput(
                Text(
                    "After a | write {allowed}, not `{typed}`.", allowed=allowed, typed=part.strip()[:40] or " "
                ).owning("allowed")
            )
    return head.strip(), owner, review


def _scale(typed: str, what: str) -> int:
    if not typed.isdigit() or int(typed) not in raid.SCALE:
        raise InvalidInput(
            Text("The {what} is a whole number from 1 to 5, not `{typed}`.", what=what, typed=typed[:20]), field=what
        )
    return int(typed)


def parse_add(kind: RaidKind, rest: str, owner_of: OwnerOf, cmd: str) -> AddForm:
    head, owner, review = _options(kind, rest, owner_of)
    words = head.split(maxsplit=3 if kind == RaidKind.RISK else 1)
    if len(words) < (4 if kind == RaidKind.RISK else 2):
        raise InvalidInput(usage(kind, "add", cmd))
    if kind == RaidKind.ISSUE:
        return AddForm(words[0], words[1], owner=owner)
    likelihood, impact = _scale(words[1], "likelihood"), _scale(words[2], "impact")
    return AddForm(words[0], words[3], likelihood, impact, owner, review)


def _is_scale(word: str) -> bool:
    return word.isdigit() and len(word) == 1


def parse_update(kind: RaidKind, rest: str, owner_of: OwnerOf, cmd: str) -> UpdateForm:
    """``R12 4 5 new text | owner @jo | review 2027-01-31``: every part but the id optional; a risk's new
    likelihood and impact are the first two words when both are single digits."""
    head, owner, review = _options(kind, rest, owner_of)
    words = head.split(maxsplit=1)
    if not words:
        raise InvalidInput(usage(kind, "update", cmd))
    found, after = item_id(kind, words[0]), words[1] if len(words) > 1 else ""
    likelihood = impact = None
    more = after.split(maxsplit=2)
    if kind == RaidKind.RISK and len(more) >= 2 and _is_scale(more[0]) and _is_scale(more[1]):
        likelihood, impact = _scale(more[0], "likelihood"), _scale(more[1], "impact")
        after = more[2] if len(more) > 2 else ""
    text = after.strip() or None
    return UpdateForm(found, raid.Changes(likelihood, impact, text, owner, review))


def parse_close(kind: RaidKind, rest: str, cmd: str) -> tuple[int, str]:
    words = rest.split(maxsplit=1)
    if not words:
        raise InvalidInput(usage(kind, "close", cmd))
    return item_id(kind, words[0]), words[1].strip() if len(words) > 1 else ""
