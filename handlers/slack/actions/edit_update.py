"""The "Correct this update" button on a confirmation: the modal, pre-filled, adding a revision."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import NotAllowed
from bot.services import updates
from bot.services.quickform import UpdateText
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.errors import answering_errors
from handlers.slack.modal import open_update_modal


def handle_edit_update(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    with answering_errors(respond, "the Correct this update button"):
        _open_correction(body, action, client, context)


def _open_correction(body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    user_id = user_of(body)
    with workspace_unit(rt, body) as (session, ws):
        update = updates.get(session, ws, int(action["value"]))
        if update.author_user_id != user_id and not rt.is_admin(session, ws, user_id):
            raise NotAllowed("Only the officer who posted an update, or an ICT admin, can correct it.")
        current = updates.result_of(update)
    initial = UpdateText(rag=current.rag, progress=current.progress, next_steps=current.next_steps, risks=current.risks)
    channel = (body.get("channel") or {}).get("id")
    open_update_modal(
        rt,
        client,
        body,
        trigger_id=body["trigger_id"],
        metadata={"update_id": current.update_id, "ch": channel},
        initial=initial,
        editing=current,
    )
