"""Teams' ``meeting minutes [YYYY-MM-DD]``: a meeting's minutes as cards, for the chair and ICT admins (as
Slack's ``/ict-meeting minutes``). The minutes are :mod:`bot.services.minutes`'; a domain error is raised
for :func:`handlers.teams.messages.handle_text` to answer.
"""

from __future__ import annotations

from datetime import datetime

from bot.errors import DomainError, InvalidInput
from bot.runtime import Runtime
from bot.services import meetings, minutes, roles
from bot.services.meeting_commands import MINUTES_USAGE
from handlers.teams.cards.minutes import minutes_cards
from handlers.teams.cards.pieces import Card
from handlers.teams.identity import TeamsUser, key
from models import Workspace

__all__ = ["asked", "minutes_reply"]


def asked(rest: str) -> bool:
    """Whether the words after ``meeting`` ask for the minutes."""
    words = rest.split(maxsplit=1)
    return bool(words) and words[0].lower() == "minutes"


def minutes_reply(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> list[Card]:
    """The cards of the minutes asked for by ``meeting minutes [YYYY-MM-DD]`` (``rest``: the words after
    ``meeting``)."""
    args = rest.split()[1:]
    if len(args) > 1:
        raise InvalidInput(MINUTES_USAGE)
    day = meetings.parse_date(args[0], "meeting date") if args else None
    tz_name = rt.settings.ICTBOT_TIMEZONE
    with rt.sessions.begin() as session:
        current = session.get(Workspace, ws.id)
        if current is None:
            raise DomainError("This Teams tenant is not known to the bot any more; remove and add the app again.")
        admins = rt.settings.admins_for(current.external_id)
        roles.require_chair_or_admin(session, current, key(user), admins, "post the minutes")
        meetings.materialise(session, current, now=now, default_timezone=tz_name)
        record = minutes.for_meeting(session, current, day, now=now, default_timezone=tz_name)
    return minutes_cards(record)
