"""`/ict-meeting minutes [YYYY-MM-DD]`: a chair or an ICT admin posts a meeting's minutes in the governance
channel (the series' channel). The minutes are built by :mod:`bot.services.minutes`, and shown as
:mod:`handlers.slack.blocks.minutes` lays them out; the person who asked is told where they went.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import InvalidInput
from bot.literal import literal
from bot.runtime import Runtime
from bot.services import meetings, minutes, roles
from bot.services.meeting_commands import MINUTES_USAGE
from bot.wording import Text
from handlers.slack.blocks.minutes import minutes_messages
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.context import workspace_unit
from handlers.slack.delivery.digest import NOT_IN_CHANNEL, slack_error
from handlers.slack.replies import answer

__all__ = ["post_minutes"]

log = logging.getLogger(__name__)

NO_CHANNEL = Text("No governance channel is set, so there is nowhere to post the minutes. Set one with {set_channel}.")


def post_minutes(rt: Runtime, command: dict[str, Any], args: list[str], client: WebClient, respond: Respond) -> None:
    """Check who asked and what they typed, build the minutes (one transaction), then post them and say where."""
    if len(args) > 1:
        raise InvalidInput(MINUTES_USAGE)
    day = meetings.parse_date(args[0], "meeting date") if args else None
    now = rt.now()
    tz_name = rt.settings.ICTBOT_TIMEZONE
    with workspace_unit(rt, command) as (session, ws):
        roles.require_chair_or_admin(
            session,
            ws,
            command["user_id"],
            rt.settings.admins_for(ws.external_id),
            "post the minutes",
            chair_group=chair_group_lookup(rt, client, ws.external_id),
        )
        meetings.materialise(session, ws, now=now, default_timezone=tz_name)
        channel = meetings.get_series(session, ws, now=now, default_timezone=tz_name).channel_id
        if not channel:
            raise InvalidInput(NO_CHANNEL)
        record = minutes.for_meeting(session, ws, day, now=now, default_timezone=tz_name)
    answer(respond, _post(client, channel, record))


def _post(client: WebClient, channel: str, record: minutes.Minutes) -> str:
    """Post the minutes' messages in ``channel``; what to tell the person who asked."""
    day = f"{record.day:%a} {record.day.day} {record.day:%b %Y}"
    posted = 0
    try:
        for message in minutes_messages(record):
            client.chat_postMessage(
                channel=channel, text=message.text, blocks=message.blocks, unfurl_links=False, unfurl_media=False
            )
            posted += 1
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in NOT_IN_CHANNEL:
            return f"I can't post in <#{channel}>: invite me there with `/invite @ictbot` and ask again."
        return f"Slack refused the minutes (`{literal(error)}`) after {posted} message(s): look in <#{channel}>."
    except (SlackClientError, OSError) as exc:
        log.warning("posting the minutes in %s: no answer from Slack (%s)", channel, type(exc).__name__)
        return f"Slack did not answer when I posted the minutes: look in <#{channel}> before asking again."
    return f"Posted the minutes of the meeting of {day} in <#{channel}>."
