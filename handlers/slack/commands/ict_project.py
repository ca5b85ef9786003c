"""`/ict-project`: list the Work Plan; admins add, reassign, close, complete and reopen projects."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput
from bot.literal import literal
from bot.render.jinja import render
from bot.runtime import Runtime
from bot.services import projects, roles
from bot.services import strategy as strategy_service
from bot.wording import Text
from handlers.slack.context import runtime_of, subcommand, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.replies import answer
from models import ProjectStatus

SUBCOMMANDS = ("list", "add", "reassign", "close", "complete", "reopen", "help")
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
            include_closed = bool(args) and args[0].lower() == "all"
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
        roles.require_admin(session, ws, user_id, rt.settings.admins_for(ws.external_id), f"{sub} projects")
        message = _change(rt, session, ws, sub, args, user_id)
    answer(respond, message)


def _change(rt: Runtime, session: Any, ws: Any, sub: str, args: list[str], user_id: str) -> str:
    now = rt.now()
    if sub == "add":
        if len(args) < 4:
            raise InvalidInput(
                "Usage: `/ict-project add REF PRIORITY @owner Title of the project`, "
                "e.g. `/ict-project add NET-02 ARCH @jo Wi-Fi refresh`."
            )
        owner = parse_user(args[2], "owner")
        p = projects.add(
            session, ws, ref=args[0], priority=args[1], owner=owner, title=" ".join(args[3:]), now=now, actor=user_id
        )
        under = literal(p.priority.name) if p.priority else "no priority"
        return f"Added `{literal(p.ref)}` {literal(p.title)} under {under}, owned by <@{owner}>."
    if len(args) < 1 or (sub == "reassign" and len(args) < 2):
        usage = "/ict-project reassign REF @new-owner" if sub == "reassign" else f"/ict-project {sub} REF"
        raise InvalidInput(f"Usage: `{usage}`.")
    if sub == "reassign":
        owner = parse_user(args[1], "new owner")
        p, previous = projects.reassign(session, ws, args[0], owner, now=now, actor=user_id)
        return f"`{literal(p.ref)}` {literal(p.title)} now belongs to <@{owner}> (was <@{previous}>)."
    if sub == "reopen":
        p = projects.reopen(session, ws, args[0], now=now, actor=user_id)
        return f"`{literal(p.ref)}` {literal(p.title)} is open again: it takes updates and is chased for them."
    status = ProjectStatus.CLOSED if sub == "close" else ProjectStatus.COMPLETE
    p = projects.set_status(session, ws, args[0], status, now=now, tz=rt.settings.timezone, actor=user_id)
    verb = "closed: it is no longer chased for updates" if sub == "close" else "marked complete"
    return f"`{literal(p.ref)}` {literal(p.title)} is {verb}."


handle_ict_project = command_listener("/ict-project", _ict_project)
