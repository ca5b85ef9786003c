from __future__ import annotations

from slack_bolt import App

from handlers.slack.blocks.raid import RAID_MODAL
from handlers.slack.blocks.report import NARRATIVE_MODAL
from handlers.slack.blocks.ui import UPDATE_MODAL
from handlers.slack.modal_assurance import ASSURANCE_MODAL, handle_assurance_submission
from handlers.slack.modal_raid import handle_raid_submission
from handlers.slack.modal_registers import (
    ACTION_MODAL,
    DECISION_MODAL,
    handle_action_submission,
    handle_decision_submission,
)
from handlers.slack.modal_report import handle_narrative_submission
from handlers.slack.views.update_submission import handle_update_submission


def register(app: App) -> None:
    app.view(UPDATE_MODAL)(handle_update_submission)
    app.view(NARRATIVE_MODAL)(handle_narrative_submission)
    app.view(ASSURANCE_MODAL)(handle_assurance_submission)
    app.view(RAID_MODAL)(handle_raid_submission)
    app.view(DECISION_MODAL)(handle_decision_submission)
    app.view(ACTION_MODAL)(handle_action_submission)
