"""How a listener answers the person who asked: ephemeral replies, direct messages, the apology."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.webhook import WebhookResponse

from handlers.slack.blocks.rich_text import fallback_text
from handlers.slack.blocks.ui import message_blocks
from handlers.slack.client import slack_error
from handlers.slack.context import user_of

__all__ = ["APOLOGY", "answer", "apology", "post_ephemeral", "respond_to", "tell"]

log = logging.getLogger(__name__)
APOLOGY = (
    "Sorry — something went wrong on our side and nothing was saved. Please try again in a minute; "
    "if it keeps happening, tell your ICT admin (the error has been logged)."
)


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


def post_ephemeral(
    client: WebClient, channel: str | None, user_id: str, text: str, blocks: list[Any] | None = None
) -> bool:
    """An ephemeral message in ``channel``; False when there is none or it could not be posted (the bot is
    not there, Slack did not answer). Never raises: whatever it answers has been done already."""
    if not channel:
        return False
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
    except (SlackClientError, OSError) as exc:
        log.info("could not post an answer in %s: %s", channel, slack_error(exc))
        return False
    return True


def tell(
    client: WebClient, user_id: str, text: str, blocks: list[Any] | None = None, *, channel: str | None = None
) -> None:
    """An answer with no response_url to carry it: ephemeral in ``channel`` if given, else (or failing that) a
    direct message, which also stays after Slack reloads (an ephemeral message does not). Never raises."""
    if post_ephemeral(client, channel, user_id, text, blocks):
        return
    try:
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        client.chat_postMessage(channel=dm, text=text, blocks=blocks)
    except (SlackClientError, OSError) as exc:
        log.warning("could not send %s a direct message: %s", user_id, slack_error(exc))


class Tell(Respond):
    """``respond`` for a request that came without a ``response_url``: :func:`tell` the person instead."""

    def __init__(self, client: WebClient, user_id: str, channel: str | None) -> None:
        super().__init__(response_url=None)
        self.client, self.user_id, self.channel = client, user_id, channel

    def __call__(  # type: ignore[override]  # Respond's parameters; None: no webhook was called
        self, text: str | dict[str, Any] = "", blocks: Any = None, *args: Any, **kwargs: Any
    ) -> WebhookResponse | None:
        message = text if isinstance(text, str) else str(text.get("text", ""))
        tell(self.client, self.user_id, message, list(blocks) if blocks else None, channel=self.channel)
        return None


def respond_to(respond: Respond | None, client: WebClient, body: dict[str, Any]) -> Respond:
    """``respond`` when the request carried a response_url; else one that tells the person in the request's
    channel, or in a direct message."""
    if respond is not None and respond.response_url:
        return respond
    channel = body.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else body.get("channel_id")
    return Tell(client, user_of(body), channel_id if isinstance(channel_id, str) else None)
