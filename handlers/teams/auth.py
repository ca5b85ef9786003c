"""Who the bot is to Microsoft: the cloud's endpoints, and the token the bot sends with each outbound call.

Inbound, the SDK validates each activity's JWT against the Bot Framework's signing keys (found from
``CloudEnvironment.openid_metadata_url``). Outbound, every Bot Connector call carries an access token the
bot gets from Entra ID with the OAuth 2.0 client-credentials grant. :class:`ClientCredentialsToken` makes
that one documented request itself, not through the SDK's MSAL path, so that the code the tests run
against the stand-in is the code that runs against Microsoft.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import httpx
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides

from bot.settings import Settings

__all__ = ["ClientCredentialsToken", "TokenError", "cloud_for"]

log = logging.getLogger(__name__)

REFRESH_BEFORE = 300  # seconds: a token is renewed this long before it expires
OPENID_PATH = "/v1/.well-known/openidconfiguration"


class TokenError(Exception):
    """Entra ID refused to issue a token (a wrong secret, an unknown app): the message says why."""


def cloud_for(settings: Settings) -> CloudEnvironment:
    """Microsoft's public cloud, or every endpoint the bot calls under ``TEAMS_CLOUD_URL`` (the stand-in).

    The token issuer stays Bot Framework's: it is a claim the stand-in signs, not an address.
    """
    base = settings.TEAMS_CLOUD_URL
    if base is None:
        return PUBLIC
    return with_overrides(
        PUBLIC,
        login_endpoint=base,
        token_service_url=base,
        openid_metadata_url=f"{base}{OPENID_PATH}",
    )


def connector_url(settings: Settings) -> str:
    """The default Bot Connector service URL (a stored reference's own service URL wins)."""
    if settings.TEAMS_CLOUD_URL is not None:
        return f"{settings.TEAMS_CLOUD_URL}/teams/"
    return "https://smba.trafficmanager.net/teams/"


@dataclass
class _Cached:
    token: str
    expires_at: float


class ClientCredentialsToken:
    """The SDK's ``token`` provider: ``(scope, tenant_id) -> access token``, cached until near expiry.

    Safe to share between threads and event loops: it keeps no connection, only the tokens.
    """

    def __init__(self, *, client_id: str, client_secret: str, tenant_id: str, cloud: CloudEnvironment) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.tenant_id = tenant_id
        self.cloud = cloud
        self._cache: dict[tuple[str, str], _Cached] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientCredentialsToken:
        assert settings.TEAMS_CLIENT_ID and settings.TEAMS_CLIENT_SECRET and settings.TEAMS_TENANT_ID
        return cls(
            client_id=settings.TEAMS_CLIENT_ID,
            client_secret=settings.TEAMS_CLIENT_SECRET.get_secret_value(),
            tenant_id=settings.TEAMS_TENANT_ID,
            cloud=cloud_for(settings),
        )

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        scope_text = " ".join(scope) if isinstance(scope, list) else scope
        # A single-tenant bot asks its own tenant; the SDK may offer the multi-tenant default instead.
        tenant = self.tenant_id if tenant_id in (None, "", self.cloud.login_tenant) else tenant_id
        key = (scope_text, tenant)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached.expires_at - REFRESH_BEFORE > time.time():
            return cached.token
        url = f"{self.cloud.login_endpoint}/{tenant}/oauth2/v2.0/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": scope_text,
        }
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, data=form)
        try:
            body = response.json()
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str):
            code = body.get("error", f"http_{response.status_code}") if isinstance(body, dict) else "no body"
            raise TokenError(f"Entra ID refused a token for the Teams bot ({code}); check TEAMS_CLIENT_ID/SECRET")
        expires_in = int(body.get("expires_in") or 3599)
        with self._lock:
            self._cache[key] = _Cached(token=token, expires_at=time.time() + expires_in)
        return token
