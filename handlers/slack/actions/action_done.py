"""A reminder's "Mark done" button on an open action: done by its owner, a chair or an ICT admin (checked
again here: the button's value is untrusted), and the reminder updated to say so. Done already: said so,
nothing written."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.services.registers import actions
from handlers.slack.blocks.chase import done_block
from handlers.slack.commands.ict_registers import done_notice, is_chair
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.errors import answering_errors
from handlers.slack.replies import answer

__all__ = ["handle_action_done"]

DAMAGED = "This button came back damaged, so nothing was marked done. Use `/ict-action done ID` instead."


def _action_id(action: dict[str, Any]) -> int:
    try:
        value = json.loads(str(action.get("value") or ""))
        return int(value["a"])
    except (ValueError, KeyError, TypeError):
        raise DomainError(DAMAGED) from None


def handle_action_done(
    ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    with answering_errors(respond, "the Mark done button"):
        rt = runtime_of(context)
        user_id, now = user_of(body), rt.now()
        with workspace_unit(rt, body) as (session, ws):
            chair = is_chair(rt, client, session, ws, user_id)
            result = actions.done(session, ws, _action_id(action), user_id, "", now, chair)
        message = body.get("message") or {}
        blocks = message.get("blocks")
        block_id = f"action-{result.action.id}"
        if not result.already and isinstance(blocks, list) and any(b.get("block_id") == block_id for b in blocks):
            by = result.action.done_by or user_id
            updated = [done_block(result.action.label, by) if b.get("block_id") == block_id else b for b in blocks]
            respond(text=str(message.get("text") or ""), blocks=updated, replace_original=True)
            return
        answer(respond, done_notice(result))
