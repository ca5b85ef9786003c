"""Suggestions for the searchable project menu (used when the Work Plan outgrows a static menu)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.services import projects
from handlers.slack.blocks.ui import project_option_groups
from handlers.slack.context import runtime_of, team_name_of, team_of, user_of


def handle_project_search(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    rt = runtime_of(context)
    with rt.unit(team_of(body), team_name=team_name_of(body)) as (session, ws):
        views = projects.list_projects(session, ws)
    groups = project_option_groups(views, user_of(body), query=str(body.get("value", "")))
    ack(option_groups=[g.to_dict() for g in groups])
