"""The Slack listeners. Each is thin: read the payload, call a service, render, respond."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, errors, lifecycle, options, shortcuts, views

__all__ = ["register_listeners"]


def register_listeners(app: App) -> None:
    commands.register(app)
    views.register(app)
    shortcuts.register(app)
    actions.register(app)
    options.register(app)
    lifecycle.register(app)
    errors.register(app)
