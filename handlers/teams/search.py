"""`search words [in REF] [from YYYY-MM-DD] [to YYYY-MM-DD]` on Teams: the grammar and search Slack's
`/ict-search` uses (:mod:`bot.services.search`), answered with a card; its "More results" button's data
carries the search and the next page's offset, checked as untrusted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.errors import InvalidInput
from bot.runtime import Runtime
from bot.services import meetings, people, search
from handlers.teams.cards.search import search_card
from handlers.teams.unit import unit
from models import Workspace

__all__ = ["HELP", "search_more", "search_text"]

COMMAND = "search"
HELP = (
    "**search words** finds the updates with all those words (in any form: switch finds “switches”) in their "
    "progress, next steps or risks, best first; add **in REF** for one project's, **from YYYY-MM-DD** and "
    "**to YYYY-MM-DD** to limit the days. Put words in quotes to search for “in”, “from” or “to” themselves."
)


def search_text(rt: Runtime, ws: Workspace, rest: str) -> dict[str, Any] | str:
    """``search …`` typed after the bot's @mention: the results card, or the help (markdown) for ``help``."""
    if rest.strip().lower() in ("", "help"):
        return HELP
    return _page(rt, ws, rest, 0)


def search_more(rt: Runtime, ws: Workspace, data: Mapping[str, Any]) -> dict[str, Any]:
    """The "More results" button: the next page, as a new card."""
    typed, offset = data.get("q"), data.get("o")
    if isinstance(typed, str) and isinstance(offset, int) and not isinstance(offset, bool):
        if 0 <= offset <= search.MAX_OFFSET:
            return _page(rt, ws, typed, offset)
    raise InvalidInput("That button's search could not be read; search again with search words.")


def _page(rt: Runtime, ws: Workspace, typed: str, offset: int) -> dict[str, Any]:
    default_tz = rt.settings.ICTBOT_TIMEZONE
    with unit(rt, ws) as (session, current):
        query, found = search.find(session, current, typed, cmd=COMMAND, default_timezone=default_tz, offset=offset)
        tz = meetings.workspace_timezone(session, current, default_tz)
        names = people.names(session, current, [h.author for h in found.hits])
    return search_card(query, found, names, tz)
