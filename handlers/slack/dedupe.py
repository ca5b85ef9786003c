"""Slack's retries recorded once and acted on once (:mod:`bot.services.deliveries`), in three hooks.

:func:`identify` names what Slack repeats on every retry (``event:<event_id>``, ``trigger:<trigger_id>``,
``view:<view.id>:<view.hash>``, ``action:<container>:<user>:<action_ts>``; nothing for options loads).
The middleware records the delivery before any listener runs and answers a duplicate with an empty 200;
:class:`MarkOnCompletion` marks it done or failed; a listener whose whole effect is one transaction
records it in that transaction instead (:func:`act_on`). If the database cannot record it, the request
is handled unrecorded rather than dropped. See docs/ARCHITECTURE.md for the flow.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from sqlalchemy.exc import SQLAlchemyError

from bot.services import deliveries
from bot.services.deliveries import Delivery
from handlers.slack import request_log
from handlers.slack.context import runtime_of
from handlers.slack.direct_middleware import direct
from models.driver import Executor

__all__ = [
    "DELIVERY_KEY",
    "IN_LISTENER_KEY",
    "MarkOnCompletion",
    "act_on",
    "dedupe_middleware",
    "identify",
    "in_listener",
    "install",
    "log_duplicate",
]

log = logging.getLogger(__name__)
DELIVERY_KEY = "ictbot_delivery"
IN_LISTENER_KEY = "ictbot_delivery_in_listener"  # a delivery its listener records in its own transaction


def identify(body: dict[str, Any], *, team_id: str) -> Delivery | None:
    """The delivery ``body`` is, or None when it has no identity Slack keeps across retries."""
    kind = body.get("type")
    if kind == "block_suggestion":
        return None  # a read: always answered
    if kind == "event_callback":
        return deliveries.delivery(team_id, "event", "event", body.get("event_id"))
    if kind == "block_actions":
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        action_ts, user = action.get("action_ts"), _user_id(body)
        if not action_ts or not user:
            return None
        return deliveries.delivery(team_id, "action", "action", f"{_container(body)}:{user}:{action_ts}")
    trigger = body.get("trigger_id")
    if "command" in body:
        return deliveries.delivery(team_id, "command", "trigger", trigger)
    if kind in ("message_action", "shortcut"):
        return deliveries.delivery(team_id, "shortcut", "trigger", trigger)
    if kind == "view_submission":
        view = body.get("view")
        view_id, view_hash = (view.get("id"), view.get("hash")) if isinstance(view, dict) else (None, None)
        if not isinstance(view_id, str) or not view_id or not isinstance(view_hash, str) or not view_hash:
            return None  # Slack sends both with every submission
        return deliveries.delivery(team_id, "view", "view", f"{view_id}:{view_hash}")
    return None


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    return str(user["id"]) if isinstance(user, dict) and user.get("id") else None


def _container(body: dict[str, Any]) -> str:
    container = body.get("container")
    if not isinstance(container, dict):
        return "-"
    if container.get("view_id"):
        return f"view/{container['view_id']}"
    if container.get("message_ts"):
        return f"message/{container.get('channel_id') or '-'}/{container['message_ts']}"
    return str(container.get("type") or "-")


def act_on(connection: Executor, context: BoltContext, *, now: datetime) -> bool:
    """For a listener that records its own delivery: call it in the transaction that writes, before
    writing. False for a duplicate, which the request log records as such: write nothing, answer nothing.
    True when there is nothing to record (a request Slack gives no identity, or not one of those kinds)."""
    delivery = in_listener(context)
    if delivery is None or deliveries.admit_done(connection, delivery, now=now):
        return True
    log_duplicate(context)
    return False


def in_listener(context: BoltContext) -> Delivery | None:
    """The delivery this request's listener records in its own transaction, if any (:func:`act_on` does it;
    a listener that records it otherwise calls :func:`log_duplicate` for a duplicate)."""
    delivery = context.get(IN_LISTENER_KEY)
    return delivery if isinstance(delivery, Delivery) else None


# -- the Bolt hooks --------------------------------------------------------------------------------
RecordedByListener = Callable[[dict[str, Any]], bool]


def _no_request(body: dict[str, Any]) -> bool:
    return False


def dedupe_middleware(
    body: dict[str, Any],
    context: BoltContext,
    next: Callable[[], None],
    recorded_by_listener: RecordedByListener = _no_request,
) -> BoltResponse | None:
    """Global middleware: record the delivery before any listener runs; answer a duplicate with a 200.

    A request ``recorded_by_listener`` says its listener records goes on with its delivery in the
    context (:data:`IN_LISTENER_KEY`, for :func:`act_on`)."""
    delivery = identify(body, team_id=context.team_id or context.enterprise_id or "")
    if delivery is not None and recorded_by_listener(body):
        context[IN_LISTENER_KEY] = delivery
    elif delivery is not None and _is_duplicate(delivery, context):
        log_duplicate(context)
        return BoltResponse(status=200, body="")  # acknowledged: no listener runs, Slack stops retrying
    next()
    return None


def _is_duplicate(delivery: Delivery, context: BoltContext) -> bool:
    runtime = runtime_of(context)
    try:
        with runtime.engine.begin() as connection:
            act = deliveries.admit(connection, delivery, now=runtime.now())
    except SQLAlchemyError as exc:
        # Not recorded: handled as if this module were not here, so the person gets the usual answer.
        log.error("could not record a %s delivery (%s); handling it unrecorded", delivery.kind, type(exc).__name__)
        return False
    if act:
        context[DELIVERY_KEY] = delivery  # for MarkOnCompletion
    return not act


def log_duplicate(context: BoltContext) -> None:
    """The request log's one line for this request, with the outcome ``duplicate``."""
    record = context.get(request_log.RECORD_KEY)
    if not isinstance(record, request_log.RequestRecord) or record.emitted:
        return
    record.emitted = True
    line = json.loads(record.line())
    line["outcome"] = "duplicate"
    request_log.log.info("%s", json.dumps(line, sort_keys=True))


def _failed(request: BoltRequest, response: BoltResponse | None) -> bool:
    if response is not None and response.status >= 500:
        return True
    record = request.context.get(request_log.RECORD_KEY)
    return isinstance(record, request_log.RequestRecord) and record.outcome == "error"


class MarkOnCompletion(ListenerCompletionHandler):
    """Runs the completion handler it wraps, then marks the request's delivery done or failed."""

    def __init__(self, inner: ListenerCompletionHandler) -> None:
        self.inner = inner

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        try:
            self.inner.handle(request, response)
        finally:
            self._mark(request, response)

    def _mark(self, request: BoltRequest, response: BoltResponse | None) -> None:
        delivery = request.context.get(DELIVERY_KEY)
        if not isinstance(delivery, Delivery):
            return
        failed = _failed(request, response)
        try:
            with runtime_of(request.context).engine.begin() as connection:
                deliveries.finish(connection, delivery, failed=failed)
        except SQLAlchemyError as exc:
            # The row stays ``handling``: a retry of this delivery will be acknowledged, not acted on.
            outcome = "failed" if failed else "done"
            log.error("could not mark a %s delivery %s (%s)", delivery.kind, outcome, type(exc).__name__)


def install(app: App, *, recorded_by_listener: RecordedByListener = _no_request) -> None:
    """Register the middleware and wrap the listener runner's completion handler on ``app``.

    ``recorded_by_listener(body)`` is True for the requests whose listener records its own delivery
    with :func:`act_on`. Call this after ``attach_runtime`` and ``handlers.slack.request_log.install``: the
    middleware needs the runtime, logs duplicates on the request's record, and reads the outcome the
    request log keeps.
    """

    def dedupe(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
        return dedupe_middleware(body, context, next, recorded_by_listener)

    app.middleware(direct(dedupe))
    runner = app.listener_runner
    runner.listener_completion_handler = MarkOnCompletion(runner.listener_completion_handler)
