from __future__ import annotations

from slack_bolt import App

from handlers.slack.actions.action_done import handle_action_done
from handlers.slack.actions.digest_trends import handle_trends_button
from handlers.slack.actions.edit_update import handle_edit_update
from handlers.slack.actions.history_button import handle_history_button
from handlers.slack.actions.reminder_buttons import handle_no_change, handle_post_update, handle_snooze
from handlers.slack.actions.search_more import handle_search_more
from handlers.slack.blocks.chase import ACTION_DONE
from handlers.slack.blocks.report import NARRATIVE_BUTTONS
from handlers.slack.blocks.search import MORE_ACTION as SEARCH_MORE_ACTION
from handlers.slack.blocks.trends import TRENDS_ACTION
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, HISTORY_ACTION
from handlers.slack.delivery.assurance import RECORD_RESULT_ACTION
from handlers.slack.delivery.reminders import NO_CHANGE_ACTION, POST_UPDATE_ACTION, SNOOZE_ACTION
from handlers.slack.modal_assurance import handle_record_result_button
from handlers.slack.modal_report import handle_narrative_button


def register(app: App) -> None:
    app.action(EDIT_UPDATE_ACTION)(handle_edit_update)
    app.action(POST_UPDATE_ACTION)(handle_post_update)
    app.action(NO_CHANGE_ACTION)(handle_no_change)
    app.action(SNOOZE_ACTION)(handle_snooze)
    app.action(NARRATIVE_BUTTONS)(handle_narrative_button)
    app.action(RECORD_RESULT_ACTION)(handle_record_result_button)
    app.action(ACTION_DONE)(handle_action_done)
    app.action(TRENDS_ACTION)(handle_trends_button)
    app.action(SEARCH_MORE_ACTION)(handle_search_more)
    app.action(HISTORY_ACTION)(handle_history_button)
