"""Turning errors into answers: a domain error becomes its message, anything else a logged apology.

Listeners acknowledge first (or, for a one-line update, answer in the ack: ``handlers.slack.ack_answer``)
and do their work inside ``answering_errors(respond)``. The error
must not escape a listener after its ack: Bolt would then report the request to Slack as failed
even though it was acknowledged. ``app.error`` covers whatever still escapes; it answers through the
request's ``response_url`` only when the request was verified (:func:`handlers.slack.inbound.is_verified`), so that
no failure, however early, makes the server call a URL an unverified request named. A domain error's message
names commands by placeholder (:mod:`bot.wording`); here it is worded for Slack (``/ict-update``, …).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DomainError
from handlers.slack.inbound import is_verified
from handlers.slack.replies import answer, apology
from handlers.slack.request_log import kind_and_what, mark_outcome
from handlers.slack.wording import SLACK

log = logging.getLogger("ictbot.handlers")


def reply_to_error(error: Exception, respond: Respond | None, what: str) -> None:
    if isinstance(error, DomainError):
        mark_outcome("refused")
        if respond is not None:
            answer(respond, SLACK.marked(error.text))
        return
    mark_outcome("error")
    if isinstance(error, SQLAlchemyError):
        log.error("database error while handling %s: %s", what, error.__class__.__name__, exc_info=error)
    else:
        log.error("unexpected error while handling %s", what, exc_info=error)
    apology(respond)


@contextmanager
def answering_errors(respond: Respond | None, what: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # noqa: BLE001  (every failure is answered and logged, none escapes)
        reply_to_error(exc, respond, what)


CommandWork = Callable[[dict[str, Any], Respond, WebClient, BoltContext], None]


def command_listener(command_name: str, work: CommandWork) -> Callable[..., None]:
    """A slash command's listener: acknowledge at once, then do ``work``, answering any failure."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
        ack()
        with answering_errors(respond, command_name):
            work(command, respond, client, context)

    return listener


ActionWork = Callable[[dict[str, Any], dict[str, Any], BoltContext, Respond], None]


def action_listener(what: str, work: ActionWork) -> Callable[..., None]:
    """A button's listener: acknowledge at once, then do ``work`` with the body and the action pressed,
    answering any failure."""

    def listener(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with answering_errors(respond, what):
            work(body, action, context, respond)

    return listener


def handle_error(error: Exception, body: dict[str, Any], context: BoltContext, respond: Respond | None) -> None:
    if not is_verified(context):  # nothing of it is read, nor answered: it is not known to be Slack's
        reply_to_error(error, None, "a request that was not verified")
        return
    if isinstance(error, BoltUnhandledRequestError):  # answered 404 by Bolt; its own warning would quote typed text
        kind, what = kind_and_what(body)
        log.warning("no listener handles a %s request (%s)", kind, what or "unnamed")
        return
    reply_to_error(error, respond, str(body.get("command") or body.get("type") or "a request"))


def register(app: App) -> None:
    app.error(handle_error)
