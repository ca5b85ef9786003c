"""A stand-in for Slack's servers on loopback, speaking their wire format, for the local shell and tests.

The bot's Web API client (``SLACK_API_URL``) and the ``response_url`` of local requests point here. It
answers the Web API methods the bot uses as Slack does, keeps messages per conversation as Slack keeps
them, takes files as Slack's external upload does, and records every call so that a caller sees exactly
what Slack would have received. A test can make a method fail, answer slowly or hang up. What it
mimics in detail is in docs/ARCHITECTURE.md (Design notes). Production code never imports it.
"""

from __future__ import annotations

import base64
import collections
import itertools
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from bot.dev.http_server import StandInServer
from bot.dev.standin_oauth import OAuthGrants
from bot.dev.standin_users import slack_user, users_page

JSON_PARAMS = ("view", "blocks", "attachments", "metadata", "files")
HISTORY_LIMIT = 100  # conversations.history's default page; Slack allows up to 999
HISTORY_MAX = 999
BOT_ID = "B0ICTBOT"
UPLOAD_PATH = "/upload/v1/"  # where files.getUploadURLExternal sends the bytes (files.slack.com/upload/v1/… at Slack)


@dataclass(frozen=True, slots=True)
class Call:
    """One request Slack would have received: a Web API method or a post to a response_url."""

    # "chat.postMessage"; "response_url" for a post to a response_url; "ack" for the message a command's
    # acknowledgement carried (what LocalSlack hands to :meth:`SlackStandIn.acknowledged_with`)
    method: str
    params: dict[str, Any]
    token: str | None
    key: str = ""  # the response_url's key


@dataclass
class Upload:
    """A file given to the stand-in through Slack's external upload flow (what ``files_upload_v2`` does).

    files.getUploadURLExternal opens it, a POST of the bytes to its upload URL fills it, and
    files.completeUploadExternal shares it (in ``channel_id``, in the thread of ``thread_ts``).
    """

    file_id: str
    filename: str
    length: int  # as declared to files.getUploadURLExternal
    alt_txt: str | None = None
    data: bytes | None = None  # what was POSTed to the upload URL
    title: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


@dataclass
class _Fault:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


@dataclass
class SlackStandIn:
    team_id: str = "T0LOCAL"
    team_name: str = "Local council"
    bot_user_id: str = "U0ICTBOT"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 0
    # What apps.connections.open hands out: the URL of a Socket Mode WebSocket (e.g. a stand-in's ws://).
    socket_url: str | None = None
    # Slack's rate limits, as the benchmark needs them: calls a second allowed per method (past it: 429
    # with Retry-After), and a share of calls per method answered 429 or 503 at random anyway.
    rate_limits: dict[str, float] = field(default_factory=dict)
    chaos: dict[str, tuple[float, float]] = field(default_factory=dict)
    seed: int = 0
    # Distributed apps, installs and the bot tokens issued (see bot.dev.standin_oauth).
    oauth: OAuthGrants = field(default_factory=OAuthGrants)
    # User groups by ID (S…), each with its members' user IDs: what usergroups.users.list answers.
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    # Slack's clock, which stamps each message's ts (tests hand in theirs; default: the real one).
    clock: Callable[[], datetime] | None = None

    def __post_init__(self) -> None:
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._windows: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._random = random.Random(self.seed)  # noqa: S311  (simulated faults, not secrets)
        self._faults: dict[str, list[_Fault]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._slow: dict[str, threading.Event] = {}
        self._hang_ups: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._last_ts = Decimal(0)
        # Each conversation's messages in the order they were posted (thread replies included).
        self.messages: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        self.uploads: dict[str, Upload] = {}  # by file ID, in the order they were opened
        self._upload_keys: dict[str, str] = {}  # upload URL key → file ID
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                standin._handle(self)

            def do_GET(self) -> None:
                standin._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = StandInServer((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = self._server.serve_in_thread("slack-standin")
        return self

    def stop(self) -> None:
        for event in [*self._holds.values(), *self._slow.values()]:
            event.set()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "") -> str:
        return f"{self.base_url}/respond/{key or next(self._ids)}"

    # -- what tests and the shell read --------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, *, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        """Block until ``count`` calls to ``method`` (those ``where`` accepts) have come; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise TimeoutError(f"expected {count} call(s) to {method}; Slack received {seen}")
                self._cond.wait(left)

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()

    def files_shared(self) -> list[Upload]:
        """The files completed with files.completeUploadExternal, in the order they were opened."""
        with self._cond:
            return [u for u in self.uploads.values() if u.completed]

    # -- steering -------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail as Slack would (e.g. 429, 503, or ok=false)."""
        self._faults.setdefault(method, []).append(_Fault(status, error, retry_after, times))

    def hold(self, method: str) -> threading.Event:
        """Hold every answer to ``method`` until the returned event is set."""
        event = threading.Event()
        self._holds[method] = event
        return event

    def slow(self, method: str) -> threading.Event:
        """Make ``method`` slower than any client's patience: Slack acts on each call at once (a message is
        stored), but answers only when the returned event is set, by when the client may have given up."""
        event = threading.Event()
        self._slow[method] = event
        return event

    def hang_up(self, method: str, *, times: int = 1) -> None:
        """For the next ``times`` calls to ``method``, act on the call, then close the connection without an
        answer (a proxy or Slack dropping it): the client cannot tell whether the call took effect."""
        with self._cond:
            self._hang_ups[method] = self._hang_ups.get(method, 0) + times

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        metadata: dict[str, Any] | None = None,
        bot_id: str | None = None,
        user: str | None = None,
    ) -> str:
        """A message someone else posted in ``channel`` (a person, or another app with ``bot_id``); its ts."""
        message: dict[str, Any] = {"type": "message", "text": text, "user": user or "U0SOMEONE"}
        if bot_id is not None:
            message["bot_id"] = bot_id
        if metadata is not None:
            message["metadata"] = metadata
        return self._store(channel, message)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """What ``channel`` holds, oldest first (thread replies included)."""
        with self._cond:
            return [dict(m) for m in self.messages.get(channel, [])]

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        email: str = "",
        tz: str = "Europe/London",
        display_name: str | None = None,
        title: str = "",
    ) -> dict[str, Any]:
        """A member of the workspace (see :func:`bot.dev.standin_users.slack_user`); an existing id is replaced."""
        user = slack_user(self.team_id, user_id, name, email=email, tz=tz, display_name=display_name, title=title)
        with self._cond:
            self.users[user_id] = user
        return user

    def set_usergroup(self, group_id: str, members: list[str]) -> None:
        """Create the user group ``group_id`` (S…) or replace its members."""
        with self._cond:
            self.usergroups[group_id] = list(members)

    # -- the server ---------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        data = req.rfile.read(length) if length else b""
        if req.path.startswith(UPLOAD_PATH):  # file bytes, not a Web API call: never decoded as text
            self._receive_upload(req, req.path.split("?", 1)[0].removeprefix(UPLOAD_PATH), data)
            return
        params = _params(req, data.decode("utf-8"))
        auth = req.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        path = req.path.split("?", 1)[0]
        if path.startswith("/respond/"):
            self._record(Call("response_url", params, None, key=path.removeprefix("/respond/")))
            self._reply(req, 200, "ok", ctype="text/plain")
        elif path.startswith("/api/"):
            self._api_call(req, path.removeprefix("/api/"), params, token, auth)
        else:
            self._reply(req, 404, "not found", ctype="text/plain")

    def _api_call(
        self, req: BaseHTTPRequestHandler, method: str, params: dict[str, Any], token: str | None, auth: str
    ) -> None:
        """A Web API call: held, refused or rate limited when a test asked for it, authenticated, answered."""
        hold = self._holds.get(method)
        if hold is not None:
            hold.wait(timeout=30)
        fault = self._take_fault(method) or self._limit(method)
        if fault is not None:
            self._record(Call(method, {**params, "_fault": fault.status}, token))
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            body = {"ok": False, "error": fault.error or ("ratelimited" if fault.status == 429 else "fatal_error")}
            self._reply(req, fault.status, json.dumps(body), headers=headers)
            return
        self._record(Call(method, params, token))
        if method == "oauth.v2.access":  # the app's client credentials, not a token, authenticate it
            self._reply(req, 200, json.dumps(self.oauth.access(params, auth)))
            return
        if not token:
            self._reply(req, 200, json.dumps({"ok": False, "error": "not_authed"}))
            return
        grant, refused = self.oauth.check(token)
        if refused is not None:
            self._reply(req, 200, json.dumps({"ok": False, "error": refused}))
            return
        if grant is not None:  # a token issued by an install: the answers are that team's
            params = {**params, "_team": (grant.team_id, grant.team_name, grant.bot_user_id)}
        if method == "apps.connections.open":  # Slack reads the app-level token from the header only
            bearer = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
            self._reply(req, 200, json.dumps(self._connections_open(bearer)))
            return
        answer = self._answers.get(method)
        self._answer(req, method, answer(self, params) if answer else {"ok": False, "error": "unknown_method"})

    def _answer(self, req: BaseHTTPRequestHandler, method: str, body: dict[str, Any]) -> None:
        """Send a call's answer, unless a test asked for the connection to hang up on it, or for it to wait."""
        with self._cond:
            hang_up = self._hang_ups.get(method, 0) > 0
            if hang_up:
                self._hang_ups[method] -= 1
        if hang_up:  # acted on, never answered: the client sees the connection close
            req.close_connection = True
            return
        slow = self._slow.get(method)
        if slow is not None:
            slow.wait(timeout=30)
        try:
            self._reply(req, 200, json.dumps(body))
        except OSError:  # the client gave up waiting (or was killed): Slack acted on the call all the same
            req.close_connection = True

    def _receive_upload(self, req: BaseHTTPRequestHandler, key: str, body: bytes) -> None:
        """The upload URL: Slack takes the file as raw bytes (or a multipart form) and answers HTTP 200."""
        with self._cond:
            file_id = self._upload_keys.pop(key, None)
            upload = self.uploads.get(file_id) if file_id else None
            if upload is not None:
                upload.data = body
        if upload is None:
            self._reply(req, 404, "not found", ctype="text/plain")
            return
        self._record(
            Call(
                "upload_url",
                {"file_id": upload.file_id, "length": len(body), "content_type": req.headers.get("Content-Type", "")},
                None,
                key=key,
            )
        )
        self._reply(req, 200, f"OK - {len(body)}", ctype="text/plain")

    def _limit(self, method: str) -> _Fault | None:
        """Slack's answer when a method is called faster than its limit, or when chaos strikes."""
        with self._cond:
            share_429, share_503 = self.chaos.get(method, (0.0, 0.0))
            roll = self._random.random()
            if roll < share_429:
                return _Fault(429, "ratelimited", 1, 1)
            if roll < share_429 + share_503:
                return _Fault(503, "service_unavailable", None, 1)
            limit = self.rate_limits.get(method)
            if limit is None:
                return None
            now = time.monotonic()
            window = self._windows[method]
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return _Fault(429, "ratelimited", 1, 1)  # Slack's Retry-After is in whole seconds
            window.append(now)
            return None

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            faults = self._faults.get(method)
            if not faults:
                return None
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.pop(0)
            return fault

    def acknowledged_with(self, message: dict[str, Any]) -> None:
        """A command's acknowledgement carried ``message``: Slack shows it as an ephemeral reply."""
        self._record(Call("ack", message, None))

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    @staticmethod
    def _reply(
        req: BaseHTTPRequestHandler,
        status: int,
        body: str,
        *,
        ctype: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8")
        req.send_response(status)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(data)

    # -- Slack's answers ------------------------------------------------------------------------
    def _ts(self) -> str:
        """A message timestamp from Slack's clock, unique and increasing, as Slack's ``ts`` is."""
        now = (self.clock or (lambda: datetime.now(UTC)))()
        with self._cond:
            ts = max(Decimal(f"{now.timestamp():.6f}"), self._last_ts + Decimal("0.000001"))
            self._last_ts = ts
        return f"{ts:.6f}"

    def _store(self, channel: str, message: dict[str, Any]) -> str:
        """Keep ``message`` in ``channel``; a reply counts on its thread's parent, as Slack shows it."""
        ts = self._ts()
        with self._cond:
            kept = self.messages[channel]
            kept.append({**message, "ts": ts})
            thread = message.get("thread_ts")
            parent = next((m for m in kept if m["ts"] == thread), None) if thread else None
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
                parent["latest_reply"] = ts
                users = parent.setdefault("reply_users", [])
                if message.get("user") not in users:
                    users.append(message.get("user"))
        return ts

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        team_id, team_name, bot_user_id = p.get("_team") or (self.team_id, self.team_name, self.bot_user_id)
        return {
            "ok": True,
            "url": "https://local-council.slack.com/",
            "team": team_name,
            "user": "ictbot",
            "team_id": team_id,
            "user_id": bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        metadata = p.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            return {"ok": False, "error": "invalid_metadata_format"}  # not a JSON object
        if metadata is not None and not _valid_metadata(metadata):
            return {"ok": False, "error": "invalid_metadata_schema"}
        _, _, bot_user_id = p.get("_team") or (self.team_id, self.team_name, self.bot_user_id)
        message: dict[str, Any] = {
            "type": "message",
            "text": p.get("text", ""),
            "user": bot_user_id,
            "bot_id": BOT_ID,
            "app_id": "A0ICTBOT",
        }
        for key in ("blocks", "thread_ts"):
            if p.get(key):
                message[key] = p[key]
        if metadata is not None:
            message["metadata"] = metadata
        ts = self._store(p["channel"], message)
        shown = {k: v for k, v in message.items() if k != "metadata"}  # as Slack's answer: no metadata
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": {**shown, "ts": ts}}

    def _history(self, p: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: a conversation's messages (not thread replies), newest first, paged."""
        channel = str(p.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        try:
            oldest = Decimal(str(p.get("oldest") or "0"))
            latest = Decimal(str(p["latest"])) if p.get("latest") else None
            limit = min(int(p.get("limit") or HISTORY_LIMIT), HISTORY_MAX)
        except (ArithmeticError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        inclusive = _truthy(p.get("inclusive"))
        with_metadata = _truthy(p.get("include_all_metadata"))
        with self._cond:
            kept = [dict(m) for m in self.messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]]
        in_range = [
            m
            for m in reversed(kept)
            if (Decimal(m["ts"]) > oldest or (inclusive and Decimal(m["ts"]) == oldest))
            and (latest is None or Decimal(m["ts"]) < latest or (inclusive and Decimal(m["ts"]) == latest))
        ]
        cursor = str(p.get("cursor") or "")
        if cursor:
            try:
                below = Decimal(base64.b64decode(cursor).decode().removeprefix("next_ts:"))
            except (ValueError, ArithmeticError):
                return {"ok": False, "error": "invalid_cursor"}
            in_range = [m for m in in_range if Decimal(m["ts"]) <= below]
        page, rest = in_range[: max(limit, 1)], in_range[max(limit, 1) :]
        if not with_metadata:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        body: dict[str, Any] = {"ok": True, "messages": page, "has_more": bool(rest), "pin_count": 0}
        if rest:
            next_cursor = base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode()
            body["response_metadata"] = {"next_cursor": next_cursor}
        return body

    def _post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not p.get("user"):
            return {"ok": False, "error": "channel_not_found" if not p.get("channel") else "user_not_in_channel"}
        return {"ok": True, "message_ts": self._ts()}

    def _view(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if "trigger_id" in p and not p["trigger_id"]:
            return {"ok": False, "error": "invalid_trigger_id"}
        view_id = p.get("view_id") or f"V{next(self._ids):08d}"
        return {
            "ok": True,
            "view": {
                **view,
                "id": view_id,
                "team_id": self.team_id,
                "state": {"values": {}},
                "hash": f"{time.time_ns()}",
                "app_id": "A0ICTBOT",
                "bot_id": BOT_ID,
            },
        }

    def _lookup_by_email(self, p: dict[str, Any]) -> dict[str, Any]:
        email = str(p.get("email", "")).lower()
        for user in self.users.values():
            if user["profile"].get("email", "").lower() == email and email:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(p.get("user", "")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            members = [dict(u) for u in self.users.values()]
        return users_page(members, p)

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(p.get("users", "X")).lstrip("UW")}}

    def _connections_open(self, token: str) -> dict[str, Any]:
        """Socket Mode's WebSocket URL, for an app-level token (xapp-) sent as ``Authorization: Bearer``.

        A bot or user token gets ``not_allowed_token_type``, as from Slack; a token sent only as a form
        parameter, any other token, or a stand-in with no ``socket_url`` to hand out gets ``invalid_auth``.
        """
        if token.startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "not_allowed_token_type"}
        if not token.startswith("xapp-") or self.socket_url is None:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.socket_url}

    def _get_upload_url(self, p: dict[str, Any]) -> dict[str, Any]:
        filename = str(p.get("filename") or "")
        length = str(p.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            return {"ok": False, "error": "missing_argument"}  # Slack's answer to a length of 0 or none
        if len(str(p.get("alt_txt") or "")) > 1000:
            return {"ok": False, "error": "alt_txt_too_large"}
        n = next(self._ids)
        file_id, key = f"F0{n:09d}", f"{self.team_id}-{n:06d}"
        with self._cond:
            self.uploads[file_id] = Upload(file_id, filename, int(length), alt_txt=p.get("alt_txt") or None)
            self._upload_keys[key] = file_id
        return {"ok": True, "upload_url": f"{self.base_url}{UPLOAD_PATH}{key}", "file_id": file_id}

    def _complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) and f.get("id") for f in files):
            return {"ok": False, "error": "invalid_arguments"}
        with self._cond:
            uploads = [self.uploads.get(str(f["id"])) for f in files]
            if any(u is None or u.data is None or u.completed for u in uploads):
                return {"ok": False, "error": "file_not_found"}  # never opened, bytes never sent, or already done
            shared = []
            for f, u in zip(files, uploads, strict=True):
                assert u is not None
                u.title = str(f.get("title") or u.filename)
                u.channel_id = p.get("channel_id") or None
                u.thread_ts = p.get("thread_ts") or None
                u.initial_comment = p.get("initial_comment") or None
                u.completed = True
                shared.append({"id": u.file_id, "title": u.title})
        if p.get("channel_id"):  # shared in a conversation: a message of the bot's, in the thread if one is named
            _, _, bot_user_id = p.get("_team") or (self.team_id, self.team_name, self.bot_user_id)
            share = {"type": "message", "text": p.get("initial_comment") or "", "user": bot_user_id, "bot_id": BOT_ID}
            if p.get("thread_ts"):
                share["thread_ts"] = p["thread_ts"]
            self._store(str(p["channel_id"]), {**share, "files": shared})
        return {"ok": True, "files": shared}

    def _usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        """Slack answers a group's user IDs; a group it does not know (or none given) is ``no_such_subteam``."""
        with self._cond:
            members = self.usergroups.get(str(p.get("usergroup") or ""))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(members)}

    _answers: ClassVar[dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]]] = {
        "auth.test": _auth_test,
        "chat.postMessage": _post_message,
        "chat.postEphemeral": _post_ephemeral,
        "views.open": _view,
        "views.update": _view,
        "views.push": _view,
        "views.publish": _view,  # a person's App Home
        "users.lookupByEmail": _lookup_by_email,
        "users.info": _users_info,
        "users.list": _users_list,
        "conversations.open": _conversations_open,
        "conversations.history": _history,
        "files.getUploadURLExternal": _get_upload_url,
        "files.completeUploadExternal": _complete_upload,
        "usergroups.users.list": _usergroups_users_list,
    }


def _truthy(value: Any) -> bool:
    """A boolean argument as Slack reads it from a form or query string (``true``/``1``) or JSON."""
    return value is True or str(value).lower() in ("1", "true")


def _valid_metadata(metadata: dict[str, Any]) -> bool:
    """Slack's message metadata: an ``event_type`` (lower-case letters, digits and underscores, starting with
    a letter) and an ``event_payload`` object."""
    if not isinstance(metadata.get("event_payload"), dict):
        return False
    event_type = metadata.get("event_type")
    return (
        isinstance(event_type, str)
        and event_type[:1].isalpha()
        and all(c.isdigit() or c == "_" or ("a" <= c <= "z") for c in event_type)
    )


def _params(req: BaseHTTPRequestHandler, raw: str) -> dict[str, Any]:
    """A call's arguments: its body's (JSON or a form) over its query string's, JSON-valued ones decoded."""
    params: dict[str, Any]
    if "json" in req.headers.get("Content-Type", "") and raw:
        params = json.loads(raw)
    else:
        params = dict(parse_qsl(raw, keep_blank_values=True))
    params = {**dict(parse_qsl(urlsplit(req.path).query, keep_blank_values=True)), **params}  # a GET's
    for key in JSON_PARAMS:
        if isinstance(params.get(key), str) and params[key][:1] in "[{":
            params[key] = json.loads(params[key])
    return params
