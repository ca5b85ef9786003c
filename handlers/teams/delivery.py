"""Reminders and scheduled digests sent to Teams, proactively, and the router that picks a platform.

:class:`TeamsDelivery` and :class:`TeamsDigestDelivery` are the Teams deliveries the reconciler calls
from its worker threads, each send on an event loop and Bot Connector client of its own. A reminder goes
to the person's 1:1 conversation with the bot (started first for a person met only in a channel; a
person never met cannot be written to), the digest to the governance channel's stored reference.
Refusals are permanent; 429, 5xx, a refused token and network errors transient (a 429 first waited out,
up to :data:`THROTTLE_RETRIES` times). Teams' history cannot be read, so a retried claim is sent again
and recorded as :data:`RESENT`: at least once, possibly twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

import httpx
from microsoft_teams.api.clients.conversation import ConversationClient
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.common import ClientOptions

from bot.runtime import Runtime
from bot.scheduling.pace import Pace
from bot.scheduling.ports import Deliver as DeliverReminder
from bot.scheduling.ports import Outcome, PostDigest
from bot.services import claims, people
from bot.services.assurance.reminders import AssuranceDue
from bot.services.digest_posts import DigestDue
from bot.services.reminders import Due
from handlers.teams import references
from handlers.teams.app import PLATFORM, card_activity
from handlers.teams.auth import ClientCredentialsToken, TokenError, cloud_for
from handlers.teams.cards import digest_cards, reminder_card
from models import ReferenceKind, TeamsConversationRef, Workspace

__all__ = ["NO_REFERENCE", "RESENT", "PlatformRouter", "TeamsDelivery", "TeamsDigestDelivery"]

log = logging.getLogger(__name__)

NO_REFERENCE = (
    "not reachable in Teams yet: the bot has no conversation with this person (they must open a chat "
    "with the bot, or be in a team where it is installed)"
)
NO_CHANNEL = (
    "the governance channel is not known to the bot in Teams: add the bot to the channel's team, then @mention it there"
)
RESENT = claims.resent("Teams cannot read history")  # how a retry's unknown earlier outcome was settled
PERMANENT_STATUSES = frozenset({400, 403, 404, 405, 409, 410, 413})
THROTTLE_RETRIES = 3  # as the Slack client's RateLimitErrorRetryHandler
LONGEST_WAIT = 60.0  # seconds of waiting for one call, in all; past that, the retry after the claim timeout
DEFAULT_WAIT = 1.0  # seconds, for a 429 without Retry-After

T = TypeVar("T")
pause = asyncio.sleep  # the wait a Retry-After asks for (tests record it instead of sleeping)


async def honouring_retry_after(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, made again after the wait a 429 asks for; other failures, a 429 that comes a fourth
    time, and one whose wait would take the call's waiting past :data:`LONGEST_WAIT` go to the caller."""
    waited = 0.0
    for attempt in range(THROTTLE_RETRIES + 1):
        try:
            return await call()
        except httpx.HTTPStatusError as exc:
            wait = _throttled_for(exc.response)
            if wait is None or waited + wait > LONGEST_WAIT or attempt == THROTTLE_RETRIES:
                raise
            log.info("the Bot Connector asked to wait %.1f s (429); waiting, then trying again", wait)
            await pause(wait)
            waited += wait
    raise AssertionError("unreachable: the last attempt returns or raises")


def _throttled_for(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait (its ``Retry-After`` in seconds, or a second if it gives none); None for
    any other answer, or a ``Retry-After`` that is not a number of seconds (an HTTP date: left to later)."""
    if response.status_code != 429:
        return None
    given = response.headers.get("retry-after")
    if given is None:
        return DEFAULT_WAIT
    try:
        wait = float(given)
    except ValueError:
        return None
    return max(0.0, wait)


class _Connector:
    """The SDK's Bot Connector conversations client with the bot's token; one per send, on that send's own loop.

    Only the conversations client: the SDK's ``ApiClient``, which holds it, also builds the bot client the
    SDK deprecates (a ``DeprecationWarning`` on each construction), which a delivery never uses."""

    def __init__(self, runtime: Runtime, tokens: ClientCredentialsToken) -> None:
        self.cloud = cloud_for(runtime.settings)
        self.tokens = tokens

    def client(self, service_url: str) -> ConversationClient:
        async def token() -> str:
            return await self.tokens(self.cloud.bot_scope)

        return ConversationClient(service_url, ClientOptions(token=token, timeout=20.0))


def _failure(exc: httpx.HTTPError | TokenError | OSError) -> Outcome:
    """The connector's (or Entra ID's) refusal as an outcome: permanent, or worth one retry."""
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        code = _error_code(exc.response)
        error = f"teams_{status}" + (f" {code}" if code else "")
        return Outcome(error=error[:200], permanent=status in PERMANENT_STATUSES)
    if isinstance(exc, TokenError):
        return Outcome(error=str(exc)[:200], permanent=False)
    return Outcome(error=type(exc).__name__, permanent=False)


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or "")
    return str(error or "")


class TeamsDelivery:
    """Sends claimed reminders (an Adaptive Card with the reminder's buttons) to people in Teams."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        rate: float | None = None,
        card: Callable[[Any], dict[str, Any]] | None = None,  # (a Due, or an AssuranceDue) → the card
    ) -> None:
        if card is None:
            card = reminder_card
        self.runtime = runtime
        self.card: Callable[[Any], dict[str, Any]] = card
        self.connector = _Connector(runtime, ClientCredentialsToken.from_settings(runtime.settings))
        self.pace = Pace(rate)

    def __call__(self, item: Due | AssuranceDue) -> Outcome:
        with self.runtime.sessions() as session:
            ref = references.find(session, item.workspace_id, ReferenceKind.USER, item.user_id)
            if ref is None:
                return Outcome(error=NO_REFERENCE, permanent=True)
            session.expunge(ref)
        card = self.card(item)
        self.pace.wait()
        try:
            outcome = asyncio.run(self._send(ref, card))
        except (httpx.HTTPError, TokenError, OSError) as exc:
            outcome = _failure(exc)
        return _settled(outcome, item.attempt)

    async def _send(self, ref: TeamsConversationRef, card: dict[str, Any]) -> Outcome:
        conversations = self.connector.client(ref.service_url)
        conversation_id = ref.conversation_id
        if conversation_id is None:  # met in a channel only: start the 1:1 conversation
            if not ref.account_id:
                return Outcome(error=NO_REFERENCE, permanent=True)
            # Bot Framework's ConversationParameters (isGroup and bot are not in the SDK's model: extra fields).
            params = CreateConversationParams.model_validate(
                {
                    "isGroup": False,
                    "bot": {"id": ref.bot_id},
                    "members": [{"id": ref.account_id}],
                    "tenantId": ref.tenant_id,
                    "channelData": {"tenant": {"id": ref.tenant_id}},
                }
            )
            created = await honouring_retry_after(partial(conversations.create, params))
            conversation_id = created.id
            await asyncio.to_thread(self._remember_conversation, ref.id, conversation_id)
        send = partial(conversations.create_activity, conversation_id, card_activity(card))
        sent = await honouring_retry_after(send)
        return Outcome(channel_id=conversation_id, message_ts=sent.id)

    def _remember_conversation(self, ref_id: int, conversation_id: str) -> None:
        with self.runtime.sessions.begin() as session:
            references.set_personal_conversation(session, ref_id, conversation_id, now=self.runtime.now())


class TeamsDigestDelivery:
    """Posts the scheduled digest (one or more Adaptive Cards) in the governance channel in Teams."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        cards: Callable[..., list[dict[str, Any]]] | None = None,  # (digest, people=names): the cards
    ) -> None:
        if cards is None:
            cards = digest_cards
        self.runtime = runtime
        self.cards = cards
        self.connector = _Connector(runtime, ClientCredentialsToken.from_settings(runtime.settings))

    def __call__(self, item: DigestDue) -> Outcome:
        assert item.digest is not None
        with self.runtime.sessions() as session:
            ref = references.find(session, item.workspace_id, ReferenceKind.CHANNEL, item.channel_id)
            if ref is None:
                return Outcome(error=NO_CHANNEL, permanent=True)
            service_url = ref.service_url
            ws = session.get(Workspace, item.workspace_id)
            names = people.directory(session, ws) if ws is not None else {}
        cards = self.cards(item.digest, people=names)
        try:
            outcome = asyncio.run(self._post(service_url, item.channel_id, cards))
        except (httpx.HTTPError, TokenError, OSError) as exc:
            outcome = _failure(exc)
        return _settled(outcome, item.attempt)

    async def _post(self, service_url: str, channel_id: str, cards: list[dict[str, Any]]) -> Outcome:
        conversations = self.connector.client(service_url)
        first: str | None = None
        for card in cards:
            # Only the throttled card is sent again: the ones before it are in the channel already.
            send = partial(conversations.create_activity, channel_id, card_activity(card))
            sent = await honouring_retry_after(send)
            first = first or sent.id
        return Outcome(channel_id=channel_id, message_ts=first)


def _settled(outcome: Outcome, attempt: int) -> Outcome:
    """A retry's outcome says it was sent without looking for the earlier attempt (see the module's note)."""
    return replace(outcome, settled=RESENT) if attempt > 1 else outcome


class PlatformRouter:
    """One ``deliver`` (or ``post_digest``) for the reconciler: each item to its workspace's platform's."""

    def __init__(self, by_platform: dict[str, Callable[[Any], Outcome]]) -> None:
        self.by_platform = dict(by_platform)

    def __call__(self, item: Due | DigestDue | AssuranceDue) -> Outcome:
        deliver = self.by_platform.get(item.platform)
        if deliver is None:
            return Outcome(error=f"this ictbot is not configured for {item.platform}", permanent=True)
        return deliver(item)


def reminder_router(slack: DeliverReminder | None, teams: DeliverReminder | None) -> DeliverReminder:
    return PlatformRouter({k: v for k, v in (("slack", slack), (PLATFORM, teams)) if v is not None})


def digest_router(slack: PostDigest | None, teams: PostDigest | None) -> PostDigest:
    return PlatformRouter({k: v for k, v in (("slack", slack), (PLATFORM, teams)) if v is not None})
