"""The History button on a project (in Home and in the digest; its value the project's ref): the project's
update history in a modal, read in the workspace the button was pressed in."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.services import quickform, timeline
from handlers.slack.blocks.timeline import timeline_modal
from handlers.slack.context import runtime_of
from handlers.slack.errors import answering_errors
from handlers.slack.modal import TOO_SLOW, TRIGGER_GONE
from handlers.slack.replies import respond_to
from handlers.slack.timeline import read_history

__all__ = ["DAMAGED", "handle_history_button"]

log = logging.getLogger(__name__)
DAMAGED = "That History button came back damaged. Type `/ict-update history REF` instead."


def handle_history_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """The History button (its value the project's ref): the project's history in a modal."""
    ack()
    with answering_errors(respond_to(respond, client, body), "the History button"):
        ref = str(action.get("value") or "")
        if not quickform.is_ref(ref):
            raise DomainError(DAMAGED)
        found, names, tz = read_history(runtime_of(context), client, body, ref, timeline.DEFAULT_SHOWN)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=timeline_modal(found, names, tz))
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in TRIGGER_GONE:
                raise
            log.warning("Slack did not open a project's history: %s", error)
            raise DomainError(TOO_SLOW) from None
