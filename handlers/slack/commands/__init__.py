from __future__ import annotations

from slack_bolt import App

from handlers.slack.commands.ict_assurance import handle_ict_assurance
from handlers.slack.commands.ict_digest import handle_ict_digest
from handlers.slack.commands.ict_meeting import handle_ict_meeting
from handlers.slack.commands.ict_project import handle_ict_project
from handlers.slack.commands.ict_raid import handle_ict_issue, handle_ict_risk
from handlers.slack.commands.ict_registers import handle_ict_action, handle_ict_decision
from handlers.slack.commands.ict_report import handle_ict_report
from handlers.slack.commands.ict_role import handle_ict_role
from handlers.slack.commands.ict_search import COMMAND as SEARCH_COMMAND
from handlers.slack.commands.ict_search import handle_ict_search
from handlers.slack.commands.ict_update import COMMAND as UPDATE_COMMAND
from handlers.slack.commands.ict_update import handle_ict_update


def register(app: App) -> None:
    app.command(UPDATE_COMMAND)(handle_ict_update)
    app.command("/ict-project")(handle_ict_project)
    app.command("/ict-meeting")(handle_ict_meeting)
    app.command("/ict-digest")(handle_ict_digest)
    app.command("/ict-role")(handle_ict_role)
    app.command("/ict-report")(handle_ict_report)
    app.command("/ict-assurance")(handle_ict_assurance)
    app.command("/ict-risk")(handle_ict_risk)
    app.command("/ict-issue")(handle_ict_issue)
    app.command("/ict-decision")(handle_ict_decision)
    app.command("/ict-action")(handle_ict_action)
    app.command(SEARCH_COMMAND)(handle_ict_search)
