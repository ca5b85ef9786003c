"""Posting the progress digest in a Slack channel: `/ict-digest` and the scheduled pre-meeting digest.

:func:`post_digest` posts the summary, the detail as replies in its thread, then the full report
(Markdown) and the chart of RAG by priority as files in the same thread. If the summary cannot be
posted, the Slack error is raised; a later failure stops the posting and is returned in
:attr:`Posted.error`, since posting again would duplicate the summary. People are shown by name, never
as mentions. The scheduled digest's summary names its claim in its metadata, so a retry first looks for
it in the channel's history (:mod:`handlers.slack.delivery.history`) and the digest goes once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.literal import visible
from bot.render.charts import rag_by_priority_png
from bot.render.digest import render_digest
from bot.scheduling.pace import Paces
from bot.scheduling.ports import Outcome
from bot.services.digest import Digest
from bot.services.digest_posts import DigestDue
from handlers.slack.blocks.digest import digest_messages, people_in
from handlers.slack.client import slack_error
from handlers.slack.delivery.history import DIGEST_EVENT, FOUND, NOT_FOUND, History, claim_metadata
from handlers.slack.delivery.reminders import delivery_client, failure, not_looked
from handlers.slack.people import SlackPeople, ask_each
from handlers.slack.tokens import NOT_INSTALLED, TokenSource, client_with

__all__ = [
    "NOT_IN_CHANNEL",
    "Posted",
    "SlackDigestDelivery",
    "digest_files",
    "display_names",
    "post_digest",
    "post_thread",
    "slack_error",
    "thread_length",
]

log = logging.getLogger(__name__)

# Slack's answers when the bot may not post where it was asked: a public channel it has not joined, or
# a private channel or direct message it is not in (which Slack reports as not found).
NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})
MAX_ALT_TEXT = 1000  # files.getUploadURLExternal refuses longer alt text (alt_txt_too_large)
FILES_COMMENT = "The full report (Markdown) and RAG status by priority."
THREAD_POSTED = "found in history without its thread; posted the thread"


@dataclass(frozen=True, slots=True)
class Posted:
    channel_id: str
    ts: str  # the summary: the thread's parent
    replies: int  # thread replies posted
    files: tuple[str, ...]  # IDs of the files shared in the thread
    error: str | None = None  # what stopped the posting after the summary, if anything


def display_names(client: WebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """User ID → the name Slack shows, one users.info each: for a delivery built without the directory."""
    return {e.user_id: e.name for e in ask_each(client, user_ids)}


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
    metadata: dict[str, Any] | None = None,
) -> Posted:
    """Post the digest in ``channel_id``: the summary, its thread, then the report and chart in the thread.

    Raises Slack's error when the summary itself could not be posted (then nothing was). ``pace`` is
    called before each message (Slack allows about one message a second in a channel, with bursts).
    ``metadata``: the summary's message metadata (the scheduled digest's names its claim).
    """
    wait = pace or (lambda: None)
    first, *rest = digest_messages(digest, people=people)
    wait()
    response = client.chat_postMessage(
        channel=channel_id,
        text=first.text,
        blocks=first.blocks,
        unfurl_links=False,
        unfurl_media=False,
        metadata=metadata,
    )
    return _post_thread(
        client, str(response.get("channel") or channel_id), str(response["ts"]), rest, digest, people, wait
    )


def post_thread(
    client: WebClient,
    channel_id: str,
    ts: str,
    digest: Digest,
    *,
    people: Mapping[str, str] | None = None,
    pace: Callable[[], None] | None = None,
) -> Posted:
    """Post the digest's thread (its detail, then the report and chart) under the summary ``ts`` already in
    ``channel_id``: what a retry does when it finds the summary there without its thread."""
    _, *rest = digest_messages(digest, people=people)
    return _post_thread(client, channel_id, ts, rest, digest, people, pace or (lambda: None))


def thread_length(digest: Digest, *, people: Mapping[str, str] | None = None) -> int:
    """How many messages :func:`post_thread` puts in the summary's thread: the detail's (every message but
    the summary), and the one that shares the files."""
    return len(digest_messages(digest, people=people))


def _post_thread(
    client: WebClient,
    channel: str,
    ts: str,
    rest: list[Any],
    digest: Digest,
    people: Mapping[str, str] | None,
    wait: Callable[[], None],
) -> Posted:
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

    A retry (its earlier attempt's outcome unknown) first looks for the summary in the channel. Not
    there: the digest is posted. There with its thread: nothing is posted. There with no reply yet (the
    earlier attempt stopped at the summary, e.g. Slack answered it too late): the thread is posted under
    it. There with part of its thread: recorded as partly posted, as any failure after the summary is,
    since the retry cannot tell which replies went.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        rate: float | None = None,
        tokens: TokenSource | None = None,
        people: SlackPeople | None = None,
    ) -> None:
        # Slack's per-channel limit paces the messages, not each method: each workspace's posts keep a pace.
        self.paces = Paces(rate, methods={"chat.postMessage"})
        self.people = people  # the directory of names; without it, Slack is asked for every name
        # A client of its own, as the reminders' (handlers.slack.delivery.reminders.delivery_client): it never
        # repeats a post Slack may have acted on.
        self.client = delivery_client(client, self.paces)
        self.history = History(self.client)
        self.tokens = tokens  # each team's bot token (multi-workspace); without it, the client's own

    def __call__(self, item: DigestDue) -> Outcome:
        if item.digest is None:
            raise ValueError("the scheduler hands over a DigestDue with its digest built")
        assert item.post_id is not None
        client, token = self.client, self.client.token
        if self.tokens is not None:
            token = self.tokens.bot_token(item.team_id)
            if token is None:  # uninstalled from the team, or its tokens were revoked
                return Outcome(error=NOT_INSTALLED, permanent=True)
            client = client_with(self.client, token)
        summary: dict[str, Any] | None = None
        settled = ""
        if item.attempt > 1:
            try:
                found, settled = self.history.look(
                    token=token,
                    channel=item.channel_id,
                    event_type=DIGEST_EVENT,
                    claim_id=item.post_id,
                    since=item.first_claimed_at,
                )
            except (SlackApiError, SlackClientError, OSError) as exc:
                return not_looked(exc)
            summary = found.get(0)
            settled = settled or (NOT_FOUND if summary is None else FOUND)
        try:
            named = people_in(item.digest)
            if self.people is None:
                people = display_names(client, named)
            else:
                people = self.people.names(client, item.workspace_id, named)
            if summary is None:
                posted = post_digest(
                    client,
                    item.channel_id,
                    item.digest,
                    people=people,
                    pace=partial(self.paces.wait, token, "chat.postMessage"),
                    metadata=claim_metadata(DIGEST_EVENT, item.post_id),
                )
            else:
                pace = partial(self.paces.wait, token, "chat.postMessage")
                resumed = self._resume(client, item.channel_id, summary, item.digest, people, pace)
                if isinstance(resumed, Outcome):
                    return replace(resumed, settled=settled)
                posted, settled = resumed, THREAD_POSTED
        except (SlackApiError, SlackClientError, OSError) as exc:
            return replace(failure(exc), settled=settled)
        if posted.error is not None:
            return Outcome(
                error=f"partly posted: {posted.error}",
                permanent=True,
                channel_id=posted.channel_id,
                message_ts=posted.ts,
                settled=settled,
            )
        return Outcome(channel_id=posted.channel_id, message_ts=posted.ts, settled=settled)

    @staticmethod
    def _resume(
        client: WebClient,
        channel: str,
        summary: dict[str, Any],
        digest: Digest,
        people: Mapping[str, str],
        pace: Callable[[], None],
    ) -> Posted | Outcome:
        """The summary an earlier attempt posted is in ``channel``: finish its thread if none of it went."""
        ts = str(summary.get("ts"))
        replies, expected = int(summary.get("reply_count") or 0), thread_length(digest, people=people)
        if replies >= expected:  # all there (replies by people would count too: then the rest is not re-posted)
            return Outcome(channel_id=channel, message_ts=ts)
        if replies:
            return Outcome(
                error=f"partly posted: found in history with {replies} of {expected} thread replies",
                permanent=True,
                channel_id=channel,
                message_ts=ts,
            )
        return post_thread(client, channel, ts, digest, people=people, pace=pace)
