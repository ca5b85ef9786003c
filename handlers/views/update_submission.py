"""The update modal's submission: validate on the field, store, confirm."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot import quickform
from bot.errors import DomainError, InvalidInput
from bot.request_log import mark_outcome
from bot.services import projects, updates
from bot.services.updates import UpdateResult
from handlers.common import APOLOGY, runtime, team_name_of, team_of, user_of
from handlers.ui import update_saved_blocks, update_saved_view
from models import Rag, UpdateSource

log = logging.getLogger(__name__)


def plain_text(message: str) -> str:
    """A domain message for a form's error line, which Slack shows as plain text: no code marks, and
    the mentions (which would show as raw ``<@U…>``) left out."""
    message = re.sub(r"\s*\((?:<@[UW][A-Z0-9]+>(?:, )?)+\)", "", message)
    return message.replace("`", "")


def _value(values: dict[str, Any], block: str) -> str:
    element = values.get(block, {}).get(block, {})
    if "selected_option" in element:
        option = element["selected_option"]
        return str(option["value"]) if option else ""
    return str(element.get("value") or "")


def handle_update_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    rt = runtime(context)
    user_id = user_of(body)
    values = view["state"]["values"]
    meta: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    editing = "update_id" in meta
    fields = {b: _value(values, b) for b in ("project", "rag", "progress", "next_steps", "risks")}
    now = rt.now()
    try:
        if fields["rag"] not in {r.value for r in Rag}:
            raise InvalidInput("Choose red, amber or green.", field="rag")
        text = quickform.validate(Rag(fields["rag"]), fields["progress"], fields["next_steps"], fields["risks"])
        with rt.unit(team_of(body), team_name=team_name_of(body)) as (session, ws):
            is_admin = rt.is_admin(session, ws, user_id)
            if editing:
                update = updates.get(session, ws, int(meta["update_id"]))
                result = updates.correct(session, ws, update, user_id=user_id, is_admin=is_admin, text=text, now=now)
            else:
                if not fields["project"].isdigit():
                    raise InvalidInput("Choose the project this update is for.", field="project")
                project = projects.get_by_id(session, ws, int(fields["project"]))
                source = UpdateSource(meta.get("src", UpdateSource.MODAL.value))
                result = updates.post(
                    session, ws, project, user_id=user_id, is_admin=is_admin, text=text, source=source, now=now
                )
    except DomainError as exc:
        block = exc.field if exc.field and exc.field in values else "progress"
        ack(response_action="errors", errors={block: plain_text(exc.message)})
        return
    except SQLAlchemyError as exc:
        log.error("database error while saving a modal update: %s", exc.__class__.__name__, exc_info=exc)
        mark_outcome("error")  # an apology on the form, but a failure in the request log
        ack(response_action="errors", errors={"progress": APOLOGY})
        return
    ack(response_action="update", view=update_saved_view(result))
    _confirm_in_channel(client, meta.get("ch"), user_id, result)


def _confirm_in_channel(client: WebClient, channel: str | None, user_id: str, result: UpdateResult) -> None:
    """Also leave the confirmation where the user started, visible only to them (after the ack)."""
    if not channel:
        return
    text, blocks = update_saved_blocks(result)
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
    except SlackApiError as exc:  # e.g. the bot is not in that channel; the modal already confirmed it
        log.info("could not post the confirmation in %s: %s", channel, exc.response.get("error"))
