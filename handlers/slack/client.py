"""The Slack Web API client every part of the bot uses, and what a failed call means.

Its retry handlers honour 429 Retry-After and retry transient failures, but never repeat a post Slack may
have acted on (:class:`PostsOnce`). No listener and no Bolt app here.
"""

from __future__ import annotations

import functools
import logging
import socket
import ssl
from typing import Any
from urllib.error import URLError

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

from bot.settings import ConfigError


def web_client(token: str, api_url: str, *, logger: logging.Logger | None = None) -> WebClient:
    """A Web API client that honours 429 Retry-After and retries transient failures with backoff."""
    return _with_retries(WebClient(token=token, base_url=api_url, timeout=10, logger=logger, ssl=tls_for(api_url)))


def web_client_without_token(api_url: str) -> WebClient:
    """The same, with no token of its own: each call (or Bolt, per request) supplies the team's."""
    return _with_retries(WebClient(base_url=api_url, timeout=10, ssl=tls_for(api_url)))


def tls_for(api_url: str) -> ssl.SSLContext | None:
    """:func:`tls` for an https:// URL; none for a stand-in's http:// one (the context and the certificates
    it loads would be memory and start-up time for nothing)."""
    return tls() if api_url.lower().startswith("https:") else None


@functools.cache
def tls() -> ssl.SSLContext:
    """The one TLS context of the process's calls to Slack (Bolt passes it on to its per-request clients and to
    ``respond``). Without one, slack_sdk has urllib make a context for every call, and each loads the CA
    certificates again: about 20 ms of CPU a call."""
    return ssl.create_default_context()


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
