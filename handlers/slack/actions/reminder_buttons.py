"""The buttons on a reminder: Post update, No change this month, Remind me tomorrow."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.literal import literal
from bot.render.jinja import RAG_EMOJI, local_time
from bot.runtime import Runtime
from bot.services import projects, reminders, updates
from bot.services.updates import UpdateResult
from handlers.slack.context import runtime_of, team_of, user_of, workspace_unit
from handlers.slack.errors import action_listener, answering_errors
from handlers.slack.home_publish import after_update
from handlers.slack.modal import open_update_modal
from handlers.slack.replies import answer
from models import UpdateSource

UP_TO_DATE = (
    ":white_check_mark: You're up to date: each of your projects has an update for this meeting, "
    "so there is nothing to remind you of."
)


def _value(action: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in json.loads(action["value"]).items()}


def handle_post_update(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    with answering_errors(respond, "the Post update button"):
        open_update_modal(
            runtime_of(context),
            client,
            body,
            trigger_id=body["trigger_id"],
            metadata={"src": UpdateSource.REMINDER.value},
            selected_id=_value(action)["p"],
        )


def carry_forward(rt: Runtime, body: dict[str, Any], project_id: int, meeting_id: int) -> UpdateResult:
    """No change this month on a project for the meeting (the reminder's button and Home's): its last RAG
    carried forward, in one transaction, by whoever pressed it."""
    user_id = user_of(body)
    with workspace_unit(rt, body) as (session, ws):
        project = projects.get_by_id(session, ws, project_id)
        since = reminders.period_start_of(session, ws, meeting_id)
        return updates.carry_forward(
            session,
            ws,
            project,
            user_id=user_id,
            is_admin=rt.is_admin(session, ws, user_id),
            now=rt.now(),
            tz=rt.settings.timezone,
            since=since,
        )


def carried_forward(result: UpdateResult) -> str:
    """The answer to No change this month."""
    return (
        f":white_check_mark: Recorded *no change this month* for *{literal(result.project_ref)}*: "
        f"{RAG_EMOJI[result.rag]} {result.rag.value.capitalize()} carried forward."
    )


def _no_change(body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """Carry the last RAG forward; then the Home of the person and of the project's owner."""
    value = _value(action)
    rt = runtime_of(context)
    result = carry_forward(rt, body, value["p"], value["m"])
    answer(respond, carried_forward(result))
    client = context.client
    if client is not None:
        after_update(rt, client, team_of(body), result)


def _snooze(body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    rt = runtime_of(context)
    with workspace_unit(rt, body) as (session, ws):
        when = reminders.snooze(session, ws, meeting_id=_value(action)["m"], user_id=user_of(body), now=rt.now())
    if when is None:
        answer(respond, UP_TO_DATE)
        return
    answer(respond, f":alarm_clock: I'll remind you again on {local_time(when)}.")


handle_no_change = action_listener("the No change this month button", _no_change)
handle_snooze = action_listener("the Remind me tomorrow button", _snooze)
