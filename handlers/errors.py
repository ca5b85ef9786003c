"""The one error handler: a domain error becomes its message, anything else a logged apology."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DomainError
from handlers.common import answer, apology

log = logging.getLogger("ictbot.handlers")


def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None, logger: logging.Logger) -> None:
    kind = body.get("command") or body.get("type") or "request"
    if isinstance(error, DomainError):
        if respond is not None:
            answer(respond, error.message, escape=True)
        return
    if isinstance(error, SQLAlchemyError):
        log.error("database error while handling %s: %s", kind, error.__class__.__name__, exc_info=error)
    else:
        log.error("unexpected error while handling %s", kind, exc_info=error)
    apology(respond)


def register(app: App) -> None:
    app.error(handle_error)
