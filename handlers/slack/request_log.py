"""One structured log line a request: who, what, how it ended and how long it took.

Every request a listener handles produces exactly one INFO record on the ``ictbot.requests`` logger, a
single-line JSON object with sorted keys: ``duration_ms``, ``kind``, ``outcome`` (``ok``, ``refused``,
``error`` or ``invalid``), ``retry`` (``X-Slack-Retry-Num``), ``team``, ``user`` and ``what`` (the name the
app gave the thing: the command, action_id, callback_id or event type). No command text, update text or
token is ever put in the line. Three hooks of the one request write it (:func:`start_request`,
:class:`OutcomeStart`, :class:`EmitOnCompletion`, set up by :func:`install`); a request no listener
handles gets no line.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.listener.listener_start_handler import ListenerStartHandler

from handlers.slack.direct_middleware import direct

log = logging.getLogger("ictbot.requests")
RECORD_KEY = "ictbot_request"
WHAT_LIMIT = 80  # names the app chose are short; anything longer is cut, never logged whole

Outcome = Literal["ok", "refused", "error", "invalid"]
# A stronger outcome is never replaced by a weaker one (an error after a refusal stays an error).
_RANK: dict[str, int] = {"ok": 0, "invalid": 1, "refused": 2, "error": 3}
_current: ContextVar[RequestRecord | None] = ContextVar("ictbot_request", default=None)
_emit_lock = threading.Lock()
_LINE = json.JSONEncoder(sort_keys=True)  # made once: json.dumps with an argument makes an encoder each call


@dataclass
class RequestRecord:
    team: str | None
    user: str | None
    kind: str
    what: str | None
    retry: int
    started: float = field(default_factory=time.monotonic)
    outcome: Outcome = "ok"
    emitted: bool = False
    token: Token[RequestRecord | None] | None = field(default=None, repr=False)

    def mark(self, outcome: Outcome) -> None:
        if _RANK[outcome] > _RANK[self.outcome]:
            self.outcome = outcome

    def line(self) -> str:
        return _LINE.encode(
            {
                "team": self.team,
                "user": self.user,
                "kind": self.kind,
                "what": self.what,
                "outcome": self.outcome,
                "duration_ms": max(0, int((time.monotonic() - self.started) * 1000)),
                "retry": self.retry,
            }
        )


def mark_outcome(outcome: Outcome) -> None:
    """Mark the request this thread is handling (no-op outside a listener)."""
    record = _current.get()
    if record is not None:
        record.mark(outcome)


def kind_and_what(body: dict[str, Any]) -> tuple[str, str | None]:
    """The payload's type and the app-chosen name in it; never a field a person typed."""
    if "command" in body:
        return "command", _name(body.get("command"))
    kind = str(body.get("type") or "unknown")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return kind, _name(actions[0].get("action_id") if isinstance(actions[0], dict) else None)
    if kind in ("view_submission", "view_closed"):
        view = body.get("view") or {}
        return kind, _name(view.get("callback_id") if isinstance(view, dict) else None)
    if kind in ("message_action", "shortcut"):
        return kind, _name(body.get("callback_id"))
    if kind == "block_suggestion":
        return kind, _name(body.get("action_id"))
    if kind == "event_callback":
        event = body.get("event") or {}
        return "event", _name(event.get("type") if isinstance(event, dict) else None)
    return kind, None


def _name(value: Any) -> str | None:
    return str(value)[:WHAT_LIMIT] if value is not None else None


def _retry(request: BoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or []
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 0


def start_request(request: BoltRequest, body: dict[str, Any], context: BoltContext, next: Any) -> Any:
    """Global middleware: start the clock and leave the request's record in the context."""
    kind, what = kind_and_what(body)
    context[RECORD_KEY] = RequestRecord(
        team=context.team_id, user=context.user_id, kind=kind, what=what, retry=_retry(request)
    )
    return next()


def _record_of(request: BoltRequest) -> RequestRecord | None:
    record = request.context.get(RECORD_KEY)
    return record if isinstance(record, RequestRecord) else None


def _acked_with_errors(request: BoltRequest) -> bool:
    response = request.context.ack.response if request.context.ack is not None else None
    # Only a view submission's errors carry response_action: most acks (a confirmation's blocks) are not parsed.
    if response is None or not isinstance(response.body, str) or '"response_action"' not in response.body:
        return False
    try:
        answer = json.loads(response.body)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("response_action") == "errors"


class OutcomeStart(ListenerStartHandler):
    """Makes the request's record current on the thread the listener is about to run on."""

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        record = _record_of(request)
        if record is not None:
            record.token = _current.set(record)


class EmitOnCompletion(ListenerCompletionHandler):
    """Writes the request's one line when its listener has finished, however it finished."""

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        record = _record_of(request)
        if record is None:
            return
        if record.token is not None:
            _current.reset(record.token)
            record.token = None
        if response is not None and response.status >= 500:
            record.mark("error")
        if _acked_with_errors(request):
            record.mark("invalid")
        with _emit_lock:
            if record.emitted:
                return
            record.emitted = True
        log.info("%s", record.line())


def install(app: App) -> None:
    """Register the middleware and the listener runner's start and completion handlers on ``app``."""
    app.middleware(direct(start_request))
    app.listener_runner.listener_start_handler = OutcomeStart()
    app.listener_runner.listener_completion_handler = EmitOnCompletion()
