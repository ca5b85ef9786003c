"""A risk's words shared by Slack's and Teams' lists and histories: its score, and a person by name."""

from __future__ import annotations

from collections.abc import Mapping

from bot.literal import literal
from bot.services import people
from bot.services.registers import raid
from bot.services.registers.raid import RaidView, RevisionView

__all__ = ["score", "who"]


def who(names: Mapping[str, str], user_id: str) -> str:
    """The person by name (the directory's ``names``), their id where it has none; shown literally."""
    return literal(people.display(names.get(user_id), user_id))


def score(v: RaidView | RevisionView) -> str:
    """``L4 × I5 = 20, *high*``; empty for an issue."""
    if v.likelihood is None or v.impact is None:
        return ""
    high = ", *high*" if raid.is_high(v.likelihood, v.impact) else ""
    return f"L{v.likelihood} × I{v.impact} = {v.likelihood * v.impact}{high}"
