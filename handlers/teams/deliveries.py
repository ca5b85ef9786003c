"""Which Teams activity or form submission a delivery is, for :mod:`bot.services.deliveries`."""

from __future__ import annotations

import hashlib
import json
import re

from bot.services import deliveries
from bot.services.deliveries import Delivery

__all__ = ["FORM_ID", "form_submission", "teams_activity", "teams_form"]

FORM_ID = re.compile(r"[0-9a-f]{16,64}")  # a form card's own id, as the bot gives it (``secrets.token_hex``)


def teams_activity(tenant_id: str, activity_id: object) -> Delivery | None:
    """A Microsoft Teams activity, which Teams sends again with the same id when the bot was slow to answer."""
    return deliveries.delivery(tenant_id, "teams", "teams-activity", activity_id)


def teams_form(tenant_id: str, form_id: str, submitted: dict[str, str]) -> Delivery | None:
    """One submission of one Teams form card: the card's own id (:mod:`handlers.teams.cards`) and what was in it.

    Pressing the button twice sends the same values from the same card (two activities, two ids); a
    different update typed into the same card, or the same text in a new card, is another submission."""
    digest = hashlib.sha256(json.dumps(submitted, sort_keys=True).encode()).hexdigest()[:32]
    return deliveries.delivery(tenant_id, "teams-form", "teams-form", f"{form_id}:{digest}")


def form_submission(tenant_id: str, form_id: object, submitted: dict[str, str]) -> Delivery | None:
    """:func:`teams_form` for the id a card sent back (untrusted); None when it is not one the bot gives."""
    if not isinstance(form_id, str) or not FORM_ID.fullmatch(form_id):
        return None
    return teams_form(tenant_id, form_id, submitted)
