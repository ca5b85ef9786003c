"""Adaptive Cards (schema 1.5) for Teams: the update form, the reminder, the progress digest and help.

The public surface, in one namespace (``from handlers.teams import cards``).
"""

from handlers.teams.cards.digest import (
    ACTION_NO_CHANGE,
    ACTION_OPEN_FORM,
    ACTION_SNOOZE,
    ACTION_UPDATE_SUBMIT,
    MAX_CARD_BYTES,
    POSTED_FOOTER,
    PREVIEW_FOOTER,
    card_size,
    closures_card,
    detail_cards,
    digest_cards,
    help_card,
    meetings_card,
    mine_card,
    no_change_card,
    notice_card,
    plain_message,
    reminder_card,
    saved_card,
    summary_cards,
    update_form,
)

__all__ = [
    "ACTION_NO_CHANGE",
    "ACTION_OPEN_FORM",
    "ACTION_SNOOZE",
    "ACTION_UPDATE_SUBMIT",
    "MAX_CARD_BYTES",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "card_size",
    "closures_card",
    "detail_cards",
    "digest_cards",
    "help_card",
    "meetings_card",
    "mine_card",
    "no_change_card",
    "notice_card",
    "plain_message",
    "reminder_card",
    "saved_card",
    "summary_cards",
    "update_form",
]
