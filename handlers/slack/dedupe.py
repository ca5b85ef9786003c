"""Slack's retries recorded once and acted on once, whichever instance of the app receives them.

Slack delivers again what it thinks did not arrive: an Events API event not answered 200 within three
seconds comes back with ``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason`` (over Socket Mode, the envelope's
``retry_attempt`` / ``retry_reason``, which Bolt turns into the same headers), and a proxy or a lost
answer can repeat an interaction. With several instances behind a load balancer the repeat may reach
a different process, so the memory of what was handled is the database's: one
:class:`models.install.InboundDelivery` row a delivery, unique on ``(team_id, key)``.

The key is what Slack repeats on every retry of the same delivery (see :func:`identify`):

- ``event:<event_id>`` for the Events API;
- ``trigger:<trigger_id>`` for slash commands and shortcuts;
- ``view:<view.id>:<view.hash>`` for modal submissions. Not the trigger_id: an officer who presses the
  submit button again (Slack showed them an error while the first submission was still being stored)
  sends the same view with a new trigger_id. The hash changes whenever the view does (the app answers
  ``response_action: update``, or calls ``views.update``), but not when the app answers with field errors:
  then the corrected submission is the same view again. So a listener that stores a form records this key
  in the transaction that stores it (:func:`act_on`): a refused form records nothing, and its corrected
  submission goes through;
- ``teams-activity:<activity id>`` for a Microsoft Teams activity, with the tenant id as ``team_id``
  (recorded by ``handlers.teams.app``, not by the middleware here);
- ``action:<container>:<user>:<action_ts>`` for block actions (button presses);
- nothing for ``block_suggestion`` (an options load is a read: a repeat is harmless and must be answered),
  nor for payloads without such an identity (``view_closed``), which pass through untouched.

How a request goes, in three hooks of the one Bolt request (like :mod:`handlers.slack.request_log`, whose hooks
these wrap or follow):

1. :func:`dedupe_middleware` (a global middleware, installed after ``attach_runtime`` and the request
   log's) records the delivery in its own short transaction *before* any listener runs
   (:func:`admit`): an ``INSERT … ON CONFLICT DO NOTHING``, so the first of concurrent or retried
   deliveries wins on every backend and across processes. A delivery whose row already exists is a
   duplicate unless its earlier attempt failed: then this one takes it over (``attempts`` + 1, back to
   ``handling``). A duplicate is answered with an empty 200 — Slack stops retrying, the command or
   action is acknowledged — and never reaches a listener; the request log gets its one line with the
   outcome ``duplicate``. The header only says a delivery *is* a retry; the row says whether it was
   handled (a first delivery that never reached us may arrive as retry 1, and is acted on).
2. The listener runs (on Bolt's thread pool, as ``ictbot serve`` runs it).
3. :class:`MarkOnCompletion` (wrapping the listener runner's completion handler, which the request log
   installed) marks the row ``done``, or ``failed`` when the listener ended in an error: the request
   log's outcome ``error`` (an unexpected error answered with the apology, or one that escaped to
   ``app.error``) or a 5xx response. Refusals and invalid forms are ``done``: a retry would say the same.

A listener whose whole effect is one database transaction records its delivery *in* that transaction
instead (``install(app, recorded_by_listener=…)`` names its requests; the one-line ``/ict-update`` is
one): the middleware leaves the delivery in the context, and the listener calls :func:`act_on` before
it writes. The row goes in already ``done`` and commits with the update, or not at all, so a retry acts
exactly when the first attempt left nothing behind, and a request costs one transaction instead of
three. A request of that kind that writes nothing (``help``, ``mine``, a form it refuses) records
nothing: a repeat of it is answered again, as an options load is.

If the database cannot record the delivery, the request is not dropped: the failure is logged and the
listener runs as it would without this module, so the person gets the app's usual answer (the apology,
if the database is down for the listener too). Such a delivery is not protected from a retry; a
database that is down cannot be asked anyway. A process that dies mid-listener leaves its row
``handling``: Slack's later retries of it are then acknowledged and not acted on (at most once).

Rows are only needed while Slack may retry (minutes); :func:`prune` deletes older ones.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from sqlalchemy import Connection, CursorResult, Table, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from handlers.slack import request_log
from handlers.slack.app import runtime_of
from models.install import DeliveryStatus, InboundDelivery

__all__ = [
    "DELIVERY_KEY",
    "IN_LISTENER_KEY",
    "KEEP_FOR",
    "Delivery",
    "MarkOnCompletion",
    "act_on",
    "admit",
    "admit_done",
    "dedupe_middleware",
    "finish",
    "identify",
    "install",
    "prune",
    "teams_activity",
    "teams_form",
]

log = logging.getLogger(__name__)
DELIVERY_KEY = "ictbot_delivery"
IN_LISTENER_KEY = "ictbot_delivery_in_listener"  # a delivery its listener records in its own transaction
KEEP_FOR = timedelta(days=1)  # Slack's last retry of an event comes about five minutes after the first try
KEY_LIMIT = 255  # InboundDelivery.key's length


@dataclass(frozen=True, slots=True)
class Delivery:
    """What identifies one delivery across Slack's retries of it."""

    team_id: str
    key: str
    kind: str  # event, command, shortcut, view, action; teams, teams-form


def identify(body: dict[str, Any], *, team_id: str) -> Delivery | None:
    """The delivery ``body`` is, or None when it has no identity Slack keeps across retries."""
    kind = body.get("type")
    if kind == "block_suggestion":
        return None  # a read: always answered
    if kind == "event_callback":
        return _delivery(team_id, "event", "event", body.get("event_id"))
    if kind == "block_actions":
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        action_ts, user = action.get("action_ts"), _user_id(body)
        if not action_ts or not user:
            return None
        return _delivery(team_id, "action", "action", f"{_container(body)}:{user}:{action_ts}")
    trigger = body.get("trigger_id")
    if "command" in body:
        return _delivery(team_id, "command", "trigger", trigger)
    if kind in ("message_action", "shortcut"):
        return _delivery(team_id, "shortcut", "trigger", trigger)
    if kind == "view_submission":
        view = body.get("view")
        view_id, view_hash = (view.get("id"), view.get("hash")) if isinstance(view, dict) else (None, None)
        if not isinstance(view_id, str) or not view_id or not isinstance(view_hash, str) or not view_hash:
            return None  # Slack sends both with every submission
        return _delivery(team_id, "view", "view", f"{view_id}:{view_hash}")
    return None


def teams_activity(tenant_id: str, activity_id: object) -> Delivery | None:
    """A Microsoft Teams activity, which Teams sends again with the same id when the bot was slow to answer."""
    return _delivery(tenant_id, "teams", "teams-activity", activity_id)


def teams_form(tenant_id: str, form_id: str, submitted: dict[str, str]) -> Delivery | None:
    """One submission of one Teams form card: the card's own id (``handlers.teams.cards``) and what was in it.

    Pressing the button twice sends the same values from the same card (two activities, two ids); a
    different update typed into the same card, or the same text in a new card, is another submission."""
    digest = hashlib.sha256(json.dumps(submitted, sort_keys=True).encode()).hexdigest()[:32]
    return _delivery(tenant_id, "teams-form", "teams-form", f"{form_id}:{digest}")


def _delivery(team_id: str, kind: str, prefix: str, ident: object) -> Delivery | None:
    if not isinstance(ident, str) or not ident:
        return None
    key = f"{prefix}:{ident}"
    if len(key) > KEY_LIMIT:  # Slack's ids are short; a longer one is still told apart, by its digest
        key = f"{prefix}:sha256:{hashlib.sha256(ident.encode()).hexdigest()}"
    return Delivery(team_id=team_id, key=key, kind=kind)


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


# -- the record ------------------------------------------------------------------------------------
# The statements are built once: a request runs two of them, and building one costs more than running it.
_TABLE = cast(Table, InboundDelivery.__table__)
_UNIQUE = ["team_id", "key"]
_INSERT = {
    "postgresql": postgresql.insert(_TABLE).on_conflict_do_nothing(index_elements=_UNIQUE).returning(_TABLE.c.id),
    "sqlite": sqlite.insert(_TABLE).on_conflict_do_nothing(index_elements=_UNIQUE).returning(_TABLE.c.id),
}
_THIS = (_TABLE.c.team_id == bindparam("d_team"), _TABLE.c.key == bindparam("d_key"))
# A row an earlier attempt left ``failed``, taken over: one more attempt, with the status given.
_TAKE_OVER = (
    update(_TABLE)
    .where(*_THIS, _TABLE.c.status == DeliveryStatus.FAILED)
    .values(status=bindparam("d_status"), attempts=_TABLE.c.attempts + 1)
)
_FINISH = update(_TABLE).where(*_THIS, _TABLE.c.status == DeliveryStatus.HANDLING).values(status=bindparam("d_status"))


def admit(connection: Connection | Session, delivery: Delivery, *, now: datetime) -> bool:
    """Record ``delivery``; True when this process is to act on it.

    True for the first delivery, and for a retry of one whose handler failed (taken over: one more
    attempt, ``handling`` again). False while it is being handled elsewhere or once it is done. Commit
    before acting: the row is what tells other processes.
    """
    return _record(connection, delivery, DeliveryStatus.HANDLING, now=now)


def admit_done(connection: Connection | Session, delivery: Delivery, *, now: datetime) -> bool:
    """Record ``delivery`` as ``done`` in the transaction that acts on it; True when that one is to act.

    The row commits with what the listener writes, or rolls back with it. False when the delivery is
    done already or being handled elsewhere (on PostgreSQL the insert waits for a concurrent attempt to
    commit or roll back); a row an earlier attempt left ``failed`` is taken over.
    """
    return _record(connection, delivery, DeliveryStatus.DONE, now=now)


def _record(connection: Connection | Session, delivery: Delivery, status: DeliveryStatus, *, now: datetime) -> bool:
    """Insert ``delivery`` with ``status``, or take over its ``failed`` row; True when either happened."""
    values = {
        "team_id": delivery.team_id,
        "key": delivery.key,
        "kind": delivery.kind,
        "status": status,
        "attempts": 1,
        "received_at": now,
    }
    if _insert_if_absent(connection, values):
        return True
    # Taken already. On PostgreSQL the insert above waited for a concurrent one to commit or roll back.
    return bool(_rowcount(connection.execute(_TAKE_OVER, {**_which(delivery), "d_status": status})))


def act_on(connection: Connection | Session, context: BoltContext, *, now: datetime) -> bool:
    """For a listener that records its own delivery: call it in the transaction that writes, before
    writing. False for a duplicate, which the request log records as such: write nothing, answer nothing.
    True when there is nothing to record (a request Slack gives no identity, or not one of those kinds)."""
    delivery = context.get(IN_LISTENER_KEY)
    if not isinstance(delivery, Delivery) or admit_done(connection, delivery, now=now):
        return True
    _log_duplicate(context)
    return False


def _insert_if_absent(connection: Connection | Session, values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT (team_id, key) DO NOTHING``: True when the row went in."""
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    statement = _INSERT.get(dialect)
    if statement is None:
        raise NotImplementedError(f"recording deliveries on {dialect} is not supported")
    # RETURNING, not the row count: some drivers do not report a count for a skipped row.
    return connection.execute(statement, values).scalar_one_or_none() is not None


def finish(connection: Connection | Session, delivery: Delivery, *, failed: bool) -> None:
    """The handler of ``delivery`` has finished: ``done``, or ``failed`` so that a retry may act again."""
    status = DeliveryStatus.FAILED if failed else DeliveryStatus.DONE
    connection.execute(_FINISH, {**_which(delivery), "d_status": status})


def _which(delivery: Delivery) -> dict[str, str]:
    return {"d_team": delivery.team_id, "d_key": delivery.key}


def prune(session: Session, *, before: datetime) -> int:
    """Delete the deliveries received before ``before``; returns how many went."""
    return _rowcount(session.execute(delete(InboundDelivery).where(InboundDelivery.received_at < before)))


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


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
        _log_duplicate(context)
        return BoltResponse(status=200, body="")  # acknowledged: no listener runs, Slack stops retrying
    next()
    return None


def _is_duplicate(delivery: Delivery, context: BoltContext) -> bool:
    runtime = runtime_of(context)
    try:
        with runtime.engine.begin() as connection:
            act = admit(connection, delivery, now=runtime.now())
    except SQLAlchemyError as exc:
        # Not recorded: handled as if this module were not here, so the person gets the usual answer.
        log.error("could not record a %s delivery (%s); handling it unrecorded", delivery.kind, type(exc).__name__)
        return False
    if act:
        context[DELIVERY_KEY] = delivery  # for MarkOnCompletion
    return not act


def _log_duplicate(context: BoltContext) -> None:
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
                finish(connection, delivery, failed=failed)
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

    app.middleware(dedupe)
    runner = app.listener_runner
    runner.listener_completion_handler = MarkOnCompletion(runner.listener_completion_handler)
