"""What every listener needs: who is asking, in which workspace, and how to answer them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext, Respond

from bot.errors import NoTeam
from bot.render import mrkdwn_message
from bot.runtime import Runtime
from bot.slack_app import runtime_of
from handlers.ui import message_blocks

__all__ = ["answer", "apology", "runtime_of", "team_of", "user_of"]

log = logging.getLogger(__name__)
APOLOGY = (
    "Sorry — something went wrong on our side and nothing was saved. Please try again in a minute; "
    "if it keeps happening, tell your ICT admin (the error has been logged)."
)


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request comes from, where Slack puts it: ``team.id`` (interactions), ``team_id``
    (commands, events) or ``user.team_id`` (an org-wide install's interactions). Raises :class:`NoTeam`
    when there is none: a workspace must never be looked up, nor created, as "None" or "".
    """
    team, user = body.get("team"), body.get("user")
    for found in (
        team.get("id") if isinstance(team, dict) else None,
        body.get("team_id"),
        user.get("team_id") if isinstance(user, dict) else None,
    ):
        if isinstance(found, str) and found.strip():
            return found
    raise NoTeam()


def team_name_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return str(team.get("domain") or "")
    return str(body.get("team_domain") or "")


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("user_id"))


def answer(respond: Respond, text: str, *, escape: bool = False) -> None:
    """An ephemeral reply to the person who asked. ``escape`` for messages carrying typed text."""
    if escape:
        text = mrkdwn_message(text)
    respond(text=text, blocks=message_blocks(text), response_type="ephemeral", replace_original=False)


def apology(respond: Respond | None) -> None:
    if respond is not None:
        respond(text=APOLOGY, response_type="ephemeral", replace_original=False)


def runtime(context: BoltContext) -> Runtime:
    return runtime_of(context)
