"""The forms for a decision and an action (opened by `/ict-decision` and `/ict-action add` with no text), and
their submissions: checked for a chair or an admin again, recorded against the meeting decisions go to when
submitted, answered in a message; a refusal is shown on the form and nothing is written."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.errors import DomainError
from bot.literal import literal
from bot.services.registers import actions
from bot.services.registers.actions import MAX_TEXT
from handlers.slack import dedupe
from handlers.slack.blocks.rich_text import fallback_text, rich_blocks
from handlers.slack.blocks.ui import message_blocks
from handlers.slack.chair_group import require_chair
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.modal import TOO_SLOW, TRIGGER_GONE
from handlers.slack.replies import tell
from handlers.slack.wording import SLACK

__all__ = [
    "ACTION_MODAL",
    "DECISION_MODAL",
    "handle_action_submission",
    "handle_decision_submission",
    "open_action_modal",
    "open_decision_modal",
    "records_its_delivery",
]

ACTION_MODAL = "ict_action_modal"
DECISION_MODAL = "ict_decision_modal"
FIELDS = ("owner", "due", "text", "project")


def records_its_delivery(body: dict[str, Any]) -> bool:
    """These forms' submissions record their delivery in the transaction that writes (a refused one records
    nothing, so its corrected submission goes through)."""
    view = body.get("view")
    return (
        body.get("type") == "view_submission"
        and isinstance(view, dict)
        and view.get("callback_id") in (ACTION_MODAL, DECISION_MODAL)
    )


def _open(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") not in TRIGGER_GONE:
            raise
        raise DomainError(TOO_SLOW) from None


def _text_input(label: str, *, multiline: bool) -> InputBlock:
    return InputBlock(
        block_id="text",
        label=label,
        element=PlainTextInputElement(action_id="text", multiline=multiline, max_length=MAX_TEXT),
    )


def _project_input() -> InputBlock:
    return InputBlock(
        block_id="project",
        label="Project (its reference, if on one)",
        optional=True,
        element=PlainTextInputElement(action_id="project", max_length=32),
    )


def open_decision_modal(client: WebClient, trigger_id: str, meeting_day: date, *, channel: str | None) -> None:
    intro = f"The decision is recorded against the meeting of {meeting_day:%-d %b %Y}."
    view = View(
        type="modal",
        callback_id=DECISION_MODAL,
        title="Record a decision",
        submit="Record",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}, separators=(",", ":")),
        blocks=[*rich_blocks(intro), _text_input("Decision", multiline=True), _project_input()],
    )
    _open(client, trigger_id, view.to_dict())


def open_action_modal(client: WebClient, trigger_id: str, *, channel: str | None) -> None:
    view = View(
        type="modal",
        callback_id=ACTION_MODAL,
        title="Give an action",
        submit="Give",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}, separators=(",", ":")),
        blocks=[
            InputBlock(block_id="owner", label="Owner", element=UserSelectElement(action_id="owner")),
            InputBlock(block_id="due", label="Due", element=DatePickerElement(action_id="due")),
            _text_input("Action", multiline=True),
            _project_input(),
        ],
    )
    _open(client, trigger_id, view.to_dict())


def _values(view: dict[str, Any]) -> dict[str, Any]:
    """Each field's value: the text typed, the user picked, the date picked (None when left empty)."""
    state = (view.get("state") or {}).get("values") or {}
    out: dict[str, Any] = {}
    for name in FIELDS:
        element = (state.get(name) or {}).get(name) or {}
        out[name] = element.get("value") or element.get("selected_user") or element.get("selected_date")
    return out


def _channel(view: dict[str, Any]) -> str | None:
    try:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) else None


def handle_decision_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    view, user_id, now = body.get("view") or {}, user_of(body), rt.now()
    values = _values(view)
    try:
        with workspace_unit(rt, body) as (session, ws):
            if not dedupe.act_on(session, context, now=now):
                ack()
                return
            require_chair(rt, client, session, ws, user_id, "record the group's decisions")
            saved = actions.record_decision(
                session, ws, str(values["text"] or ""), values["project"] or None, user_id, now
            )
    except DomainError as exc:
        ack(response_action="errors", errors={exc.field or "text": SLACK(exc.text).replace("`", "")})
        return
    ack()
    shown = f":memo: Recorded *{saved.label}* for the meeting of {saved.meeting_day:%-d %b %Y}: {literal(saved.text)}"
    tell(client, user_id, fallback_text(shown), message_blocks(shown), channel=_channel(view))


def handle_action_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    view, user_id, now = body.get("view") or {}, user_of(body), rt.now()
    values = _values(view)
    try:
        due = date.fromisoformat(str(values["due"]))
    except ValueError:
        ack(response_action="errors", errors={"due": "Pick the day the action is due."})
        return
    try:
        with workspace_unit(rt, body) as (session, ws):
            if not dedupe.act_on(session, context, now=now):
                ack()
                return
            require_chair(rt, client, session, ws, user_id, "give actions")
            saved = actions.give_action(
                session,
                ws,
                str(values["owner"] or ""),
                due,
                str(values["text"] or ""),
                values["project"] or None,
                user_id,
                now,
            )
    except DomainError as exc:
        ack(response_action="errors", errors={exc.field or "text": SLACK(exc.text).replace("`", "")})
        return
    ack()
    shown = (
        f":pushpin: Gave *{saved.label}* to <@{saved.owner}>, due {saved.due_on:%-d %b %Y}, "
        f"at the meeting of {saved.meeting_day:%-d %b %Y}: {literal(saved.text)}"
    )
    tell(client, user_id, fallback_text(shown), message_blocks(shown), channel=_channel(view))
