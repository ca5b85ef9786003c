"""Assurance reminders sent to Teams: the reminders' Teams delivery with the assurance card."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.scheduling.ports import RemindAssurance
from handlers.teams.app import PLATFORM
from handlers.teams.cards.assurance import assurance_card
from handlers.teams.delivery import PlatformRouter, TeamsDelivery

__all__ = ["assurance_router", "teams_assurance_delivery"]


def teams_assurance_delivery(runtime: Runtime, *, rate: float | None = None) -> RemindAssurance:
    return TeamsDelivery(runtime, rate=rate, card=assurance_card)


def assurance_router(slack: RemindAssurance | None, teams: RemindAssurance | None) -> RemindAssurance:
    return PlatformRouter({k: v for k, v in (("slack", slack), (PLATFORM, teams)) if v is not None})
