from __future__ import annotations

from slack_bolt import App

from handlers.options.project_search import handle_project_search
from handlers.ui import PROJECT_ACTION


def register(app: App) -> None:
    app.options(PROJECT_ACTION)(handle_project_search)
