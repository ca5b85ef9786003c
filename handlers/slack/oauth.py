"""Multi-workspace install: Slack's OAuth v2 flow, with slack_sdk's stores in ictbot's database.

With ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET`` and ``SLACK_STATE_SECRET`` set, ``ictbot serve`` answers
``GET /slack/install`` and ``GET /slack/oauth_redirect``. Bolt's ``OAuthFlow`` runs the flow; this module
gives it slack_sdk's installation store on the database, a :class:`SignedStateStore` (each state also
signed, so a forged or foreign state is refused before the database is asked), Bolt's
``InstallationStoreAuthorize`` with token rotation and its result cache, and callbacks that create the
workspace on install (or cancel its pending purge on a reinstall). Tokens are stored as slack_sdk stores
them: the database is the secret store of a multi-workspace deployment and must be protected like one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.runtime import Runtime
from bot.services import workspaces
from handlers.slack.tokens import InstalledTokens, SingleToken, TokenSource
from models.install import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE

__all__ = [
    "BOT_SCOPES",
    "INSTALL_PATH",
    "REDIRECT_PATH",
    "STATE_EXPIRATION_SECONDS",
    "SignedStateStore",
    "authorize",
    "installation_store",
    "installed_tokens",
    "oauth_settings",
]

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600
# The bot scopes the app asks for; tests/test_manifest.py checks they are manifest.yml's.
BOT_SCOPES = (
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:write",
    "usergroups:read",
    "users:read",
    "users:read.email",
)


class SignedStateStore(OAuthStateStore):
    """slack_sdk's SQLAlchemy state store, with every state it issues signed by ``SLACK_STATE_SECRET``.

    A state is ``<nonce>.<HMAC-SHA256(secret, nonce)>``; the nonce is single-use and expires after
    ``STATE_EXPIRATION_SECONDS`` in the database, as slack_sdk's store keeps it.
    """

    def __init__(self, secret: str, engine: Engine, *, expiration_seconds: int = STATE_EXPIRATION_SECONDS) -> None:
        self._secret = secret.encode("utf-8")
        self._store = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, table_name=OAUTH_STATES_TABLE
        )

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue(self, *args: Any, **kwargs: Any) -> str:
        nonce = self._store.issue()
        return f"{nonce}.{self._sign(nonce)}"

    def consume(self, state: str) -> bool:
        nonce, _, signature = state.rpartition(".")
        if not nonce or not hmac.compare_digest(signature.encode(), self._sign(nonce).encode()):
            log.warning("OAuth: refused a state that this deployment did not sign")
            return False
        return bool(self._store.consume(nonce))


def installation_store(runtime: Runtime) -> SQLAlchemyInstallationStore:
    assert runtime.settings.SLACK_CLIENT_ID is not None
    return SQLAlchemyInstallationStore(
        client_id=runtime.settings.SLACK_CLIENT_ID,
        engine=runtime.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
        logger=logging.getLogger("ictbot.installations"),
    )


def _credentials(runtime: Runtime) -> tuple[str, str, str]:
    s = runtime.settings
    s.require("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", purpose="multi-workspace install")
    assert s.SLACK_CLIENT_ID and s.SLACK_CLIENT_SECRET and s.SLACK_STATE_SECRET
    return s.SLACK_CLIENT_ID, s.SLACK_CLIENT_SECRET.get_secret_value(), s.SLACK_STATE_SECRET.get_secret_value()


def oauth_settings(runtime: Runtime, store: SQLAlchemyInstallationStore) -> OAuthSettings:
    client_id, client_secret, state_secret = _credentials(runtime)

    def installed(args: SuccessArgs) -> BoltResponse:
        inst = args.installation
        if inst.is_enterprise_install or not inst.team_id:
            # ictbot keeps one Work Plan per workspace; an organisation-wide install has none.
            store.delete_installation(enterprise_id=inst.enterprise_id, team_id=inst.team_id, user_id=inst.user_id)
            store.delete_bot(enterprise_id=inst.enterprise_id, team_id=inst.team_id)
            reason = "ictbot is installed into one workspace at a time, not organisation-wide"
            return args.default.failure(
                FailureArgs(
                    request=args.request,
                    reason=reason,
                    suggested_status_code=400,
                    settings=args.settings,
                    default=args.default,
                )
            )
        with runtime.sessions.begin() as session:
            ws = workspaces.get_or_create(session, inst.team_id, name=inst.team_name or "", now=runtime.now())
            reinstalled = workspaces.mark_installed(ws, name=inst.team_name or "")
        log.info(
            "installed in team %s%s", inst.team_id, " (reinstalled: its purge is cancelled)" if reinstalled else ""
        )
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        log.warning("OAuth install failed: %s", args.reason)
        return args.default.failure(args)

    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=runtime.settings.SLACK_REDIRECT_URI,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SignedStateStore(state_secret, runtime.engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        callback_options=CallbackOptions(success=installed, failure=failed),
        logger=logging.getLogger("ictbot.oauth"),
    )


def authorize(runtime: Runtime, store: SQLAlchemyInstallationStore, client: WebClient) -> InstallationStoreAuthorize:
    """Bolt's authorisation from the installation store, rotating tokens, caching ``auth.test``."""
    client_id, client_secret, _ = _credentials(runtime)
    return InstallationStoreAuthorize(
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
        logger=logging.getLogger("ictbot.bolt"),
    )


def installed_tokens(runtime: Runtime, client: WebClient) -> InstalledTokens:
    client_id, client_secret, _ = _credentials(runtime)
    return InstalledTokens(installation_store(runtime), client_id=client_id, client_secret=client_secret, client=client)


def token_source(runtime: Runtime, client: WebClient) -> TokenSource:
    """Where the reconciler and the CLI find a team's bot token (see :mod:`handlers.slack.tokens`)."""
    settings = runtime.settings
    if settings.oauth_enabled:
        return installed_tokens(runtime, client)
    settings.require("SLACK_BOT_TOKEN", purpose="sending to Slack outside a request")
    assert settings.SLACK_BOT_TOKEN is not None
    return SingleToken(settings.SLACK_BOT_TOKEN.get_secret_value())
