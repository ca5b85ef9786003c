from __future__ import annotations

from slack_bolt import App

from handlers.actions.edit_update import handle_edit_update
from handlers.ui import EDIT_UPDATE_ACTION


def register(app: App) -> None:
    app.action(EDIT_UPDATE_ACTION)(handle_edit_update)
