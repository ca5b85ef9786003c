"""Finding what the bot already posted for a claim, so that a retry never sends it twice.

Every reminder and scheduled digest carries Slack message metadata naming its claim
(:func:`claim_metadata`). When a send's outcome is unknown, the retry reads the conversation's history
from the first attempt's claim on and posts only what is not there; only this bot's own messages count.
Where Slack refuses the history (:data:`UNREADABLE`), the retry sends again and says so; any other
failure to read it is raised, and nothing is sent. Nothing here posts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import claims

__all__ = [
    "DIGEST_EVENT",
    "FOUND",
    "FOUND_IN_PART",
    "NOT_FOUND",
    "REMINDER_EVENT",
    "UNREADABLE",
    "History",
    "HistoryUnreadable",
    "claim_metadata",
]

REMINDER_EVENT = "ictbot_reminder"  # an owner's reminder or a chair's notice (its parts: part 0, 1, …)
DIGEST_EVENT = "ictbot_digest"  # the scheduled digest's summary, the parent of its thread
# Apps distributed outside the Slack Marketplace get at most 15 messages a page (and a page a minute);
# asking for that many works for every app, and a retry's window holds few messages anyway.
HISTORY_PAGE = 15
# Slack stamps a message with its own clock: look a little before our claim, in case the two differ.
CLOCK_SLACK = timedelta(minutes=5)
# Slack's answers meaning the bot may not read this conversation's history: a scope the install lacks
# (channels:history, groups:history, im:history), or a conversation it is not in.
UNREADABLE = frozenset({"missing_scope", "not_in_channel", "channel_not_found", "not_allowed_token_type"})

FOUND = "found in history"
FOUND_IN_PART = "found in history in part; posted the rest"
NOT_FOUND = "not in history; posted"


def claim_metadata(event_type: str, claim_id: int, part: int = 0) -> dict[str, Any]:
    """The message metadata of part ``part`` of what claim ``claim_id`` posts."""
    return {"event_type": event_type, "event_payload": {"claim": claim_id, "part": part}}


class HistoryUnreadable(Exception):
    """Slack will not show this conversation's history to the bot (``error`` says why)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class History:
    """Looks through conversations' history for the messages this bot posted for a claim.

    ``wait(token, method)`` is called before each Web API call (the caller's pace); the bot's own ``bot_id`` is asked of
    auth.test once per token.
    """

    def __init__(
        self, client: WebClient, *, wait: Callable[[str | None, str], None] = lambda token, method: None
    ) -> None:
        self.client = client
        self.wait = wait
        self._bots: dict[str, str] = {}
        self._lock = threading.Lock()

    def find(
        self, *, token: str | None, channel: str, event_type: str, claim_id: int, since: datetime | None
    ) -> dict[int, dict[str, Any]]:
        """The parts of claim ``claim_id`` in ``channel`` since ``since`` (part → the message as Slack gives
        it: its ``ts``, its ``reply_count``, …); empty when none are.

        Raises :class:`HistoryUnreadable` when Slack refuses to show the history; other failures as the
        client raises them.
        """
        bot_id = self._bot_id(token)
        if not bot_id:  # not a bot token: nothing tells this bot's messages from another app's
            raise HistoryUnreadable("no bot_id from auth.test")
        oldest = f"{(since - CLOCK_SLACK).timestamp():.6f}" if since is not None else None
        found: dict[int, dict[str, Any]] = {}
        cursor: str | None = None
        while True:
            self.wait(token, "conversations.history")
            try:
                page = self.client.conversations_history(
                    token=token,
                    channel=channel,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "")
                if error in UNREADABLE:
                    raise HistoryUnreadable(error) from exc
                raise
            for message in page.get("messages") or []:
                part = _part_of(message, bot_id, event_type, claim_id)
                if part is not None:
                    found.setdefault(part, message)
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "") or None
            if not page.get("has_more") or cursor is None:
                return found

    def look(
        self, *, token: str | None, channel: str, event_type: str, claim_id: int, since: datetime | None
    ) -> tuple[dict[int, dict[str, Any]], str]:
        """:meth:`find` for a retry: the parts found, and the settlement when the history cannot be read at all
        (the retry then sends again, at least once; "" when it could be read). Any other failure to read it
        is raised: the retry sends nothing yet."""
        try:
            return self.find(token=token, channel=channel, event_type=event_type, claim_id=claim_id, since=since), ""
        except HistoryUnreadable as exc:
            return {}, claims.resent(f"history unreadable ({exc.error})")

    def _bot_id(self, token: str | None) -> str:
        key = token or ""
        with self._lock:
            known = self._bots.get(key)
        if known is not None:
            return known
        self.wait(token, "auth.test")
        bot_id = str(self.client.auth_test(token=token).get("bot_id") or "")
        with self._lock:
            self._bots[key] = bot_id
        return bot_id


def _part_of(message: dict[str, Any], bot_id: str, event_type: str, claim_id: int) -> int | None:
    """Which part of the claim ``message`` is, if it is one that this bot posted; None otherwise."""
    metadata = message.get("metadata")
    if not bot_id or message.get("bot_id") != bot_id or not isinstance(metadata, dict):
        return None
    payload = metadata.get("event_payload")
    if metadata.get("event_type") != event_type or not isinstance(payload, dict) or payload.get("claim") != claim_id:
        return None
    part = payload.get("part", 0)
    return part if isinstance(part, int) and not isinstance(part, bool) else None
