"""Which bot token speaks for which workspace, outside a Slack request.

Inside a request Bolt authorises and hands the listener a client with the right token. The reconciler
and the CLI act with no request, so they ask a :class:`TokenSource`: :class:`SingleToken`
(single-workspace mode, ``SLACK_BOT_TOKEN`` for its one team) or :class:`InstalledTokens`
(multi-workspace mode, the team's bot installation from slack_sdk's store, its token rotated first when
it is about to expire, as Bolt's authorisation does, and the new one saved). A team the app is not
installed in (or was uninstalled from) has no token: None.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

__all__ = ["NOT_INSTALLED", "InstalledTokens", "SingleToken", "TokenSource", "client_with"]

log = logging.getLogger(__name__)

NOT_INSTALLED = "not_installed"  # recorded as the error of a send to a team with no token
ROTATE_MINUTES_BEFORE_EXPIRY = 120  # as Bolt's default: rotate when less than this is left


class TokenSource(Protocol):
    def bot_token(self, team_id: str) -> str | None: ...


class SingleToken:
    """``SLACK_BOT_TOKEN``: one workspace's token, used for whatever team the database holds."""

    def __init__(self, token: str) -> None:
        self._token = token

    def bot_token(self, team_id: str) -> str | None:
        return self._token


class InstalledTokens:
    """Each team's bot token from the installation store, rotated before it expires."""

    def __init__(
        self,
        store: InstallationStore,
        *,
        client_id: str,
        client_secret: str,
        client: WebClient,
        minutes_before_expiration: int = ROTATE_MINUTES_BEFORE_EXPIRY,
    ) -> None:
        self.store = store
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)
        self.minutes = minutes_before_expiration
        self._lock = threading.Lock()  # one rotation at a time in this process

    def bot_token(self, team_id: str) -> str | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or bot.bot_token is None:
            return None
        if bot.bot_refresh_token is None:  # an installation without token rotation
            return bot.bot_token
        with self._lock:
            bot = self.store.find_bot(enterprise_id=None, team_id=team_id) or bot
            try:
                refreshed = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=self.minutes)
            except SlackTokenRotationError as exc:
                # Slack refuses a refresh token once used: another process may have rotated first and
                # saved the new pair. Otherwise the installation is no longer usable (revoked).
                latest = self.store.find_bot(enterprise_id=None, team_id=team_id)
                if latest is not None and latest.bot_token and latest.bot_refresh_token != bot.bot_refresh_token:
                    return latest.bot_token
                log.warning("token rotation failed for team %s: %s", team_id, exc.api_error.response.get("error"))
                return None
            if refreshed is not None:
                self.store.save_bot(refreshed)
                log.info("rotated the bot token of team %s", team_id)
                return refreshed.bot_token
        return bot.bot_token


def client_with(base: WebClient, token: str) -> WebClient:
    """A copy of ``base`` (URL, timeout, TLS context, retry handlers, logger) that speaks with ``token``."""
    return WebClient(
        token=token,
        base_url=base.base_url,
        timeout=base.timeout,
        ssl=base.ssl,
        retry_handlers=base.retry_handlers,
        logger=base.logger,
    )
