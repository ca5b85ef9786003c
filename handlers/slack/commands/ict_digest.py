"""`/ict-digest`: a chair or an ICT admin posts the progress digest in the channel; anyone else previews it.

``/ict-digest`` covers the period since the last governance meeting; ``/ict-digest from DATE to DATE``
any other (days in the meetings' time zone; ``to`` left out: up to now); ``/ict-digest exceptions`` only its
Exceptions section. The listener acknowledges at once, then builds the digest and posts it (see
:mod:`handlers.slack.delivery.digest`), and offers the chair the trends in its thread
(:mod:`handlers.slack.actions.digest_trends`). The period is read by :func:`bot.services.period.parse_period`.
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
from handlers.slack.blocks.digest import (
    PREVIEW_FOOTER,
    DigestMessage,
    exceptions_messages,
    people_in,
    summary_messages,
)
from handlers.slack.blocks.trends import trends_offer
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.delivery.digest import NOT_IN_CHANNEL, post_digest, slack_error
from handlers.slack.errors import command_listener
from handlers.slack.home_publish import after_digest
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer

log = logging.getLogger(__name__)

INVITE = (
    "I can't post in this conversation because I'm not a member of it. Invite me with `/invite @ictbot` "
    "and ask again, or ask in the governance channel."
)
EXCEPTIONS_PREVIEW = (
    "A preview only you can see. A chair or an ICT admin can post the exceptions in a channel with "
    "`/ict-digest exceptions`."
)
UNKNOWN_EXCEPTIONS = (
    "Slack did not answer when I posted the exceptions, so they may be in the channel or not: look there before "
    "asking again."
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
        only_exceptions = bool(words) and words[0].lower() == "exceptions"
        words = words[1:] if only_exceptions else words
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
    if only_exceptions:
        _exceptions(respond, client, context, (command["channel_id"], ws.id), digest, may_post)
        return
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
    after_digest(rt, client, ws.external_id, command["user_id"], posted.channel_id, posted.ts, digest)
    if posted.error is None:  # the chair may add the trends to its thread
        text, blocks = trends_offer(posted.ts)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        answer(
            respond,
            f"The digest's summary is posted, but Slack stopped the rest of it (`{literal(posted.error)}`) after "
            f"{posted.replies} repl{'y' if posted.replies == 1 else 'ies'} in its thread. "
            "`ictbot digest` gives the whole digest as a file.",
        )


def _exceptions(
    respond: Respond, client: WebClient, context: BoltContext, where: tuple[str, int], digest: Digest, may_post: bool
) -> None:
    """The Exceptions section alone: posted in the channel by a chair or an admin, privately to anyone else."""
    if not may_post:
        for message in exceptions_messages(digest, footer=EXCEPTIONS_PREVIEW):
            respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
        return
    channel_id, workspace_id = where
    people = SlackPeople(runtime_of(context)).names(client, workspace_id, people_in(digest))
    try:
        _post(client, channel_id, exceptions_messages(digest, people=people))
    except SlackApiError as exc:
        error = slack_error(exc)
        answer(respond, INVITE if error in NOT_IN_CHANNEL else f"Slack refused the exceptions (`{literal(error)}`).")
    except (SlackClientError, OSError) as exc:
        log.warning("posting the exceptions in %s: no answer from Slack (%s)", channel_id, type(exc).__name__)
        answer(respond, UNKNOWN_EXCEPTIONS)


def _post(client: WebClient, channel_id: str, messages: list[DigestMessage]) -> None:
    """The first message in the channel, any further ones in its thread."""
    first, *rest = messages
    response = client.chat_postMessage(
        channel=channel_id, text=first.text, blocks=first.blocks, unfurl_links=False, unfurl_media=False
    )
    for message in rest:
        client.chat_postMessage(
            channel=str(response.get("channel") or channel_id),
            thread_ts=str(response["ts"]),
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )


def _preview(respond: Respond, digest: Digest) -> None:
    """The summary only (it names nobody), privately, to someone who may not post the digest."""
    for message in summary_messages(digest, footer=PREVIEW_FOOTER):
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)


handle_ict_digest = command_listener("/ict-digest", _ict_digest)
