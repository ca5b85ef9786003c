"""Suggestions for the searchable project menu (used when the Work Plan outgrows a static menu)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from bot.services import projects
from handlers.slack.blocks.ui import project_option_groups
from handlers.slack.context import runtime_of, user_of, workspace_unit


def handle_project_search(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    with workspace_unit(runtime_of(context), body) as (session, ws):
        views = projects.list_projects(session, ws)
    groups = project_option_groups(views, user_of(body), query=str(body.get("value", "")))
    ack(option_groups=[g.to_dict() for g in groups])
