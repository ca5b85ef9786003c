"""Posting the progress digest in a Slack channel: `/ict-digest` and the scheduled pre-meeting digest.

:func:`post_digest` posts the summary (chat.postMessage), the detail as replies in its thread
(chat.postMessage with ``thread_ts``), then the full report (the Markdown digest) and the chart of RAG
by priority as files in the same thread (``files_upload_v2``: files.getUploadURLExternal, the bytes to
the upload URL, files.completeUploadExternal with ``channel_id`` and ``thread_ts``).

If the summary cannot be posted, nothing is in the channel and the Slack error is raised. Once it is,
a later failure stops the posting and is returned in :attr:`Posted.error`: posting again would
duplicate the summary, so the caller reports it instead.

People are shown by name (users.info), not as mentions: a digest in a channel must not notify every
owner it lists. A user Slack will not describe is shown by ID.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.charts import rag_by_priority_png
from bot.digest_render import render_digest
from bot.literal import visible
from bot.scheduler import Outcome
from bot.services.digest import Digest
from bot.services.digest_posts import DigestDue
from bot.tokens import NOT_INSTALLED, TokenSource, client_with
from handlers.digest_blocks import digest_messages, people_in
from handlers.reminders import TRANSIENT_ERRORS, Pace

__all__ = [
    "NOT_IN_CHANNEL",
    "Posted",
    "SlackDigestDelivery",
    "digest_files",
    "display_names",
    "post_digest",
    "slack_error",
]

log = logging.getLogger(__name__)

# Slack's answers when the bot may not post where it was asked: a public channel it has not joined, or
# a private channel or direct message it is not in (which Slack reports as not found).
NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})
MAX_ALT_TEXT = 1000  # files.getUploadURLExternal refuses longer alt text (alt_txt_too_large)
FILES_COMMENT = "The full report (Markdown) and RAG status by priority."


@dataclass(frozen=True, slots=True)
class Posted:
    channel_id: str
    ts: str  # the summary: the thread's parent
    replies: int  # thread replies posted
    files: tuple[str, ...]  # IDs of the files shared in the thread
    error: str | None = None  # what stopped the posting after the summary, if anything


def slack_error(exc: Exception) -> str:
    """Slack's error code (``not_in_channel``), or what went wrong on the way there."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return type(exc).__name__


def display_names(client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """User ID → the name Slack shows (display name, else real name), one users.info each."""
    names: dict[str, str] = {}
    for user_id in dict.fromkeys(user_ids):
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.info("no name for %s (%s); the digest shows the ID", user_id, slack_error(exc))
            continue
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        if name:
            names[user_id] = str(name)
    return names


def digest_files(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The full report as Markdown and the chart as PNG, as ``files_upload_v2(file_uploads=...)`` takes them."""
    day = digest.end.astimezone(digest.tz).date().isoformat()
    return [
        {
            "content": render_digest(digest, "md", people=people),
            "filename": f"ict-digest-{day}.md",
            "title": f"ICT progress digest {day} (full report)",
        },
        {
            "file": rag_by_priority_png(digest),
            "filename": f"ict-digest-rag-{day}.png",
            "title": f"RAG status by priority, {day}",
            "alt_txt": _alt_text(digest),
        },
    ]


def _alt_text(digest: Digest) -> str:
    parts = [
        f"{g.name}: {g.rag.red} red, {g.rag.amber} amber, {g.rag.green} green, {g.rag.none} with no RAG yet"
        for g in digest.priorities
        if g.projects
    ]
    text = visible("Bar chart of projects by RAG status for each priority. " + "; ".join(parts) + ".")
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"  # the numbers are in the report


def post_digest(
    client: WebClient,
    channel_id: str,
    digest: Digest,
    *,
    people: Mapping[str, str] | None = None,
    pace: Callable[[], None] | None = None,
) -> Posted:
    """Post the digest in ``channel_id``: the summary, its thread, then the report and chart in the thread.

    Raises Slack's error when the summary itself could not be posted (then nothing was). ``pace`` is
    called before each message (Slack allows about one message a second in a channel, with bursts).
    """
    wait = pace or (lambda: None)
    first, *rest = digest_messages(digest, people=people)
    wait()
    response = client.chat_postMessage(
        channel=channel_id, text=first.text, blocks=first.blocks, unfurl_links=False, unfurl_media=False
    )
    channel = str(response.get("channel") or channel_id)
    ts = str(response["ts"])
    replies = 0
    try:
        for message in rest:
            wait()
            client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
            replies += 1
        uploaded = client.files_upload_v2(
            file_uploads=digest_files(digest, people=people),
            channel=channel,
            thread_ts=ts,
            initial_comment=FILES_COMMENT,
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        error = slack_error(exc)
        log.warning("the digest in %s stopped after %d of %d replies: %s", channel, replies, len(rest), error)
        return Posted(channel, ts, replies, (), error)
    files = tuple(str(f.get("id")) for f in uploaded.get("files") or [])
    return Posted(channel, ts, replies, files)


class SlackDigestDelivery:
    """Posts claimed scheduled digests in their governance channel: the Reconciler's ``post_digest``.

    Slack's errors are sorted as the reminders' are: permanent ones (the bot is not in the channel,
    the channel is archived) are recorded as failed; transient ones are retried once after a timeout.
    A failure after the summary was posted is permanent: the retry would post the digest twice.
    """

    def __init__(self, client: WebClient, *, rate: float | None = None, tokens: TokenSource | None = None) -> None:
        self.client = client
        self.pace = Pace(rate)
        self.tokens = tokens  # each team's bot token (multi-workspace); without it, the client's own

    def __call__(self, item: DigestDue) -> Outcome:
        if item.digest is None:
            raise ValueError("the scheduler hands over a DigestDue with its digest built")
        client = self.client
        if self.tokens is not None:
            token = self.tokens.bot_token(item.team_id)
            if token is None:  # uninstalled from the team, or its tokens were revoked
                return Outcome(error=NOT_INSTALLED, permanent=True)
            client = client_with(self.client, token)
        try:
            people = display_names(client, people_in(item.digest))
            posted = post_digest(client, item.channel_id, item.digest, people=people, pace=self.pace.wait)
        except SlackApiError as exc:
            error = slack_error(exc)
            return Outcome(error=error, permanent=error not in TRANSIENT_ERRORS and exc.response.status_code < 500)
        except (SlackClientError, OSError) as exc:
            return Outcome(error=slack_error(exc), permanent=False)
        if posted.error is not None:
            return Outcome(
                error=f"partly posted: {posted.error}",
                permanent=True,
                channel_id=posted.channel_id,
                message_ts=posted.ts,
            )
        return Outcome(channel_id=posted.channel_id, message_ts=posted.ts)
