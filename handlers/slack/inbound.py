"""What an inbound request passes before anything reads it: a bounded body, then Slack's signature.

- :class:`BodyLimit` (ASGI middleware around every route ``ictbot serve`` serves, Slack's and Teams')
  answers a body over :data:`MAX_BODY_BYTES` with 413, having read at most that much of it.
- :class:`SlackSignature` checks Slack's signature on the raw bytes, before Bolt's request is built.
  :class:`SlackInbound` (Bolt's ``before_authorize``, replacing Bolt's ``RequestVerification`` and
  ``SslCheck``) runs it on every request not built checked (``slack_request(verified=True)``), as one
  handed to the app directly (the local shell, the tests), and marks each as verified (:func:`is_verified`).
Neither raises, whatever the request holds, and neither logs the body: a refusal is one log line that
names its reason, chosen from a fixed set, and nothing the request carried.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "MAX_AGE_SECONDS",
    "MAX_BODY_BYTES",
    "VERIFIED_KEY",
    "BodyLimit",
    "SlackInbound",
    "SlackSignature",
    "is_verified",
    "slack_request",
]

log = logging.getLogger(__name__)

# The largest bodies Slack sends this app are a submission of its update modal and a message shortcut
# carrying the message it was used on. Slack sends non-ASCII characters in a view as \uXXXX escapes
# (docs.slack.dev/reference/views/modal-views) and the form encoding makes each of those 8 bytes
# ("%5Cu00e9"). The update modal holds at most 100 project options and 4,000 characters of text
# (bot.services.quickform's limits), shown and submitted: under 200 KB even all non-Latin. A message's text is
# cut at 40,000 characters (Slack's changelog, 2018-04): a shortcut on the longest non-Latin message
# carries about 320 KB of text, and its rich_text block as much again. A view of 100 blocks of 3,000
# non-Latin characters each (Slack's caps) would be 2.4 MB, but this app builds no such view.
# tests/test_inbound_security.py measures both; 1 MiB holds them with room to spare, and Teams'
# activities are far smaller (it refuses one over about 28 KB).
MAX_BODY_BYTES = 1024 * 1024
MAX_AGE_SECONDS = 5 * 60  # Slack's advice: refuse a request more than five minutes old (a replay)
VERIFIED_KEY = "ictbot_verified"  # in the Bolt context: this request's signature was checked

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds as ASCII digits: no sign, exponent, space or "_"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # Slack's scheme v0: HMAC-SHA256 in lower-case hex


class SlackSignature:
    """Slack's request signature (``X-Slack-Signature`` over ``v0:{timestamp}:{body}``), checked safely.

    slack_sdk's :class:`SignatureVerifier` computes and compares the HMAC; the headers are checked
    here first, so that nothing in them can make it raise (it calls ``int()`` on the timestamp).
    With no signing secret (Socket Mode needs none) every request over HTTP is refused.
    """

    def __init__(self, signing_secret: str | None) -> None:
        secret = (signing_secret or "").strip()
        self._verifier = SignatureVerifier(secret) if secret else None

    def refusal(self, body: bytes | str, timestamp: str | None, signature: str | None) -> str | None:
        """None when the request is Slack's, signed within the last five minutes; else why not."""
        try:
            return self._refusal(body, timestamp, signature)
        except Exception:  # noqa: BLE001  (whatever goes wrong, the request is simply not verified)
            return "its signature could not be checked"

    def _refusal(self, body: bytes | str, timestamp: str | None, signature: str | None) -> str | None:
        if self._verifier is None:
            return "no signing secret is configured"
        if not timestamp or not signature:
            return "it is not signed"
        if not _TIMESTAMP.fullmatch(timestamp):
            return "its timestamp is not a Unix time"
        if not _SIGNATURE.fullmatch(signature):
            return "its signature is malformed"
        if abs(self._verifier.clock.now() - int(timestamp)) > MAX_AGE_SECONDS:
            return "it is more than five minutes old"
        text = body.decode("utf-8") if isinstance(body, bytes) else body  # Slack signs UTF-8 text only
        if not self._verifier.is_valid(text, timestamp, signature):
            return "its signature does not match"
        return None


def log_refusal(reason: str) -> None:
    log.info("refused a request that is not verifiably Slack's: %s", reason)


class SlackInbound(Middleware):
    """The Bolt app's first middleware: verify, then answer ``ssl_check``, then require a workspace.

    A request over Socket Mode is not signed: it came over the WebSocket the app token opened, so
    Slack is its sender (Bolt skips verification for it too). A signed ``ssl_check`` is answered
    with an empty 200, as Slack asks; an unsigned one is refused like any other unsigned request.
    A verified request that names no workspace (and is not Events API's ``url_verification``, which
    never does) is a 400: Slack sends none, and a request with no workspace could only store rows
    that belong to none.
    """

    def __init__(self, signing_secret: str | None) -> None:
        self.signature = SlackSignature(signing_secret)

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        if req.mode != "socket_mode" and not is_verified(req.context):
            reason = self.signature.refusal(
                req.raw_body, _header(req, "x-slack-request-timestamp"), _header(req, "x-slack-signature")
            )
            if reason is not None:
                log_refusal(reason)
                return unverified_response()
        req.context[VERIFIED_KEY] = True
        body = req.body if isinstance(req.body, dict) else {}
        if body.get("ssl_check") == "1":
            return BoltResponse(status=200, body="")
        if not req.context.team_id and body.get("type") != "url_verification":
            return no_workspace_response()
        next()
        return None


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name) or []
    return values[0] if values else None


def unverified_response() -> BoltResponse:
    return BoltResponse(status=401, body={"error": "invalid request"})


def no_workspace_response() -> BoltResponse:
    return BoltResponse(status=400, body={"error": "this request names no Slack workspace"})


def is_verified(context: BoltContext | dict[str, Any] | None) -> bool:
    """Whether :class:`SlackInbound` verified the request of ``context`` (a listener's or an error's)."""
    return context is not None and context.get(VERIFIED_KEY) is True


def slack_request(
    body: str,
    headers: Mapping[str, str | Sequence[str]],
    query: Mapping[str, str] | str | None = None,
    *,
    verified: bool = False,
) -> BoltRequest:
    """Bolt's request for a body Slack sent over HTTP, its parse corrected where Bolt misreads a form.

    Bolt takes any form body holding the word "payload" for an interaction and looks for its ``payload``
    field; a slash command has none, so ``/ict-update NET-01 green payload delivered`` would reach the app
    as an empty request (and be answered 404). Such a body is read as the form it is. Raises what Bolt's
    parse raises for a body that is not a Slack payload (see :mod:`bot.server`).

    ``verified``: the caller has checked the body's signature (:class:`SlackSignature`), so
    :class:`SlackInbound` need not check it again. Nothing in a body can set the mark: Bolt builds the
    context from a fixed set of the body's fields.
    """
    request = BoltRequest(body=body, query=dict(query) if isinstance(query, Mapping) else query, headers=dict(headers))
    if "payload" in body:  # else Bolt read it right
        form = _plain_form(body, request.content_type)
        if form is not None and request.body != form:
            request.body = form
            request.context = build_context(BoltContext(), form)
    if verified:
        request.context[VERIFIED_KEY] = True
    return request


def _plain_form(body: str, content_type: str | None) -> dict[str, str] | None:
    """A form-encoded body without a ``payload`` field (a slash command's), as its fields; else None."""
    if content_type == "application/json" or body.startswith("{"):
        return None
    fields = dict(parse_qsl(body, keep_blank_values=True))
    return None if "payload" in fields else fields


# -- the body limit --------------------------------------------------------------------------------
class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is answered 413 and never reaches a route.

    A ``Content-Length`` over the limit is refused before a byte of the body is read. A body without one
    (chunked) is read until it ends or passes the limit; one that ends in time is handed on whole.
    """

    def __init__(self, app: ASGIApp, *, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.info("refused a request body over %d bytes", self.limit)
        response = PlainTextResponse(
            f"the request body is larger than {self.limit} bytes", status_code=413, headers={"connection": "close"}
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None  # the server refuses a malformed one itself
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
