"""`/ict-meeting`: anyone sees the next meetings; the chair and ICT admins move, cancel and set them, and post
a meeting's minutes (:mod:`handlers.slack.commands.meeting_minutes`).

The sub-commands' parsing and changes are shared with Teams in :mod:`bot.services.meeting_commands`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.literal import literal
from bot.render.jinja import render
from bot.runtime import Runtime
from bot.services import meetings, roles
from bot.services.meeting_commands import CHANGE_NAMES, CHANGES, DEFAULT_SHOWN, MAX_SHOWN, SUBCOMMANDS, change, count
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.commands.meeting_minutes import post_minutes
from handlers.slack.context import runtime_of, subcommand, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.replies import answer
from handlers.slack.wording import SLACK
from models import Workspace


def _ict_meeting(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    sub, args = subcommand(command, default="next")
    user_id = command["user_id"]
    if sub == "help" or sub not in SUBCOMMANDS:
        prefix = "" if sub == "help" else f"`{literal(sub)}` is not an `/ict-meeting` sub-command.\n"
        answer(respond, prefix + render("meeting_help.mrkdwn.j2", max_shown=MAX_SHOWN))
        return
    if sub == "minutes":
        post_minutes(rt, command, args, client, respond)
        return
    with workspace_unit(rt, command) as (session, ws):
        tz_name = rt.settings.ICTBOT_TIMEZONE
        now = rt.now()
        meetings.materialise(session, ws, now=now, default_timezone=tz_name)
        if sub == "closure" and (not args or args[0].lower() == "list"):
            answer(respond, _closures(session, ws, rt, ""))
            return
        if sub in CHANGES:
            roles.require_chair_or_admin(
                session,
                ws,
                user_id,
                rt.settings.admins_for(ws.external_id),
                CHANGE_NAMES[sub],
                chair_group=chair_group_lookup(rt, client, ws.external_id),
            )
            headline = SLACK.marked(change(session, ws, sub, args, user_id, now=now, tz_name=tz_name))
            if sub == "closure":
                answer(respond, _closures(session, ws, rt, headline))
                return
            shown = DEFAULT_SHOWN
        else:
            headline = ""
            shown = count(args)
        answer(respond, _listing(session, ws, rt, headline, shown))


def _listing(session: Session, ws: Workspace, rt: Runtime, headline: str, shown: int) -> str:
    series = meetings.get_series(session, ws, now=rt.now(), default_timezone=rt.settings.ICTBOT_TIMEZONE)
    today = rt.now().astimezone(ZoneInfo(series.timezone)).date()
    return render(
        "meetings.mrkdwn.j2",
        headline=headline,
        meetings=meetings.next_meetings(session, ws, rt.now(), shown),
        series=meetings.series_view(series),
        closures=len(meetings.closures(session, ws, start=today)),
    )


def _closures(session: Session, ws: Workspace, rt: Runtime, headline: str) -> str:
    series = meetings.series_view(
        meetings.get_series(session, ws, now=rt.now(), default_timezone=rt.settings.ICTBOT_TIMEZONE)
    )
    today = rt.now().astimezone(ZoneInfo(series.timezone)).date()
    return render(
        "closures.mrkdwn.j2",
        headline=headline,
        closures=meetings.closures(session, ws, start=today),
        region_name=series.region_name,
    )


handle_ict_meeting = command_listener("/ict-meeting", _ict_meeting)
