"""Registers every Slack listener on the Bolt app, by kind.

Each listener is thin: read the payload, call a service, render, respond.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.slack import (
    actions,
    commands,
    errors,
    home,
    lifecycle,
    modal_raid,
    modal_registers,
    options,
    people,
    shortcuts,
    views,
)
from handlers.slack.commands import ict_update
from handlers.slack.views import update_submission

__all__ = ["records_its_delivery", "register_listeners"]


def records_its_delivery(body: dict[str, Any]) -> bool:
    """The requests whose listener records its Slack delivery in the transaction that acts on it
    (``handlers.slack.dedupe.act_on``): a one-line update, and the update, risk, decision and action forms'
    submissions."""
    return (
        ict_update.records_its_delivery(body)
        or update_submission.records_its_delivery(body)
        or modal_raid.records_its_delivery(body)
        or modal_registers.records_its_delivery(body)
    )


def register_listeners(app: App) -> None:
    commands.register(app)
    views.register(app)
    shortcuts.register(app)
    actions.register(app)
    options.register(app)
    lifecycle.register(app)
    home.register(app)
    people.register(app)
    errors.register(app)
