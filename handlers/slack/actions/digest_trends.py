"""The *Post the trends* button offered to the chair who posted a digest: the RAG mix by priority over the
last 12 meetings, uploaded as a thread reply under that digest, in the channel the button was pressed in.

A chair or an ICT admin only (checked again here: anyone may send a button's payload); the button's value is
untrusted, so only a message ``ts`` is read from it, and the channel is the one Slack says it was pressed in.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import DomainError, NotAllowed
from bot.literal import literal
from bot.render import charts
from bot.services import trends
from handlers.slack.commands.ict_digest import INVITE
from handlers.slack.commands.ict_registers import is_chair
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.delivery.digest import MAX_ALT_TEXT, NOT_IN_CHANNEL, slack_error
from handlers.slack.errors import answering_errors
from handlers.slack.replies import answer

__all__ = ["POSTED", "handle_trends_button"]

log = logging.getLogger(__name__)

DAMAGED = "This button came back damaged, so nothing was posted. Post the digest again with `/ict-digest`."
REFUSED = "Only a chair or an ICT admin can post the trends in the channel."
NO_MEETING = "No governance meeting has been held yet, so there are no trends to post."
POSTED = "The trends are in the digest's thread: "
UNKNOWN = "Slack did not answer when I posted the trends, so they may be in the thread or not: look there first."
_TS = re.compile(r"\d{1,12}\.\d{1,9}")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]{2,30}")


def _where(body: dict[str, Any], action: dict[str, Any]) -> tuple[str, str]:
    """The channel Slack says the button was pressed in, and the digest's ``ts`` from the button's value."""
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    try:
        ts = str(json.loads(str(action.get("value") or ""))["ts"])
    except (ValueError, KeyError, TypeError):
        raise DomainError(DAMAGED) from None
    if not _TS.fullmatch(ts) or not _CHANNEL.fullmatch(channel):
        raise DomainError(DAMAGED)
    return channel, ts


def handle_trends_button(
    ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    with answering_errors(respond, "the trends button"):
        rt = runtime_of(context)
        user_id, now = user_of(body), rt.now()
        channel, ts = _where(body, action)
        with workspace_unit(rt, body) as (session, ws):
            if not is_chair(rt, client, session, ws, user_id):
                raise NotAllowed(REFUSED)
            found = trends.trends(session, ws, now=now, default_timezone=rt.settings.ICTBOT_TIMEZONE)
        chart = charts.trends_chart(found)
        if chart is None:
            answer(respond, NO_MEETING)
            return
        day = found.cycles[-1].meeting_at.astimezone(found.tz).date().isoformat()
        alt = chart.alt if len(chart.alt) <= MAX_ALT_TEXT else chart.alt[: MAX_ALT_TEXT - 1] + "…"
        try:
            client.files_upload_v2(
                file=chart.png,
                filename=f"ict-trends-{day}.png",
                title=chart.caption.removesuffix("."),
                alt_txt=alt,
                channel=channel,
                thread_ts=ts,
                initial_comment="Trends: " + chart.caption,
            )
        except SlackApiError as exc:
            error = slack_error(exc)
            answer(respond, INVITE if error in NOT_IN_CHANNEL else f"Slack refused the trends (`{literal(error)}`).")
            return
        except (SlackClientError, OSError) as exc:
            log.warning("posting the trends in %s: no answer from Slack (%s)", channel, type(exc).__name__)
            answer(respond, UNKNOWN)
            return
        respond(text=POSTED + chart.caption, response_type="ephemeral", replace_original=True)
