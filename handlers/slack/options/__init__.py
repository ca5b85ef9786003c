from __future__ import annotations

from slack_bolt import App

from handlers.slack.blocks.ui import PROJECT_ACTION
from handlers.slack.options.project_search import handle_project_search


def register(app: App) -> None:
    app.options(PROJECT_ACTION)(handle_project_search)
