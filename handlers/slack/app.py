"""The one Bolt app behind every way of running: HTTP, Socket Mode and the local shell."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.settings import ConfigError
from handlers.slack import middleware, oauth
from handlers.slack.ack_wait import AckAwaitingExecutor
from handlers.slack.client import check_bot_token, web_client, web_client_without_token
from handlers.slack.inbound import SlackInbound
from handlers.slack.listeners import records_its_delivery, register_listeners

log = logging.getLogger(__name__)

# Bolt's name for the app; given, so that Bolt does not walk the call stack (inspect.stack(), tens of
# milliseconds) to name the app after the file that built it. Bolt also names loggers after it (the
# request's ``logger``, each middleware's "NAME:function") and copies its own logger's level and filters
# onto them: the name of that logger, so that none of ictbot's other loggers (``ictbot`` is their parent)
# is ever touched.
APP_NAME = BOLT_LOGGER = "ictbot.bolt"


def create_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    listener_executor: Executor | None = None,
    socket_mode: bool = False,
) -> App:
    """Build the Bolt app. Request verification is always on; it cannot be switched off here.

    Its first middleware is :class:`handlers.slack.inbound.SlackInbound`, which verifies every request (and answers
    ``ssl_check`` only after that) before Bolt authorises it or anything reads it; Bolt's own
    ``RequestVerification`` and ``SslCheck``, which Bolt would run before it, are replaced by it, not
    switched off. In Socket Mode Slack's requests arrive over the app's own WebSocket, not HTTP, so the
    signing secret is not needed there; any HTTP request still has to pass verification.

    With ``SLACK_BOT_TOKEN``, raises :class:`ConfigError` in one line when Slack refuses the token or cannot be
    reached (:func:`check_bot_token`).
    """
    settings = runtime.settings
    if listener_executor is None:
        listener_executor = AckAwaitingExecutor()  # Bolt's pool, without its 10 ms wait for each ack
    if settings.oauth_enabled:
        app = _multi_workspace_app(runtime, client=client, listener_executor=listener_executor, socket_mode=socket_mode)
    else:
        app = _single_workspace_app(
            runtime, client=client, listener_executor=listener_executor, socket_mode=socket_mode
        )

    middleware.install(app, runtime, recorded_by_listener=records_its_delivery)
    register_listeners(app)
    return app


def _single_workspace_app(
    runtime: Runtime, *, client: WebClient | None, listener_executor: Executor | None, socket_mode: bool
) -> App:
    """One workspace, ``SLACK_BOT_TOKEN``'s."""
    settings = runtime.settings
    required = ("SLACK_BOT_TOKEN",) if socket_mode else ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    settings.require(*required, purpose="Socket Mode" if socket_mode else "the Slack app over HTTP")
    assert settings.SLACK_BOT_TOKEN is not None
    secret = settings.SLACK_SIGNING_SECRET.get_secret_value() if settings.SLACK_SIGNING_SECRET else ""
    if client is None:
        client = web_client(settings.SLACK_BOT_TOKEN.get_secret_value(), settings.SLACK_API_URL)
    check_bot_token(settings.SLACK_BOT_TOKEN.get_secret_value(), settings.SLACK_API_URL)
    return App(
        name=APP_NAME,
        client=client,
        signing_secret=secret,
        token_verification_enabled=True,  # Bolt's own auth.test, which keeps the bot's identity for requests
        listener_executor=listener_executor,
        logger=_bolt_logger(),
        **_verified_first(secret),
    )


def _multi_workspace_app(
    runtime: Runtime, *, client: WebClient | None, listener_executor: Executor | None, socket_mode: bool
) -> App:
    """Any number of workspaces, each with the token its installation stored (Slack's OAuth v2)."""
    settings = runtime.settings
    if socket_mode:
        raise ConfigError(
            "multi-workspace install (SLACK_CLIENT_ID, …) needs `ictbot serve`: Slack sends installers back to "
            "an HTTP redirect URL. Use SLACK_BOT_TOKEN for Socket Mode."
        )
    settings.require("SLACK_SIGNING_SECRET", purpose="the Slack app over HTTP")
    assert settings.SLACK_SIGNING_SECRET is not None
    if client is None:
        client = web_client_without_token(settings.SLACK_API_URL)
    store = oauth.installation_store(runtime)
    secret = settings.SLACK_SIGNING_SECRET.get_secret_value()
    return App(
        name=APP_NAME,
        client=client,
        signing_secret=secret,
        installation_store=store,
        # Bolt accepts an Authorize object (it is callable); its annotation only names plain functions.
        authorize=oauth.authorize(runtime, store, client),  # type: ignore[arg-type]
        oauth_settings=oauth.oauth_settings(runtime, store),
        listener_executor=listener_executor,
        logger=_bolt_logger(),
        **_verified_first(secret),
    )


def _verified_first(secret: str) -> dict[str, Any]:
    """Bolt's arguments that make :class:`SlackInbound` the first middleware of the app.

    Bolt runs its ``SslCheck`` (which answers an unsigned ``ssl_check``) and then its
    ``RequestVerification`` (which lets slack_sdk's verifier raise on a timestamp that is not an integer,
    and logs a refused request's whole body) before ``before_authorize``. Ours does both jobs, in the
    other order, without either fault, so Bolt's two are replaced by it rather than kept behind it.
    """
    return {
        "before_authorize": SlackInbound(secret),
        "request_verification_enabled": False,
        "ssl_check_enabled": False,
        # A request no listener takes goes to app.error (handlers.slack.errors), which logs its kind and name:
        # Bolt's own "Unhandled request" warning would quote a suggestion's or a dialog's typed value.
        "raise_error_for_unhandled_request": True,
    }


class _NotTheTokenWarning(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused".

    Given a client, Bolt still reads ``SLACK_BOT_TOKEN`` from the environment itself and warns that it
    will not use it. The client it is given already carries that very token (or, with several
    workspaces, none: each installation's token is used), so the warning only confuses.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger(BOLT_LOGGER)
    if not any(isinstance(f, _NotTheTokenWarning) for f in logger.filters):
        logger.addFilter(_NotTheTokenWarning())
    return logger
