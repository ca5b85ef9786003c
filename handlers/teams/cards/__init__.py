"""Adaptive Cards (schema 1.5) for Teams, by family: the update form and its answers (:mod:`.update`),
the reminder (:mod:`.reminder`), the progress digest (:mod:`.digest`), the meetings (:mod:`.meetings`),
the committee paper (:mod:`.report`), the risk and issue form (:mod:`.raid`), the decision and action forms
(:mod:`.registers`), search results (:mod:`.search`) and help (:mod:`.help`), all built from :mod:`.pieces`.

Pure functions from the services' plain values to the JSON dicts Teams takes; nothing here sends. Teams
refuses an activity over about 28 KB, so each card stays under :data:`MAX_CARD_BYTES` (as ASCII-escaped
JSON): a digest is split across cards and long officer text across blocks, nothing cut off. Buttons carry
``data`` with an ``action`` (:mod:`handlers.teams.messages`) and plain integer ids, looked up again
within the workspace.
"""

from handlers.teams.cards.chase import ACTION_MARK_DONE
from handlers.teams.cards.digest import (
    EXCEPTIONS_PREVIEW,
    POSTED_FOOTER,
    PREVIEW_FOOTER,
    detail_cards,
    digest_cards,
    exceptions_cards,
    summary_cards,
)
from handlers.teams.cards.help import help_card
from handlers.teams.cards.meetings import closures_card, meetings_card
from handlers.teams.cards.pieces import (
    ACTION_NO_CHANGE,
    ACTION_OPEN_FORM,
    ACTION_SNOOZE,
    ACTION_UPDATE_SUBMIT,
    MAX_CARD_BYTES,
    card_size,
    notice_card,
    plain_message,
)
from handlers.teams.cards.raid import ACTION_RAID_SUBMIT, raid_form
from handlers.teams.cards.registers import ACTION_ACTION_SUBMIT, ACTION_DECISION_SUBMIT, action_form, decision_form
from handlers.teams.cards.reminder import reminder_card
from handlers.teams.cards.report import (
    ACTION_NARRATIVE_SUBMIT,
    narrative_form,
    narrative_saved_card,
    report_card,
    signed_card,
)
from handlers.teams.cards.search import ACTION_SEARCH_MORE, search_card
from handlers.teams.cards.update import mine_card, no_change_card, saved_card, update_form

__all__ = [
    "ACTION_ACTION_SUBMIT",
    "ACTION_DECISION_SUBMIT",
    "ACTION_MARK_DONE",
    "ACTION_NARRATIVE_SUBMIT",
    "ACTION_NO_CHANGE",
    "ACTION_OPEN_FORM",
    "ACTION_RAID_SUBMIT",
    "ACTION_SEARCH_MORE",
    "ACTION_SNOOZE",
    "ACTION_UPDATE_SUBMIT",
    "EXCEPTIONS_PREVIEW",
    "MAX_CARD_BYTES",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "action_form",
    "card_size",
    "closures_card",
    "decision_form",
    "detail_cards",
    "digest_cards",
    "exceptions_cards",
    "help_card",
    "meetings_card",
    "mine_card",
    "narrative_form",
    "narrative_saved_card",
    "no_change_card",
    "notice_card",
    "plain_message",
    "raid_form",
    "reminder_card",
    "report_card",
    "saved_card",
    "search_card",
    "signed_card",
    "summary_cards",
    "update_form",
]
