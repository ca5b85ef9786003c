"""`/ict-project`: list the Work Plan; admins add, reassign, close, complete and reopen projects.

The grammar and the changes are :mod:`bot.services.project_commands`, shared with Teams; here Slack's
mentions are read and the answers worded."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput
from bot.literal import literal
from bot.render.jinja import render
from bot.services import projects, roles
from bot.services import strategy as strategy_service
from bot.services.project_commands import SUBCOMMANDS, Changed, Naming, apply, change_name, lists_closed
from bot.wording import Text
from handlers.slack.context import runtime_of, subcommand, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.replies import answer

__all__ = ["SUBCOMMANDS", "handle_ict_project", "parse_user", "said"]

# With should_escape on (see manifest.yml) Slack sends a mention as <@U123|name>; a bare ID also works.
USER = re.compile(r"^(?:<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>|([UW][A-Z0-9]{2,}))$")


def parse_user(token: str, what: str) -> str:
    m = USER.match(token.strip())
    if not m:
        raise InvalidInput(
            Text(
                "`{typed}` is not a Slack user; give the {what} as an @mention, e.g. @jo.bloggs.",
                typed=token,
                what=what,
            )
        )
    return m.group(1) or m.group(2)


NAMING = Naming(owner="@owner", new_owner="@new-owner", example="@jo", read=parse_user)


def _ict_project(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    sub, args = subcommand(command, default="help")
    user_id = command["user_id"]
    with workspace_unit(rt, command) as (session, ws):
        strategy = strategy_service.active(session, ws)
        if sub == "help" or sub not in SUBCOMMANDS:
            prefix = "" if sub == "help" else f"`{literal(sub)}` is not an `/ict-project` sub-command.\n"
            answer(
                respond,
                prefix + render("project_help.mrkdwn.j2", priorities=strategy_service.priority_choices(strategy)),
            )
            return
        if sub == "list":
            include_closed = lists_closed(args)
            views = projects.list_projects(session, ws, include_closed=include_closed)
            answer(
                respond,
                render(
                    "projects.mrkdwn.j2",
                    projects=views,
                    groups=projects.group_by_priority(views),
                    include_closed=include_closed,
                    strategy_name=strategy.name,
                ),
            )
            return
        roles.require_admin(session, ws, user_id, rt.settings.admins_for(ws.external_id), change_name(sub))
        done = apply(session, ws, sub, args, NAMING, actor=user_id, now=rt.now(), tz=rt.settings.timezone)
    answer(respond, said(done))


def said(done: Changed) -> str:
    """What a change of the Work Plan did, in Slack's words (the owners as mentions)."""
    project = f"`{literal(done.ref)}` {literal(done.title)}"
    if done.sub == "add":
        under = literal(done.priority_name) if done.priority_name else "no priority"
        return f"Added {project} under {under}, owned by <@{done.owner}>."
    if done.sub == "reassign":
        return f"{project} now belongs to <@{done.owner}> (was <@{done.previous_owner}>)."
    if done.sub == "reopen":
        return f"{project} is open again: it takes updates and is chased for them."
    verb = "closed: it is no longer chased for updates" if done.sub == "close" else "marked complete"
    return f"{project} is {verb}."


handle_ict_project = command_listener("/ict-project", _ict_project)
