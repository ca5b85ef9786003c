"""Reminders in Slack: the direct message with its buttons, and delivering it politely.

The scheduler decides what is due (:mod:`bot.scheduling.reconciler`, :mod:`bot.services.reminders`); this
module opens the DM, posts the message, paces itself under Slack's rate limit, and sorts Slack's errors
into permanent ones (recorded, shown to the chair) and transient ones (retried once after a timeout).
Each message names its claim in its metadata, and a retry first looks for it in the DM's history
(:mod:`handlers.slack.delivery.history`), so a reminder goes once. The client never repeats a
chat.postMessage on its own unless Slack surely did not act on it
(:func:`handlers.slack.client.surely_not_acted_on`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.literal import literal
from bot.render.jinja import render
from bot.scheduling.pace import Paces
from bot.scheduling.ports import Outcome
from bot.services.reminders import Due, StaleProject
from handlers.slack.blocks.chase import chase_blocks
from handlers.slack.blocks.rich_text import MAX_MESSAGE_SIZE, block_size, fallback_text, pages, rich_blocks
from handlers.slack.client import PostsOnce, method_of, slack_error
from handlers.slack.delivery.history import FOUND, FOUND_IN_PART, NOT_FOUND, REMINDER_EVENT, History, claim_metadata
from handlers.slack.tokens import NOT_INSTALLED, TokenSource
from models.scheduling import ReminderKind

POST_UPDATE_ACTION = "reminder_post_update"
NO_CHANGE_ACTION = "reminder_no_change"
SNOOZE_ACTION = "reminder_snooze"
POST_WITH = "/ict-update REF RAG text"
MAX_BLOCKS = 50  # Slack's limit for one message
MAX_PROJECTS_WITH_BUTTONS = 23  # 2 blocks each, with the intro and the closing buttons
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"}
)


# Calls that a repeat would carry out twice: a message posted, files shared (in a message) again.
class _PacedRetry(PostsOnce):
    """A retry handler of the app's (no post repeated that Slack may have acted on), then a fresh slot from
    the pace: without it a retried call would land on top of the paced ones and be refused in turn."""

    def __init__(self, inner: RetryHandler, paces: Paces) -> None:
        super().__init__(inner)
        self.paces = paces

    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        super().prepare_for_next_attempt(**kwargs)
        request: HttpRequest = kwargs["request"]
        self.paces.wait(token_of(request), method_of(request))


def token_of(request: HttpRequest) -> str | None:
    """The token a Web API call is made with (its ``Authorization: Bearer …`` header): whose pace it keeps."""
    for name, values in request.headers.items():  # slack_sdk keeps each header's values as a list
        if name.lower() == "authorization":
            value = values[0] if isinstance(values, list) and values else values
            return str(value).removeprefix("Bearer ") or None
    return None


def delivery_client(client: WebClient, paces: Paces) -> WebClient:
    """A Web API client of delivery's own, on ``client``'s URL, token, timeout and TLS context: slack_sdk's retry
    handlers (connection errors, 429 Retry-After, 5xx), each retry paced, none repeating a post Slack may have
    acted on.

    Delivery does not use the app's shared client: that one retries without pacing, and repeats posts.
    """
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        retry_handlers=[
            _PacedRetry(ConnectionErrorRetryHandler(max_retry_count=2), paces),
            _PacedRetry(RateLimitErrorRetryHandler(max_retry_count=3), paces),
            _PacedRetry(ServerErrorRetryHandler(max_retry_count=2), paces),
        ],
    )


def failure(exc: Exception) -> Outcome:
    """A Slack call's failure as an outcome: permanent (recorded, shown to the chair), or worth one retry."""
    if isinstance(exc, SlackApiError):
        error = slack_error(exc)
        return Outcome(error=error, permanent=error not in TRANSIENT_ERRORS and exc.response.status_code < 500)
    return Outcome(error=slack_error(exc), permanent=False)


def not_looked(exc: Exception, channel_id: str | None = None) -> Outcome:
    """A retry that could not read the conversation's history just now: it sent nothing, and looks again
    after the next claim timeout."""
    outcome = failure(exc)
    return replace(outcome, error=f"history: {outcome.error}", channel_id=channel_id, deferred=True)


def button_value(**values: int) -> str:
    return json.dumps(values, separators=(",", ":"))


def reminder_message(item: Due) -> tuple[str, list[dict[str, Any]]]:
    """An owner's reminder: their stale projects, each with Post update / No change, then Remind me tomorrow.

    One message: as many projects get their buttons as fit in it (Slack's 50 blocks and the size of a
    message, :data:`handlers.slack.blocks.rich_text.MAX_MESSAGE_SIZE`); the rest are named, never dropped."""
    tz = ZoneInfo(item.timezone)
    intro = render(
        "reminder_intro.mrkdwn.j2",
        meeting=item.meeting_starts_at,
        since=item.period_start,
        projects=item.projects,
        tz=tz,
    )
    head = [b.to_dict() for b in rich_blocks(intro)]
    chased = chase_blocks(item.actions, item.risks)
    each = [_project_blocks(p, item, tz) for p in item.projects]
    snooze = ActionsBlock(
        block_id="reminder-snooze",
        elements=[
            ButtonElement(text="Remind me tomorrow", action_id=SNOOZE_ACTION, value=button_value(m=item.meeting_id))
        ],
    ).to_dict()
    most = MAX_PROJECTS_WITH_BUTTONS - (len(chased) + 1) // 2
    shown = len(each) if len(each) <= most + 1 else max(most, 0)
    while True:
        rest = [b.to_dict() for b in _rest_blocks(item.projects[shown:])]
        blocks = [*head, *(b for pair in each[:shown] for b in pair), *rest, *chased, snooze]
        if not shown or (len(blocks) <= MAX_BLOCKS and sum(block_size(b) for b in blocks) <= MAX_MESSAGE_SIZE):
            return fallback_text(intro), blocks
        shown -= 1


def _project_blocks(p: StaleProject, item: Due, tz: ZoneInfo) -> list[dict[str, Any]]:
    """A stale project and its Post update / No change this month buttons."""
    value = button_value(p=p.project_id, m=item.meeting_id)
    buttons = ActionsBlock(
        block_id=f"reminder-{p.project_id}",
        elements=[
            ButtonElement(text="Post update", action_id=POST_UPDATE_ACTION, value=value, style="primary"),
            ButtonElement(text="No change this month", action_id=NO_CHANGE_ACTION, value=value),
        ],
    )
    return [*(b.to_dict() for b in rich_blocks(_project_text(p, item.user_id, tz))), buttons.to_dict()]


def _rest_blocks(rest: Sequence[StaleProject]) -> list[Block]:
    """The projects without buttons, named (their references as typed)."""
    if not rest:
        return []
    refs = literal(", ".join(p.ref for p in rest))
    return [
        *rich_blocks(f"…and {len(rest)} more without an update: {refs}. Post those with `/ict-update REF RAG text`.")
    ]


def _project_text(p: StaleProject, user_id: str, tz: ZoneInfo) -> str:
    return render("reminder_project.mrkdwn.j2", p=p, user_id=user_id, tz=tz)


def chair_messages(item: Due) -> list[tuple[str, list[dict[str, Any]]]]:
    """The chair's notice; a very long list goes out as several messages, never cut short."""
    tz = ZoneInfo(item.timezone)
    text = render(
        "chair_notice.mrkdwn.j2",
        meeting=item.meeting_starts_at,
        since=item.period_start,
        projects=item.projects,
        failures=item.failures,
        tz=tz,
    )
    headline = fallback_text(text)
    return [(headline, page) for page in pages(rich_blocks(text))]


class SlackDelivery:
    """Sends claimed reminders as direct messages through the Web API.

    A retry (``item.attempt > 1``: its earlier attempt's outcome is unknown) first looks in the DM's
    history for the messages that attempt posted, and posts only those not there.
    """

    def __init__(self, client: WebClient, *, rate: float | None = None, tokens: TokenSource | None = None) -> None:
        # ``tokens``: each team's bot token (multi-workspace); without it, the client's own token is used.
        self.tokens = tokens
        # Slack limits each method separately, so each gets its own pace, and retries wait for it too:
        # a client of delivery's own, as the app's shared client retries without pacing.
        # Each workspace's (each token's) own pace: Slack counts per workspace.
        self.paces = Paces(rate)
        self.client = delivery_client(client, self.paces)
        self.history = History(self.client, wait=self.paces.wait)
        self._dms: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def __call__(self, item: Due) -> Outcome:
        assert item.reminder_id is not None
        return self.send(
            team_id=item.team_id,
            user_id=item.user_id,
            event_type=REMINDER_EVENT,
            claim_id=item.reminder_id,
            attempt=item.attempt,
            first_claimed_at=item.first_claimed_at,
            messages=chair_messages(item) if item.kind is ReminderKind.CHAIR else [reminder_message(item)],
        )

    def send(
        self,
        *,
        team_id: str,
        user_id: str,
        event_type: str,
        claim_id: int,
        attempt: int,
        first_claimed_at: datetime | None,
        messages: Sequence[tuple[str, list[dict[str, Any]]]],
    ) -> Outcome:
        """Post claim ``claim_id``'s ``messages`` (text, blocks) in ``user_id``'s DM, each marked with the claim
        in its metadata; a retry (``attempt`` > 1) first looks for them from ``first_claimed_at`` on and posts
        only the parts it does not find."""
        token = self.client.token if self.tokens is None else self.tokens.bot_token(team_id)
        if token is None:  # uninstalled from the team, or its tokens were revoked: nobody to send as
            return Outcome(error=NOT_INSTALLED, permanent=True)
        try:
            channel = self._dm(team_id, user_id, token)
        except (SlackApiError, SlackClientError, OSError) as exc:
            return failure(exc)
        found: dict[int, dict[str, Any]] = {}
        settled = ""
        if attempt > 1:
            try:
                found, settled = self.history.look(
                    token=token,
                    channel=channel,
                    event_type=event_type,
                    claim_id=claim_id,
                    since=first_claimed_at,
                )
            except (SlackApiError, SlackClientError, OSError) as exc:
                return not_looked(exc, channel_id=channel)
            settled = settled or (FOUND if len(found) >= len(messages) else FOUND_IN_PART if found else NOT_FOUND)
        posted = {part: str(message.get("ts")) for part, message in found.items()}
        try:
            for part, (text, blocks) in enumerate(messages):
                if part in found:
                    continue
                self.paces.wait(token, "chat.postMessage")
                response = self.client.chat_postMessage(
                    token=token,
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    metadata=claim_metadata(event_type, claim_id, part),
                )
                posted[part] = str(response.get("ts") or "")
        except (SlackApiError, SlackClientError, OSError) as exc:
            return replace(failure(exc), channel_id=channel, settled=settled)
        return Outcome(channel_id=channel, message_ts=posted[min(posted)] if posted else None, settled=settled)

    def _dm(self, team_id: str, user_id: str, token: str) -> str:
        """The DM with ``user_id``: conversations.open, which gives the same one every time."""
        with self._lock:
            known = self._dms.get((team_id, user_id))
        if known:
            return known
        self.paces.wait(token, "conversations.open")
        channel = str(self.client.conversations_open(token=token, users=user_id)["channel"]["id"])
        with self._lock:
            self._dms[(team_id, user_id)] = channel
        return channel
