"""The "Log as ICT update" message shortcut: any message becomes an update through the modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.render.jinja import unescape_slack
from bot.services.quickform import MAX_PROGRESS, UpdateText
from handlers.slack.context import runtime_of
from handlers.slack.errors import answering_errors
from handlers.slack.modal import open_update_modal
from handlers.slack.replies import respond_to
from models import Rag, UpdateSource

LOG_AS_UPDATE = "log_as_ict_update"


def handle_log_as_update(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    # Slack sends a message shortcut a response_url; should one come without, the answer goes to its channel.
    with answering_errors(respond_to(respond, client, shortcut), "the Log as ICT update shortcut"):
        _open_prefilled(shortcut, client, context)


def _open_prefilled(shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    message = shortcut.get("message", {})
    text = unescape_slack(str(message.get("text", ""))).strip()
    notice = None
    if len(text) > MAX_PROGRESS:
        notice = (
            f"The message has {len(text):,} characters; the first {MAX_PROGRESS:,} are below because that "
            "is the most an update's progress can hold. Move the rest to next steps or risks."
        )
        text = text[:MAX_PROGRESS]
    author = message.get("user")
    if author and not notice:
        notice = f"From a message by <@{author}> in <#{shortcut.get('channel', {}).get('id', '')}>."
    # The RAG is left for the officer to choose: a message carries none. Progress is pre-filled.
    initial = UpdateText(rag=Rag.GREEN, progress=text) if text else None
    open_update_modal(
        runtime_of(context),
        client,
        shortcut,
        trigger_id=shortcut["trigger_id"],
        metadata={"src": UpdateSource.SHORTCUT.value, "ch": shortcut.get("channel", {}).get("id")},
        initial=initial,
        notice=notice,
        preselect_rag=False,
    )
