"""``home``: what Slack's App Home shows, as a card in Teams (the same service, :mod:`bot.services.home`)."""

from __future__ import annotations

from datetime import datetime

from bot.runtime import Runtime
from bot.services import home as home_service
from bot.services import people
from handlers.teams.cards.home import home_card
from handlers.teams.cards.pieces import Card
from handlers.teams.identity import TeamsUser, key
from handlers.teams.unit import unit
from models import Workspace

__all__ = ["home"]


def home(rt: Runtime, ws: Workspace, user: TeamsUser, now: datetime) -> Card:
    """The person's projects, actions, risks and the next meeting; the Work Plan for a chair or an admin."""
    uid = key(user)
    with unit(rt, ws) as (session, current):
        found = home_service.build(
            session,
            current,
            uid,
            now=now,
            env_admins=rt.settings.admins_for(current.external_id),
            default_timezone=rt.settings.ICTBOT_TIMEZONE,
        )
        plan = found.work_plan
        owners = [p.owner for row in plan.priorities for p in row.missing] if plan is not None else []
        names = people.names(session, current, owners)
    return home_card(found, names)
