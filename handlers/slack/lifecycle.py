"""The app's own life in a workspace: uninstalled, tokens revoked.

``app_uninstalled``: the team's installation (multi-workspace mode) is deleted at once, so nothing
is sent there any more, and the workspace is marked uninstalled: its data is kept for
``ICTBOT_RETENTION_DAYS`` and then purged by the reconciler (:mod:`bot.services.retention`), unless the
app is installed again before then. ``tokens_revoked``: the revoked tokens are deleted from the
installation store (as Bolt's built-in listener does); the data stays, as the app is still installed.

Both arrive without a usable token, so Bolt does not authorise them (its ``no_auth_test_events``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.services import workspaces
from handlers.slack.context import runtime_of

__all__ = ["register"]

log = logging.getLogger(__name__)


def register(app: App) -> None:
    store = app.installation_store
    revocations = TokenRevocationListeners(store) if store is not None else None

    @app.event("app_uninstalled")
    def app_uninstalled(context: BoltContext, body: dict[str, Any]) -> None:
        runtime = runtime_of(context)
        team_id = context.team_id or str(body.get("team_id") or "")
        if revocations is not None:
            revocations.handle_app_uninstalled_events(context)
        with runtime.sessions.begin() as session:
            ws = workspaces.mark_uninstalled(session, team_id, now=runtime.now())
        days = runtime.settings.ICTBOT_RETENTION_DAYS
        if ws is None:
            log.info("uninstalled from team %s, which stored nothing", team_id)
        else:
            log.info(
                "uninstalled from team %s: its data will be purged %d days after %s", team_id, days, ws.uninstalled_at
            )

    @app.event("tokens_revoked")
    def tokens_revoked(context: BoltContext, event: dict[str, Any]) -> None:
        if revocations is not None:
            revocations.handle_tokens_revoked_events(event, context)
        tokens = event.get("tokens") or {}
        log.info(
            "tokens revoked in team %s: %d bot, %d user",
            context.team_id,
            len(tokens.get("bot") or ()),
            len(tokens.get("oauth") or ()),
        )
