"""What every listener needs: who is asking, in which workspace, and how to answer them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext, Respond

from bot.runtime import Runtime
from bot.slack_app import runtime_of
from handlers.rich_text import fallback_text
from handlers.ui import message_blocks

__all__ = ["answer", "apology", "runtime_of", "team_of", "user_of"]

log = logging.getLogger(__name__)
APOLOGY = (
    "Sorry — something went wrong on our side and nothing was saved. Please try again in a minute; "
    "if it keeps happening, tell your ICT admin (the error has been logged)."
)


def team_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return str(team["id"])
    return str(body.get("team_id") or body.get("user", {}).get("team_id"))


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


def answer(respond: Respond, marked: str) -> None:
    """An ephemeral reply to the person who asked: the bot's mrkdwn, with whatever was typed in it marked
    by :func:`bot.literal.literal` (a template's ``literal`` filter, ``SLACK.marked`` for a domain message),
    so that it is shown exactly as typed."""
    respond(
        text=fallback_text(marked), blocks=message_blocks(marked), response_type="ephemeral", replace_original=False
    )


def apology(respond: Respond | None) -> None:
    if respond is not None:
        respond(text=APOLOGY, response_type="ephemeral", replace_original=False)


def runtime(context: BoltContext) -> Runtime:
    return runtime_of(context)
