"""`/ict-search words [in REF] [from YYYY-MM-DD] [to YYYY-MM-DD]`: anyone in the workspace searches its
progress updates (:mod:`bot.services.search`); the answer is private to them, ten at a time, and its
"More results" button replaces it with the next ten."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.render.jinja import unescape_slack
from bot.services import meetings, search
from handlers.slack.blocks.search import search_message
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer

__all__ = ["COMMAND", "HELP", "answer_search", "handle_ict_search"]

COMMAND = "/ict-search"
HELP = (
    "*`/ict-search`* — search the progress, next steps and risks of every update in this workspace "
    "(the text each has now, after any correction), best match first:\n"
    "• `/ict-search core switch` finds updates with both words, in any form (_switch_ finds “switches”, "
    "“switching”).\n"
    "• `/ict-search switch in NET-01` only that project's; `from 2026-01-01` and `to 2026-03-31` limit the days.\n"
    '• Put words in quotes to search for "in", "from" or "to" themselves: `/ict-search "move in"`.\n'
    "Only you see the results, ten at a time."
)


def _work(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    typed = unescape_slack(command.get("text", "")).strip()
    if typed.lower() in ("", "help"):
        answer(respond, HELP)
        return
    answer_search(typed, 0, command, respond, client, context, replace=False)


def answer_search(
    typed: str,
    offset: int,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    *,
    replace: bool,
) -> None:
    """The page of results from ``offset``, as a new ephemeral message or in place of the one shown."""
    rt = runtime_of(context)
    default_tz = rt.settings.ICTBOT_TIMEZONE
    with workspace_unit(rt, body) as (session, ws):
        query, found = search.find(session, ws, typed, cmd=COMMAND, default_timezone=default_tz, offset=offset)
        ws_id, tz = ws.id, meetings.workspace_timezone(session, ws, default_tz)
    names = SlackPeople(rt).names(client, ws_id, [h.author for h in found.hits])
    message = search_message(query, found, names, tz)
    respond(**message, response_type="ephemeral", replace_original=replace)


handle_ict_search = command_listener(COMMAND, _work)
