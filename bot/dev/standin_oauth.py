"""The OAuth side of the Slack stand-in: apps, installs, bot tokens and their rotation.

What Slack's servers do for a distributed app, as far as ictbot sees it: the consent, the exchange of
a code (or a refresh token) for tokens with ``oauth.v2.access``, and every other call's token checked
against those issued (docs/ARCHITECTURE.md, Design notes). While no OAuth app is registered every token
is accepted (single-workspace tests and the shell).
"""

from __future__ import annotations

import base64
import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Grant", "OAuthGrants"]

APP_ID = "A0ICTBOT"


@dataclass
class Grant:
    """One bot token Slack issued."""

    team_id: str
    team_name: str
    bot_user_id: str
    scope: str
    expires_at: float | None  # None: does not expire (no token rotation)
    revoked: bool = False


@dataclass
class _App:
    client_secret: str
    rotate_after: int | None  # seconds a token lives, when token rotation is on


@dataclass
class _Code:
    client_id: str
    team_id: str
    team_name: str
    user_id: str
    scope: str
    redirect_uri: str | None


@dataclass
class OAuthGrants:
    clock: Callable[[], float] = time.time  # Slack's clock, for token expiry
    apps: dict[str, _App] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)  # by access token

    def __post_init__(self) -> None:
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token -> (client ID, access token it renews)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # -- what a test does on Slack's side --------------------------------------------------------
    def add_app(self, client_id: str, client_secret: str, *, rotate_after: int | None = None) -> None:
        """Register a distributed app; ``rotate_after``: token rotation on, tokens living that long."""
        self.apps[client_id] = _App(client_secret, rotate_after)

    def consent(
        self,
        client_id: str,
        team_id: str,
        team_name: str,
        *,
        user_id: str = "U0INSTALLER",
        scope: str = "",
        redirect_uri: str | None = None,
    ) -> str:
        """A user of ``team_id`` allows the app: the code Slack appends to the redirect URL."""
        code = f"{next(self._ids)}.{secrets.token_hex(8)}"
        with self._lock:
            self._codes[code] = _Code(client_id, team_id, team_name, user_id, scope, redirect_uri)
        return code

    def revoke_team(self, team_id: str) -> None:
        """The app is uninstalled from ``team_id``: every token issued there stops working."""
        with self._lock:
            for grant in self.grants.values():
                if grant.team_id == team_id:
                    grant.revoked = True

    def tokens_of(self, team_id: str) -> list[str]:
        """The access tokens issued in ``team_id``, oldest first."""
        return [t for t, g in self.grants.items() if g.team_id == team_id]

    # -- the wire ---------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return bool(self.apps)

    def check(self, token: str) -> tuple[Grant | None, str | None]:
        """The grant behind a bearer token, or the error Slack would answer with."""
        grant = self.grants.get(token)
        if grant is None:
            return None, ("invalid_auth" if self.active and token.startswith(("xoxb-", "xoxe.")) else None)
        if grant.revoked:
            return grant, "token_revoked"
        if grant.expires_at is not None and self.clock() >= grant.expires_at:
            return grant, "token_expired"
        return grant, None

    def access(self, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        """``oauth.v2.access``."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode("utf-8")
            client_id, _, client_secret = decoded.partition(":")
        app = self.apps.get(str(client_id or ""))
        if app is None:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != app.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        with self._lock:
            if params.get("grant_type") == "refresh_token":
                return self._refreshed(str(client_id), app, str(params.get("refresh_token") or ""))
            code = self._codes.pop(str(params.get("code") or ""), None)
            if code is None or code.client_id != client_id:
                return {"ok": False, "error": "invalid_code"}
            if code.redirect_uri is not None and params.get("redirect_uri") not in (None, code.redirect_uri):
                return {"ok": False, "error": "bad_redirect_uri"}
            bot_user_id = f"U0BOT{code.team_id.removeprefix('T')}"
            grant = Grant(code.team_id, code.team_name, bot_user_id, code.scope, None)
            answer = self._issue(str(client_id), app, grant)
            return {**answer, "authed_user": {"id": code.user_id}}

    def _refreshed(self, client_id: str, app: _App, refresh_token: str) -> dict[str, Any]:
        held = self._refresh.pop(refresh_token, None)
        if held is None or held[0] != client_id:
            return {"ok": False, "error": "invalid_refresh_token"}
        old = self.grants[held[1]]
        if old.revoked:
            return {"ok": False, "error": "invalid_refresh_token"}
        return self._issue(client_id, app, Grant(old.team_id, old.team_name, old.bot_user_id, old.scope, None))

    def _issue(self, client_id: str, app: _App, grant: Grant) -> dict[str, Any]:
        n = next(self._ids)
        secret = secrets.token_hex(12)
        answer: dict[str, Any] = {
            "ok": True,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": grant.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if app.rotate_after is None:
            token = f"xoxb-{n}-{grant.team_id}-{secret}"
        else:
            token = f"xoxe.xoxb-1-{n}-{grant.team_id}-{secret}"
            refresh = f"xoxe-1-{n}-{secrets.token_hex(12)}"
            grant.expires_at = self.clock() + app.rotate_after
            self._refresh[refresh] = (client_id, token)
            answer |= {"refresh_token": refresh, "expires_in": app.rotate_after}
        self.grants[token] = grant
        return {**answer, "access_token": token}
