"""The Teams front end: Microsoft's Teams SDK app, served as Starlette routes beside Slack's.

:func:`create_teams_app` builds the SDK's app with JWT authentication on (an activity without a valid
token gets 401 before a listener runs); :class:`StarletteAdapter` turns its ``POST /api/messages`` into a
route for :func:`bot.server.asgi_app`. Messages and card actions go to :mod:`handlers.teams.messages`; an
install stores the conversation and says hello. Every contact refreshes the conversation references and
records the activity's id, so an activity Teams sends again is not acted on twice. A workspace is the
Teams tenant; a person is known by :func:`handlers.teams.identity.key`. The listeners are synchronous
(database work) and run in worker threads; the SDK's loop stays free.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from microsoft_teams.api import ActivityBase, ConversationUpdateActivity, InvokeResponse
from microsoft_teams.api.activities.install_update.remove import UninstalledActivity
from microsoft_teams.api.activities.invoke.adaptive_card import AdaptiveCardInvokeActivity
from microsoft_teams.api.activities.message.message import MessageActivity, MessageActivityInput
from microsoft_teams.api.activities.utils.strip_mentions_text import StripMentionsTextOptions, strip_mentions_text
from microsoft_teams.api.models.attachment.attachment import Attachment
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.literal import literal
from bot.runtime import Runtime
from bot.services import deliveries, people, workspaces
from bot.services.deliveries import Delivery
from handlers.teams import cards, messages, references
from handlers.teams.auth import ClientCredentialsToken, cloud_for, connector_url
from handlers.teams.deliveries import teams_activity
from handlers.teams.identity import TeamsUser
from handlers.teams.identity import key as identity_key
from handlers.teams.references import Where
from models import ReferenceKind, Workspace

__all__ = [
    "ADAPTIVE_CARD",
    "MESSAGES_PATH",
    "PLATFORM",
    "StarletteAdapter",
    "TeamsFrontEnd",
    "create_teams_app",
]

log = logging.getLogger(__name__)

PLATFORM = "teams"
MESSAGES_PATH = "/api/messages"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
GREETING = (
    "Hello! I'm ictbot, the ICT governance bot. I keep your ICT Work Plan updates, remind owners before "
    "each governance meeting and post the digest. Say **help** to see what I can do."
)
SORRY = "Sorry, something went wrong on my side; nothing was changed. Please try again in a minute."
ALREADY_DONE = "This was already done."


class Reply(Protocol):
    """What a Teams listener answers (``handlers.teams.messages.TeamsReply``)."""

    @property
    def text(self) -> str | None: ...
    @property
    def card(self) -> dict[str, Any] | None: ...
    @property
    def card_error(self) -> str | None: ...
    @property
    def cards(self) -> tuple[dict[str, Any], ...]: ...  # several cards (the digest); ``card`` is the first


class Listeners(Protocol):
    """``handlers.teams.messages``: the listeners, plain synchronous functions over the services."""

    def handle_text(
        self, runtime: Runtime, ws: Workspace, user: TeamsUser, text: str, now: datetime, *, channel: str | None = None
    ) -> Reply: ...
    def handle_submit(
        self, runtime: Runtime, ws: Workspace, user: TeamsUser, data: dict[str, Any], now: datetime
    ) -> Reply: ...


# -- the HTTP side ------------------------------------------------------------------------------
class StarletteAdapter:
    """The SDK's ``HttpServerAdapter``: the routes it registers become Starlette routes.

    It serves nothing itself: ``ictbot serve`` (or ``ictbot teams``: :func:`bot.server.serve_teams`) runs them
    in its own server.
    """

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        async def endpoint(request: Request) -> Response:
            # The SDK checks the token; a request without one is turned away before its body is read.
            if not (request.headers.get("authorization") or "").startswith("Bearer "):
                return JSONResponse({"error": "Unauthorized"}, status_code=401)
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"error": "the body is not JSON"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "the body is not an activity"}, status_code=400)
            result = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if result.get("body") is None:
                return Response(status_code=result["status"])
            return JSONResponse(result["body"], status_code=result["status"])

        self.routes.append(Route(path, endpoint, methods=[method]))

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("ictbot serves no static files for Teams")

    async def start(self, port: int) -> None:
        raise NotImplementedError("the Teams routes are served by `ictbot serve` / `ictbot teams`")

    async def stop(self) -> None:
        return None


# -- building the app ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TeamsFrontEnd:
    app: App
    routes: list[BaseRoute] = field(default_factory=list)


def create_teams_app(
    runtime: Runtime,
    *,
    listeners: Listeners | None = None,
) -> TeamsFrontEnd:
    """The Teams SDK app with its listeners, and the routes that serve it (``POST /api/messages``).

    ``listeners`` defaults to ``handlers.teams.messages``.
    """
    settings = runtime.settings
    settings.require("TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID", purpose="Microsoft Teams")
    if listeners is None:
        listeners = messages
    assert settings.TEAMS_CLIENT_ID is not None and settings.TEAMS_TENANT_ID is not None
    adapter = StarletteAdapter()
    cloud = cloud_for(settings)
    tokens = ClientCredentialsToken.from_settings(settings)
    app = App(
        client_id=settings.TEAMS_CLIENT_ID,
        tenant_id=settings.TEAMS_TENANT_ID,
        token=tokens,  # see handlers.teams.auth: the client-credentials grant, also against the stand-in
        cloud=cloud,
        service_url=connector_url(settings),
        http_server_adapter=adapter,
        messaging_endpoint=MESSAGES_PATH,
        dangerously_allow_unauthenticated_requests=False,
        state=False,
        fetch_user_token=False,
        telemetry={"agent365": False},
    )
    _Listening(runtime, listeners).register(app)
    # Registers the route (and the JWT validator); nothing here awaits I/O, so a private loop will do.
    _run_sync(app.initialize())
    if not adapter.routes:
        raise RuntimeError("the Teams SDK registered no messaging route")
    return TeamsFrontEnd(app=app, routes=list(adapter.routes))


def _run_sync(coro: Awaitable[None]) -> None:
    async def wrapped() -> None:
        await coro

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(wrapped())
        return
    raise RuntimeError("create_teams_app() is synchronous: call it before the event loop starts")


# -- who and where -------------------------------------------------------------------------------
def tenant_of(activity: ActivityBase) -> str | None:
    if activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data = activity.channel_data
    if channel_data is not None and channel_data.tenant is not None and channel_data.tenant.id:
        return channel_data.tenant.id
    return None


def _channel_id(conversation_id: str) -> str:
    """A channel's conversation id without the thread (``19:…@thread.tacv2;messageid=…``)."""
    return conversation_id.split(";", 1)[0]


MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)


def message_text(activity: MessageActivity) -> str:
    """The message's text without the bot's ``<at>`` mention (Teams puts it in the text and in an entity)."""
    stripped = strip_mentions_text(activity, StripMentionsTextOptions(account_id=activity.recipient.id))
    text = activity.text or "" if stripped is None else stripped
    if activity.recipient.name:  # a mention entity missing or differently spelled: the tag itself
        text = text.replace(f"<at>{activity.recipient.name}</at>", "")
    return text.replace("&nbsp;", " ").strip()


@dataclass(frozen=True)
class _Contact:
    ws: Workspace
    user: TeamsUser | None
    channel: str | None = None  # the team channel the activity came from; None in a personal or group chat
    delivery: Delivery | None = None  # the activity's record, marked done or failed once it is handled


class _Seen(enum.Enum):
    REPEAT = "repeat"  # Teams sent this activity before: acknowledge it, do not act on it


class _Listening:
    def __init__(self, runtime: Runtime, listeners: Listeners) -> None:
        self.runtime = runtime
        self.listeners = listeners

    def register(self, app: App) -> None:
        app.on_message(self.on_message)
        app.on_card_action(self.on_card_action)
        app.on_conversation_update(self.on_conversation_update)
        app.on_install_remove(self.on_install_remove)

    # -- the listeners (async, on the SDK's loop) ---------------------------------------------
    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        contact: _Contact | _Seen | None = None
        try:
            contact = await asyncio.to_thread(self._contact, activity)
            if not isinstance(contact, _Contact):
                return
            value = activity.value
            if isinstance(value, dict) and value:  # an Adaptive Card's Action.Submit
                reply = await asyncio.to_thread(self._submit, contact, value)
            else:
                reply = await asyncio.to_thread(self._text, contact, message_text(activity))
        except Exception as exc:
            log.error("a Teams message could not be handled", exc_info=exc)
            await self._handled(contact, failed=True)
            await ctx.send(SORRY)
            return
        await self._handled(contact, failed=False)
        if reply.card_error:  # a refused card submission (an Action.Submit has no card to show it on): a card of
            # its own, its text shown as it is, since a message's text is read as markdown
            await ctx.send(card_activity(cards.notice_card(literal(reply.card_error), attention=True), None))
            return
        await _send(ctx, reply)

    async def on_card_action(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> InvokeResponse[Any]:
        activity = ctx.activity
        action = activity.value.action
        data = dict(action.data)
        if action.verb and "verb" not in data:
            data["verb"] = action.verb
        contact: _Contact | _Seen | None = None
        try:
            contact = await asyncio.to_thread(self._contact, activity)
            if contact is None:
                return _invoke_error(400, "BadRequest", "This action did not come from a Teams tenant.")
            if contact is _Seen.REPEAT:
                return _invoke_message(ALREADY_DONE)
            reply = await asyncio.to_thread(self._submit, contact, data)
        except Exception as exc:
            log.error("a Teams card action could not be handled", exc_info=exc)
            await self._handled(contact, failed=True)
            return _invoke_error(500, "InternalServerError", SORRY)
        await self._handled(contact, failed=False)
        if reply.card_error:
            return _invoke_error(400, "BadRequest", reply.card_error)
        if reply.card is not None:
            if reply.text:
                await ctx.send(reply.text)
            return InvokeResponse(status=200, body={"statusCode": 200, "type": ADAPTIVE_CARD, "value": reply.card})
        return _invoke_message(reply.text or "Done.")

    async def on_conversation_update(self, ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        added = activity.members_added or []
        if not any(member.id == activity.recipient.id for member in added):
            return  # someone else joined a team the bot is in: nothing to remember
        contact = await asyncio.to_thread(self._contact, activity)
        if not isinstance(contact, _Contact):
            return
        await self._handled(contact, failed=False)
        await ctx.send(GREETING)

    async def on_install_remove(self, ctx: ActivityContext[UninstalledActivity]) -> None:
        """The app was removed from a personal chat or a team: forget where it can no longer write."""
        await asyncio.to_thread(self._forget, ctx.activity)

    # -- the synchronous part (worker threads) ----------------------------------------------------
    def _forget(self, activity: ActivityBase) -> None:
        tenant = tenant_of(activity)
        if not tenant:
            return
        conversation = _channel_id(activity.conversation.id)
        with self.runtime.sessions.begin() as session:
            ws = workspaces.find(session, tenant, PLATFORM)
            gone = references.forget_conversation(session, ws.id, conversation) if ws is not None else 0
        log.info(
            "removed from a Teams %s conversation in tenant %s: %d reference(s) forgotten",
            activity.conversation.conversation_type or "",
            tenant,
            gone,
        )

    def _contact(self, activity: ActivityBase) -> _Contact | _Seen | None:
        """The workspace (created on first contact), the person, and their conversation references, refreshed."""
        tenant = tenant_of(activity)
        if not tenant:
            log.warning("a Teams activity without a tenant was ignored (type %s)", activity.type)
            return None
        now = self.runtime.now()
        if not activity.service_url:
            log.warning("a Teams activity without a service URL was ignored (type %s)", activity.type)
            return None
        where = Where(service_url=activity.service_url, bot_id=activity.recipient.id, tenant_id=tenant)
        conversation = activity.conversation
        sender = activity.from_
        user: TeamsUser | None = None
        delivery = teams_activity(tenant, activity.id)
        with self.runtime.sessions.begin() as session:
            # Committed before the activity is acted on: the record is what tells other processes.
            if delivery is not None and not deliveries.admit(session, delivery, now=now):
                log.info("a Teams %s activity sent again was acknowledged and not acted on", activity.type)
                return _Seen.REPEAT
            ws = workspaces.get_or_create(session, tenant, platform=PLATFORM, now=now)
            if ws.uninstalled_at is not None:
                workspaces.mark_installed(ws)  # Teams only sends activities from where the bot is installed
            personal = conversation.conversation_type == "personal"
            if not personal:
                references.remember(session, ws, ReferenceKind.CHANNEL, _channel_id(conversation.id), where, now=now)
            if sender is not None and sender.id != activity.recipient.id:
                user = TeamsUser(id=sender.id, aad_object_id=sender.aad_object_id, name=sender.name or "")
                identity = identity_key(user)
                people.seen(session, ws, people.Entry(identity, user.name), now=now)  # at most once a day
                references.remember(
                    session,
                    ws,
                    ReferenceKind.USER,
                    identity,
                    where,
                    now=now,
                    account_id=sender.id,
                    conversation_id=conversation.id if personal else None,
                )
        channel = _channel_id(conversation.id) if conversation.conversation_type == "channel" else None
        return _Contact(ws=ws, user=user, channel=channel, delivery=delivery)

    async def _handled(self, contact: _Contact | _Seen | None, *, failed: bool) -> None:
        """Mark the activity done, or failed (Teams sending it again will have it handled again)."""
        delivery = contact.delivery if isinstance(contact, _Contact) else None
        if delivery is not None:
            await asyncio.to_thread(self._finish, delivery, failed)

    def _finish(self, delivery: Delivery, failed: bool) -> None:
        try:
            with self.runtime.engine.begin() as connection:
                deliveries.finish(connection, delivery, failed=failed)
        except SQLAlchemyError as exc:
            # The record stays "handling": Teams sending the activity again will be acknowledged, not acted on.
            outcome = "failed" if failed else "done"
            log.error("could not mark a Teams activity %s (%s)", outcome, type(exc).__name__)

    def _text(self, contact: _Contact, text: str) -> Reply:
        assert contact.user is not None  # a message always has a sender
        now = self.runtime.now()
        return self.listeners.handle_text(self.runtime, contact.ws, contact.user, text, now, channel=contact.channel)

    def _submit(self, contact: _Contact, data: dict[str, Any]) -> Reply:
        assert contact.user is not None
        return self.listeners.handle_submit(self.runtime, contact.ws, contact.user, data, self.runtime.now())


def card_activity(card: dict[str, Any], text: str | None = None) -> MessageActivityInput:
    """A message carrying one Adaptive Card (and ``text`` as its summary, shown in notifications)."""
    message = MessageActivityInput(text=text) if text else MessageActivityInput()
    return message.add_attachments(Attachment(content_type=ADAPTIVE_CARD, content=card))


async def _send(ctx: ActivityContext[Any], reply: Reply) -> None:
    """Every card of the reply in order (a digest is several), the text with the first; or the text alone."""
    cards = reply.cards or ((reply.card,) if reply.card is not None else ())
    for i, card in enumerate(cards):
        await ctx.send(card_activity(card, reply.text if i == 0 else None))
    if not cards and reply.text:
        await ctx.send(reply.text)


def _invoke_message(message: str) -> InvokeResponse[Any]:
    """An ``adaptiveCard/action`` answer that shows ``message`` (Teams markdown)."""
    body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": message}
    return InvokeResponse(status=200, body=body)


def _invoke_error(status: int, code: str, message: str) -> InvokeResponse[Any]:
    """An ``adaptiveCard/action`` answer that shows ``message`` on the card (Teams' error response)."""
    body = {
        "statusCode": status,
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message},
    }
    return InvokeResponse(status=200, body=body)
