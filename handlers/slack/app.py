"""The one Bolt app behind every way of running: HTTP, Socket Mode and the local shell."""

from __future__ import annotations

import logging
import socket
from concurrent.futures import Executor
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot.runtime import Runtime
from bot.settings import ConfigError
from handlers.slack import oauth, request_log
from handlers.slack.ack_wait import AckAwaitingExecutor, signal_ack
from handlers.slack.inbound import SlackInbound
from handlers.slack.tokens import SingleToken, TokenSource

log = logging.getLogger(__name__)
RUNTIME_KEY = "ictbot_runtime"


def web_client(token: str, api_url: str, *, logger: logging.Logger | None = None) -> WebClient:
    """A Web API client that honours 429 Retry-After and retries transient failures with backoff."""
    return _with_retries(WebClient(token=token, base_url=api_url, timeout=10, logger=logger))


def web_client_without_token(api_url: str) -> WebClient:
    """The same, with no token of its own: each call (or Bolt, per request) supplies the team's."""
    return _with_retries(WebClient(base_url=api_url, timeout=10))


def _with_retries(client: WebClient) -> WebClient:
    # Instead of slack_sdk's default list (a bare ConnectionErrorRetryHandler, which would repeat any post).
    client.retry_handlers = [
        PostsOnce(ConnectionErrorRetryHandler(max_retry_count=2)),
        PostsOnce(RateLimitErrorRetryHandler(max_retry_count=3)),
        PostsOnce(ServerErrorRetryHandler(max_retry_count=2)),
    ]
    return client


# Calls that put something in front of people: repeated only when Slack surely did not act on the first try.
POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})


class PostsOnce(RetryHandler):
    """One of slack_sdk's retry handlers (its decision and its wait), except that a posting call is never
    repeated when Slack may have acted on it (:func:`surely_not_acted_on`): a digest or a note posted twice."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(max_retry_count=inner.max_retry_count)
        self.inner = inner

    def _can_retry(self, **kwargs: Any) -> bool:
        request: HttpRequest = kwargs["request"]
        if method_of(request) in POSTING_METHODS and not surely_not_acted_on(
            kwargs.get("response"), kwargs.get("error")
        ):
            return False
        return self.inner.can_retry(**kwargs)

    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        self.inner.prepare_for_next_attempt(**kwargs)


def surely_not_acted_on(response: HttpResponse | None, error: Exception | None) -> bool:
    """Did Slack certainly not act on the call? It refused it (429: rate limited, 503: unavailable), or the
    connection was refused or Slack's name did not resolve, so the request never left.

    Anything else leaves the outcome unknown: slack_sdk's ConnectionErrorRetryHandler would repeat a
    call after the connection was reset or closed with no answer (the request may have been acted on),
    and a time-out while waiting for the answer (TimeoutError) or a 500 tells nothing either.
    """
    if response is not None:
        return response.status_code in (429, 503)
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def method_of(request: HttpRequest) -> str:
    """The Web API method a request calls (``chat.postMessage``)."""
    return request.url.rsplit("/", 1)[-1].split("?", 1)[0]


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

    app.middleware(signal_ack)  # first: every listener's ack is the signalling one (see handlers.slack.ack_wait)

    @app.middleware
    def attach_runtime(context: BoltContext, next: Any) -> Any:
        context[RUNTIME_KEY] = runtime
        return next()

    request_log.install(app)  # one log line a request; after attach_runtime, see handlers.slack.request_log
    from handlers.slack import dedupe  # imported here: handlers.slack.dedupe imports this module
    from handlers.slack.listeners import records_its_delivery, register_listeners

    # Slack's retries acted on once; after request_log, see handlers.slack.dedupe. A one-line update and the update
    # modal's submission record their delivery in the transaction that stores the update.
    dedupe.install(app, recorded_by_listener=records_its_delivery)

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
    logger = logging.getLogger("ictbot.bolt")
    if not any(isinstance(f, _NotTheTokenWarning) for f in logger.filters):
        logger.addFilter(_NotTheTokenWarning())
    return logger


# The start-up check reports its failure itself, in one line; the client's narration of it (each retry,
# each failed attempt) would only repeat it above that line.
_QUIET = logging.getLogger("ictbot.startup_check")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


def check_bot_token(token: str, api_url: str) -> None:
    """Ask Slack's auth.test whether it takes ``token``: raises :class:`ConfigError`, one line naming the
    problem, when Slack refuses it or cannot be reached (after the client's usual retries)."""
    try:
        web_client(token, api_url, logger=_QUIET).auth_test()
    except SlackApiError as exc:
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({slack_error(exc)}): check the Bot User OAuth Token (xoxb-…) on "
            "the app's OAuth & Permissions page, and that the app is still installed."
        ) from None
    except (SlackClientError, OSError) as exc:
        raise ConfigError(f"cannot reach Slack at {api_url}: {_reason(exc)}") from None


def slack_error(exc: Exception) -> str:
    """Slack's error code (``not_in_channel``), or what went wrong on the way there."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return type(exc).__name__


def _reason(exc: BaseException) -> str:
    """Why a connection failed, on one line (urllib's URLError wraps the socket's error as ``reason``)."""
    reason = getattr(exc, "reason", None)
    lines = str(reason if reason is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def token_source(runtime: Runtime, client: WebClient) -> TokenSource:
    """Where the reconciler and the CLI find a team's bot token (see :mod:`handlers.slack.tokens`)."""
    settings = runtime.settings
    if settings.oauth_enabled:
        return oauth.installed_tokens(runtime, client)
    settings.require("SLACK_BOT_TOKEN", purpose="sending to Slack outside a request")
    assert settings.SLACK_BOT_TOKEN is not None
    return SingleToken(settings.SLACK_BOT_TOKEN.get_secret_value())


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(RUNTIME_KEY)
    if not isinstance(runtime, Runtime):
        raise ConfigError("the Bolt app was built without ictbot's runtime; use handlers.slack.app.create_app")
    return runtime
