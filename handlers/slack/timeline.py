"""A project's update history for Slack: read in one transaction, people named from the directory (asking
Slack only about those it has no fresh name for, with no transaction open), and answered as messages
(``/ict-update history REF [N]``); the History button opens it in a modal
(:mod:`handlers.slack.actions.history_button`)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.services import meetings, quickform, timeline
from bot.services.timeline import Timeline
from handlers.slack.blocks.timeline import timeline_messages
from handlers.slack.context import workspace_unit
from handlers.slack.people import SlackPeople

__all__ = ["answer_history", "read_history"]


def read_history(
    rt: Runtime, client: WebClient, body: dict[str, Any], ref: str, limit: int
) -> tuple[Timeline, dict[str, str], tzinfo]:
    """The project's latest ``limit`` updates in the request's workspace, its people's names and the time zone."""
    with workspace_unit(rt, body) as (session, ws):
        found = timeline.of_project(session, ws, ref, limit=limit)
        tz = meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)
        ws_id = ws.id
    return found, SlackPeople(rt).names(client, ws_id, found.people()), tz


def answer_history(
    rt: Runtime, client: WebClient, command: dict[str, Any], form: quickform.QuickForm, respond: Respond
) -> None:
    """``/ict-update history REF [N]``: the history as ephemeral messages (more than one when it is long)."""
    limit = timeline.count(form.shown)
    found, names, tz = read_history(rt, client, command, form.ref, limit)
    for text, blocks in timeline_messages(found, names, tz):
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
