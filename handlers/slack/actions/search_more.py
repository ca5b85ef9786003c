"""The "More results" button under `/ict-search`'s answer: the next page, in place of the one shown."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput
from handlers.slack.blocks.search import read_more_value
from handlers.slack.commands.ict_search import answer_search
from handlers.slack.errors import answering_errors

__all__ = ["handle_search_more"]


def handle_search_more(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    with answering_errors(respond, "the More results button"):
        asked = read_more_value(action.get("value"))
        if asked is None:
            raise InvalidInput("That button's search could not be read; search again with /ict-search.")
        typed, offset = asked
        answer_search(typed, offset, body, respond, client, context, replace=True)
