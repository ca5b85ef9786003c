"""`history REF [N]` typed to the bot in Teams (and `update history REF [N]`): a project's latest updates as
cards (:mod:`handlers.teams.cards.timeline`), from :mod:`bot.services.timeline`, in the tenant's workspace.
Anyone in it may read them; names come from the people directory."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services import meetings, people, quickform, timeline
from handlers.teams.cards.pieces import Card
from handlers.teams.cards.timeline import timeline_cards
from handlers.teams.unit import unit
from models import Workspace

__all__ = ["history_cards"]


def history_cards(rt: Runtime, ws: Workspace, form: quickform.QuickForm) -> list[Card]:
    """The history ``form`` asks for (``quickform.history_form``). Raises a domain error for a bad N or ref."""
    limit = timeline.count(form.shown)
    with unit(rt, ws) as (session, current):
        found = timeline.of_project(session, current, form.ref, limit=limit)
        tz = meetings.workspace_timezone(session, current, rt.settings.ICTBOT_TIMEZONE)
        names = people.names(session, current, found.people())
    return timeline_cards(found, names, tz)
