"""A stand-in for Microsoft's side of a Teams bot on loopback, speaking Microsoft's wire formats.

The local shell and the tests point ``TEAMS_CLOUD_URL`` here. It plays Entra ID's token endpoint, Bot
Framework's OpenID metadata and signing keys (:meth:`TeamsStandIn.mint` signs inbound activities'
tokens) and the Bot Connector REST API, records every call, and answers or refuses as Teams does
(docs/ARCHITECTURE.md, Design notes). It also builds activities in the shapes Teams sends, for the
tests and ``ictbot shell --platform teams``. Production code never imports it.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.dev.http_server import StandInServer

__all__ = [
    "BOT_FRAMEWORK_ISSUER",
    "BOT_SCOPE",
    "Call",
    "TeamsStandIn",
    "TeamsUserAccount",
]

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"  # ``iss`` of inbound activity tokens
BOT_SCOPE = "https://api.botframework.com/.default"  # what the bot asks Entra ID a token for
CONNECTOR_PREFIX = "/teams"  # the service URL's path, as smba.trafficmanager.net/{region}/ has one
OPENID_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


@functools.cache
def _signing_key(name: str) -> rsa.RSAPrivateKey:
    """One RSA key of each name a process: making one takes tens of milliseconds, and a suite starts a
    stand-in per test. Each stand-in still publishes its key under a ``kid`` of its own."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True, slots=True)
class Call:
    """One request Microsoft would have received."""

    kind: str  # "token", "create_conversation", "send", "reply", "update"
    method: str
    path: str
    body: dict[str, Any]
    token: str | None  # the bearer token (connector) or None (token endpoint)
    conversation_id: str | None = None
    activity_id: str | None = None


@dataclass(frozen=True, slots=True)
class TeamsUserAccount:
    """A person in the stand-in's tenant."""

    account_id: str  # the channel account id Teams gives the bot (29:…)
    aad_object_id: str
    name: str


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    remaining: int
    conversation_id: str | None = None  # only calls into this conversation (None: any)


@dataclass
class TeamsStandIn:
    client_id: str = "00000000-0000-0000-0000-00000000b075"
    client_secret: str = "standin-client-secret"  # noqa: S105  # the stand-in's own, not a real secret
    tenant_id: str = "00000000-0000-0000-0000-0000000c0c11"
    tenant_name: str = "Darlington Borough Council"
    bot_name: str = "ictbot"
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._key = _signing_key("published")
        self._kid = f"standin-{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._users: dict[str, TeamsUserAccount] = {}  # by account id
        self._removed: set[str] = set()  # account ids of users who removed the bot
        self._personal: dict[str, str] = {}  # personal conversation id -> account id
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._issued: set[str] = set()  # access tokens handed out
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> TeamsStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def do_PUT(self) -> None:
                standin._handle(self, "PUT")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = StandInServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = self._server.serve_in_thread("teams-standin")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> TeamsStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where things are --------------------------------------------------------------------
    @property
    def cloud_url(self) -> str:
        """What ``TEAMS_CLOUD_URL`` is set to."""
        return f"http://{self.host}:{self.port}"

    @property
    def service_url(self) -> str:
        """The Bot Connector's service URL, as Teams puts it in each activity's ``serviceUrl``."""
        return f"{self.cloud_url}{CONNECTOR_PREFIX}/"

    @property
    def bot_id(self) -> str:
        """The bot's channel account id, as Teams shows it in ``recipient.id`` (28:<client id>)."""
        return f"28:{self.client_id}"

    def env(self) -> dict[str, str]:
        """The TEAMS_* settings that point the bot at this stand-in."""
        return {
            "TEAMS_CLIENT_ID": self.client_id,
            "TEAMS_CLIENT_SECRET": self.client_secret,
            "TEAMS_TENANT_ID": self.tenant_id,
            "TEAMS_CLOUD_URL": self.cloud_url,
        }

    # -- people --------------------------------------------------------------------------------
    def add_user(self, name: str, *, aad_object_id: str | None = None) -> TeamsUserAccount:
        aad = aad_object_id or str(uuid.uuid4())
        account = TeamsUserAccount(
            account_id=f"29:1{base64.urlsafe_b64encode(aad.encode()).decode()}", aad_object_id=aad, name=name
        )
        with self._lock:
            self._users[account.account_id] = account
        return account

    def remove_user(self, account: TeamsUserAccount) -> None:
        """The user removed the bot (or left the tenant): Teams answers 403 to messages for them."""
        with self._lock:
            self._removed.add(account.account_id)

    def personal_conversation_id(self, account: TeamsUserAccount) -> str:
        """The id of the user's 1:1 conversation with the bot (as Teams gives it: ``a:…``)."""
        conversation_id = f"a:{account.account_id.removeprefix('29:')}"
        with self._lock:
            self._personal[conversation_id] = account.account_id
        return conversation_id

    # -- inspecting ----------------------------------------------------------------------------
    def calls_of(self, kind: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind == kind]

    def sent(self, conversation_id: str | None = None) -> list[Call]:
        """Activities sent, replied or updated (in ``conversation_id`` if given), in order."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.kind in ("send", "reply", "update")
                and (conversation_id is None or c.conversation_id == conversation_id)
            ]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def fail(
        self,
        kind: str,
        status: int,
        *,
        count: int = 1,
        retry_after: int | None = None,
        conversation_id: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``kind`` (e.g. ``send``) with ``status``; with
        ``conversation_id``, only calls into that conversation."""
        with self._lock:
            fault = _Fault(status=status, retry_after=retry_after, remaining=count, conversation_id=conversation_id)
            self._faults[kind].append(fault)

    # -- tokens --------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self._kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
        return {"keys": [jwk]}

    def mint(
        self,
        service_url: str | None = None,
        *,
        audience: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        now: float | None = None,
        expires_in: int = 3600,
        foreign_key: bool = False,
    ) -> str:
        """An inbound activity's bearer token, as Bot Framework signs it.

        ``audience`` defaults to the bot's client ID; ``now`` to the real time (the SDK checks ``exp`` and
        ``nbf`` against its own clock); ``foreign_key`` signs with a key the JWKS does not publish.
        """
        issued = int(time.time() if now is None else now)
        claims = {
            "serviceurl": service_url or self.service_url,
            "nbf": issued - 5,
            "iat": issued - 5,
            "exp": issued + expires_in,
            "iss": issuer,
            "aud": audience or self.client_id,
        }
        key = _signing_key("foreign") if foreign_key else self._key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self._kid})

    def _access_token(self) -> str:
        now = int(time.time())
        claims = {
            "aud": BOT_FRAMEWORK_ISSUER,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "appid": self.client_id,
            "tid": self.tenant_id,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        with self._lock:
            self._issued.add(token)
        return token

    # -- serving -------------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(req.path).path
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        if method == "GET" and path == OPENID_PATH:
            return self._reply(req, 200, self._openid())
        if method == "GET" and path == KEYS_PATH:
            return self._reply(req, 200, self.jwks())
        if method == "POST" and path == f"/{self.tenant_id}/oauth2/v2.0/token":
            return self._token(req, raw)
        if path.startswith(f"{CONNECTOR_PREFIX}/v3/conversations"):
            return self._connector(req, method, path.removeprefix(CONNECTOR_PREFIX), raw)
        return self._reply(req, 404, {"error": {"code": "NotFound", "message": f"no such endpoint: {path}"}})

    def _openid(self) -> dict[str, Any]:
        return {
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": f"{self.cloud_url}/v1/.well-known/authorize",
            "jwks_uri": f"{self.cloud_url}{KEYS_PATH}",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def _token(self, req: BaseHTTPRequestHandler, raw: bytes) -> None:
        form = dict(parse_qsl(raw.decode("utf-8", "replace")))
        self._record(Call(kind="token", method="POST", path=req.path, body=dict(form), token=None))
        if form.get("grant_type") != "client_credentials":
            return self._reply(req, 400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return self._reply(
                req,
                401,
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
            )
        if form.get("scope") != BOT_SCOPE:
            return self._reply(req, 400, {"error": "invalid_scope", "error_description": "AADSTS70011"})
        token = self._access_token()
        return self._reply(
            req, 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        )

    def _authorised(self, token: str | None) -> bool:
        if token is None:
            return False
        with self._lock:
            if token not in self._issued:
                return False
        try:
            jwt.decode(token, self._key.public_key(), algorithms=["RS256"], audience=BOT_FRAMEWORK_ISSUER)
        except jwt.InvalidTokenError:
            return False
        return True

    def _connector(self, req: BaseHTTPRequestHandler, method: str, path: str, raw: bytes) -> None:
        auth = req.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._reply(req, 400, {"error": {"code": "BadSyntax", "message": "the body is not JSON"}})
        parts = [unquote(p) for p in path.strip("/").split("/")]  # v3, conversations, [id, activities, [aid]]
        conversation_id = parts[2] if len(parts) > 2 else None
        activity_id = parts[4] if len(parts) > 4 else None
        if len(parts) == 2 and method == "POST":
            kind = "create_conversation"
        elif len(parts) == 4 and parts[3] == "activities" and method == "POST":
            kind = "send"
        elif len(parts) == 5 and parts[3] == "activities":
            kind = "reply" if method == "POST" else "update"
        else:
            return self._reply(req, 404, {"error": {"code": "NotFound", "message": f"no such endpoint: {path}"}})
        call = Call(
            kind=kind,
            method=method,
            path=path,
            body=body,
            token=token,
            conversation_id=conversation_id,
            activity_id=activity_id,
        )
        self._record(call)
        if not self._authorised(token):
            return self._reply(req, 401, {"message": "Authorization has been denied for this request."})
        fault = self._take_fault(kind, conversation_id)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            error = {"code": "ServiceError" if fault.status >= 500 else "Throttled", "message": "stand-in fault"}
            return self._reply(req, fault.status, {"error": error}, headers=headers)
        if kind == "create_conversation":
            return self._create_conversation(req, body)
        assert conversation_id is not None
        with self._lock:
            account = self._personal.get(conversation_id)
            removed = account is not None and account in self._removed
        if removed:
            error = {"code": "BotNotInConversationRoster", "message": "The bot is not part of the conversation roster."}
            return self._reply(req, 403, {"error": error})
        if kind == "update":
            return self._reply(req, 200, {"id": activity_id})
        return self._reply(req, 201, {"id": str(next(self._ids) + 1_700_000_000_000)})

    def _create_conversation(self, req: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        members = body.get("members") or []
        if body.get("isGroup") or len(members) != 1 or not isinstance(members[0], dict):
            return self._reply(req, 400, {"error": {"code": "BadArgument", "message": "one member, not a group"}})
        member_id = str(members[0].get("id") or "")
        with self._lock:
            known = member_id in self._users
            removed = member_id in self._removed
        if not known or removed:
            message = "The bot is not installed in the user's personal scope" if known else "Unknown user"
            return self._reply(req, 403 if known else 404, {"error": {"code": "Forbidden", "message": message}})
        conversation_id = self.personal_conversation_id(self._users[member_id])
        return self._reply(req, 201, {"id": conversation_id})

    def _take_fault(self, kind: str, conversation_id: str | None) -> _Fault | None:
        with self._lock:
            queue = self._faults.get(kind)
            if not queue:
                return None
            fault = queue[0]
            if fault.conversation_id is not None and fault.conversation_id != conversation_id:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _reply(
        self, req: BaseHTTPRequestHandler, status: int, body: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        req.end_headers()
        req.wfile.write(data)

    # -- activities in the shapes Teams sends ----------------------------------------------------
    def _base(self, kind: str, conversation: dict[str, Any], sender: TeamsUserAccount | None) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "type": kind,
            "id": f"f:{uuid.uuid4().hex}",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "localTimestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime()),
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "recipient": {"id": self.bot_id, "name": self.bot_name},
            "conversation": {"tenantId": self.tenant_id, **conversation},
            "channelData": {"tenant": {"id": self.tenant_id}},
            "entities": [
                {
                    "type": "clientInfo",
                    "locale": "en-GB",
                    "country": "GB",
                    "platform": "Web",
                    "timezone": "Europe/London",
                }
            ],
            "locale": "en-GB",
            "localTimezone": "Europe/London",
        }
        if sender is not None:
            activity["from"] = {"id": sender.account_id, "name": sender.name, "aadObjectId": sender.aad_object_id}
        return activity

    def personal(self, account: TeamsUserAccount) -> dict[str, Any]:
        """The ``conversation`` of a user's 1:1 chat with the bot."""
        return {"conversationType": "personal", "id": self.personal_conversation_id(account)}

    def channel(self, channel_id: str = "19:governance@thread.tacv2", name: str = "ICT governance") -> dict[str, Any]:
        """The ``conversation`` of a channel of a team."""
        return {"conversationType": "channel", "id": channel_id, "isGroup": True, "name": name}

    def message(
        self, sender: TeamsUserAccount, text: str, *, conversation: dict[str, Any] | None = None, mention: bool = False
    ) -> dict[str, Any]:
        """A message activity; ``mention`` @mentions the bot first, as a channel message must."""
        activity = self._base("message", conversation or self.personal(sender), sender)
        activity["textFormat"] = "plain"
        if mention:
            at = f"<at>{self.bot_name}</at>"
            activity["text"] = f"{at} {text}"
            activity["entities"].append(
                {"type": "mention", "text": at, "mentioned": {"id": self.bot_id, "name": self.bot_name}}
            )
        else:
            activity["text"] = text
        if activity["conversation"].get("conversationType") == "channel":
            activity["channelData"].update(
                {
                    "teamsChannelId": activity["conversation"]["id"],
                    "teamsTeamId": "19:team@thread.tacv2",
                    "channel": {"id": activity["conversation"]["id"]},
                    "team": {"id": "19:team@thread.tacv2"},
                }
            )
        return activity

    def submit(
        self, sender: TeamsUserAccount, data: dict[str, Any], *, conversation: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An Adaptive Card ``Action.Submit``: a message activity with no text and the card's data in ``value``."""
        activity = self._base("message", conversation or self.personal(sender), sender)
        activity["value"] = data
        activity["replyToId"] = str(1_700_000_000_000)
        activity["channelData"]["source"] = {"name": "message"}
        activity["channelData"]["legacy"] = {"replyToId": "1:reply"}
        return activity

    def invoke_action(
        self,
        sender: TeamsUserAccount,
        data: dict[str, Any],
        *,
        verb: str = "",
        conversation: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An Adaptive Card ``Action.Execute``: an ``invoke`` named ``adaptiveCard/action``."""
        activity = self._base("invoke", conversation or self.personal(sender), sender)
        activity["name"] = "adaptiveCard/action"
        activity["replyToId"] = str(1_700_000_000_000)
        activity["value"] = {
            "action": {"type": "Action.Execute", "id": "", "verb": verb, "data": data},
            "trigger": "manual",
        }
        return activity

    def uninstall(self, remover: TeamsUserAccount, *, conversation: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``installationUpdate`` Teams sends when the app is removed (a personal chat, or a team)."""
        activity = self._base("installationUpdate", conversation or self.personal(remover), remover)
        activity["action"] = "remove"
        return activity

    def install(self, installer: TeamsUserAccount, *, conversation: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``conversationUpdate`` Teams sends when the bot is added (personal scope, or a team's channel)."""
        activity = self._base("conversationUpdate", conversation or self.personal(installer), installer)
        activity["membersAdded"] = [{"id": self.bot_id}]
        if activity["conversation"].get("conversationType") == "channel":
            activity["channelData"].update(
                {"eventType": "teamMemberAdded", "team": {"id": "19:team@thread.tacv2", "name": "ICT"}}
            )
        return activity
