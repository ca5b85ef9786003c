from __future__ import annotations

from slack_bolt import App

from handlers.slack.shortcuts.log_as_update import LOG_AS_UPDATE, handle_log_as_update


def register(app: App) -> None:
    app.message_shortcut(LOG_AS_UPDATE)(handle_log_as_update)
