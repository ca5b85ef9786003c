"""Slack's Web API as the CLI calls it (auth.test, users.lookupByEmail).

A refusal or an unreachable Slack becomes one DomainError that names the method and, where it helps,
what to put right.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.errors import DomainError
from bot.services.projects import EmailResolver
from bot.settings import Settings
from handlers.slack import client

T = TypeVar("T")

_SLACK_HINTS = {
    "missing_scope": "the Slack app lacks a scope it needs (users:read.email for e-mail look-ups)",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "not_authed": "check SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN has been revoked; reinstall the app and use the new token",
    "account_inactive": "SLACK_BOT_TOKEN belongs to a deactivated app or user",
    "ratelimited": "Slack is rate-limiting the app; try again in a minute",
}


def _slack_error(exc: SlackApiError) -> str:
    response = exc.response
    error = response.get("error") if isinstance(response, SlackResponse) else None
    return str(error or "unknown_error")


def _slack_failure(method: str, exc: SlackClientError) -> DomainError:
    if isinstance(exc, SlackApiError):
        error = _slack_error(exc)
        hint = _SLACK_HINTS.get(error)
        return DomainError(f"Slack refused {method} ({error})" + (f": {hint}." if hint else "."))
    return DomainError(f"Could not reach Slack's Web API for {method}: {exc}")


def web_client(settings: Settings) -> WebClient:
    """A client with SLACK_BOT_TOKEN, at SLACK_API_URL."""
    assert settings.SLACK_BOT_TOKEN is not None
    return client.web_client(settings.SLACK_BOT_TOKEN.get_secret_value(), settings.SLACK_API_URL)


def call_slack(method: str, call: Callable[[], T]) -> T:
    """``call()``, with Slack's refusals and network errors turned into one DomainError."""
    try:
        return call()
    except SlackClientError as exc:
        raise _slack_failure(method, exc) from None
    except OSError as exc:  # connection refused, DNS, TLS: urllib's errors
        raise DomainError(f"Could not reach Slack's Web API for {method}: {exc}") from None


def _lookup_by_email(client: WebClient, email: str) -> SlackResponse | None:
    """``users.lookupByEmail``, or None when Slack knows nobody with that address."""
    try:
        return client.users_lookupByEmail(email=email)
    except SlackApiError as exc:
        if _slack_error(exc) == "users_not_found":
            return None
        raise


def slack_email_resolver(client: WebClient) -> EmailResolver:
    """Look e-mail addresses up with ``users.lookupByEmail``: ``users_not_found`` (or a deactivated
    account) gives None; any other refusal stops the import with a DomainError."""

    def resolve(emails: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for email in emails:
            response = call_slack("users.lookupByEmail", partial(_lookup_by_email, client, email))
            user = (response.get("user") or {}) if response is not None else {}
            user_id = user.get("id") if isinstance(user, dict) and not user.get("deleted") else None
            found[email] = str(user_id) if user_id else None
        return found

    return resolve
