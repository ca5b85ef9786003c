"""Teams' `assurance` commands: the calendar as a card, `assurance record CODE pass|fail|partial [note]
[| evidence URL]`, and the reminder card's Record result form. The rules are
:mod:`bot.services.assurance`'s, as in Slack's `/ict-assurance`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.errors import DomainError
from bot.runtime import Runtime
from bot.services import people
from bot.services.assurance import results
from bot.services.meetings import workspace_timezone
from handlers.teams.cards.assurance import ACTION_ASSURANCE_RECORD, assurance_list_card, recorded_card
from handlers.teams.identity import TeamsUser, key
from models import Workspace

__all__ = ["ACTION_ASSURANCE_RECORD", "ASSURANCE_HELP", "assurance_command", "submit_assurance"]

ASSURANCE_HELP = (
    "**assurance** lists the assurance calendar; **assurance record CODE pass|fail|partial [note] [| evidence URL]** "
    "records a result (its owner, a chair or an ICT admin)."
)
DAMAGED = "That form came back malformed, so nothing was recorded. Say “assurance record CODE pass” instead."


def assurance_command(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> dict[str, Any] | str:
    """The card (or the help text) answering `assurance …`."""
    first, *more = rest.strip().split(maxsplit=1) or ["list"]
    sub = first.lower()
    if sub == "record":
        words, _, url = (more[0] if more else "").partition("|")
        parts = words.split(maxsplit=2)
        if len(parts) < 2:
            return ASSURANCE_HELP
        with rt.sessions.begin() as session:
            current = session.get_one(Workspace, ws.id)
            done = results.record(
                session,
                current,
                parts[0],
                parts[1],
                parts[2] if len(parts) > 2 else "",
                url.strip(),
                key(user),
                now,
                env_admins=rt.settings.admins_for(current.external_id),
                default_timezone=rt.settings.ICTBOT_TIMEZONE,
            )
        return recorded_card(done)
    if sub != "list":
        return ASSURANCE_HELP
    with rt.sessions() as session:
        current = session.get_one(Workspace, ws.id)
        today = now.astimezone(workspace_timezone(session, current, rt.settings.ICTBOT_TIMEZONE)).date()
        views = results.list_view(session, current, today)
        names = people.names(session, current, [v.owner_user_id for v in views])
    return assurance_list_card(views, names)


def submit_assurance(
    rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The reminder card's Record result form: recorded against the card's occurrence."""
    try:
        obligation_id = int(data["obligation_id"])
        occurrence = date.fromisoformat(str(data["occurrence"]))
        outcome, note, url = (str(data.get(k) or "") for k in ("outcome", "note", "url"))
    except (KeyError, TypeError, ValueError):
        raise DomainError(DAMAGED) from None
    with rt.sessions.begin() as session:
        current = session.get_one(Workspace, ws.id)
        o = results.get(session, current, obligation_id)
        done = results.record_for(
            session,
            current,
            o,
            outcome,
            note,
            url,
            key(user),
            now,
            occurrence=occurrence,
            env_admins=rt.settings.admins_for(current.external_id),
            default_timezone=rt.settings.ICTBOT_TIMEZONE,
        )
    return recorded_card(done)
