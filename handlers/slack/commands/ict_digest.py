"""`/ict-digest`: a chair or an ICT admin posts the progress digest in the channel; anyone else previews it.

``/ict-digest`` covers the period since the last governance meeting; ``/ict-digest from DATE to DATE``
any other (days in the meetings' time zone; ``to`` left out: up to now). The listener acknowledges at
once, then builds the digest and posts it (see :mod:`handlers.slack.delivery.digest`). The period is read by
:func:`bot.services.period.parse_period`, shared with Teams.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.literal import literal
from bot.render.jinja import render, unescape_slack
from bot.services import digest as digest_service
from bot.services import meetings, roles
from bot.services.digest import Digest
from bot.services.period import parse_period
from handlers.slack.blocks.digest import PREVIEW_FOOTER, people_in, summary_messages
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.delivery.digest import NOT_IN_CHANNEL, post_digest, slack_error
from handlers.slack.errors import command_listener
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer

log = logging.getLogger(__name__)

INVITE = (
    "I can't post in this conversation because I'm not a member of it. Invite me with `/invite @ictbot` "
    "and ask again, or ask in the governance channel."
)
UNKNOWN_OUTCOME = (
    "Slack did not answer when I posted the digest, so it may be in the channel or not: look there before "
    "asking again (I never post it twice on my own). `ictbot digest` gives the whole digest as a file."
)


def _ict_digest(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    words = unescape_slack(command.get("text", "")).split()
    now = rt.now()
    tz_name = rt.settings.ICTBOT_TIMEZONE
    with workspace_unit(rt, command) as (session, ws):
        series = meetings.get_series(session, ws, now=now, default_timezone=tz_name)
        if words and words[0].lower() == "help":
            answer(respond, render("digest_help.mrkdwn.j2", timezone=series.timezone))
            return
        start: datetime | None
        if words:
            start, end = parse_period(words, ZoneInfo(series.timezone), now)
        else:
            meetings.materialise(session, ws, now=now, default_timezone=tz_name)  # so the last meeting is known
            start, end = digest_service.default_period(session, ws, now)
        digest = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz_name)
        may_post = roles.is_chair_or_admin(
            session,
            ws,
            command["user_id"],
            rt.settings.admins_for(ws.external_id),
            chair_group=chair_group_lookup(rt, client, ws.external_id),
        )
    if not may_post:
        _preview(respond, digest)
        return
    people = SlackPeople(rt).names(client, ws.id, people_in(digest))
    try:
        posted = post_digest(client, command["channel_id"], digest, people=people)
    except SlackApiError as exc:
        error = slack_error(exc)
        if error in NOT_IN_CHANNEL:
            answer(respond, INVITE)
        else:
            answer(respond, f"Slack refused the digest (`{literal(error)}`), so nothing was posted.")
        return
    except (SlackClientError, OSError) as exc:  # no answer: Slack may have posted it (a post is never repeated)
        log.warning("posting the digest in %s: no answer from Slack (%s)", command["channel_id"], type(exc).__name__)
        answer(respond, UNKNOWN_OUTCOME)
        return
    if posted.error is not None:
        answer(
            respond,
            f"The digest's summary is posted, but Slack stopped the rest of it (`{literal(posted.error)}`) after "
            f"{posted.replies} repl{'y' if posted.replies == 1 else 'ies'} in its thread. "
            "`ictbot digest` gives the whole digest as a file.",
        )


def _preview(respond: Respond, digest: Digest) -> None:
    """The summary only (it names nobody), privately, to someone who may not post the digest."""
    for message in summary_messages(digest, footer=PREVIEW_FOOTER):
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)


handle_ict_digest = command_listener("/ict-digest", _ict_digest)
