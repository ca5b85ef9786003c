"""`/ict-meeting`: anyone sees the next meetings; the chair and ICT admins move, cancel and set them."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.render import mrkdwn_message, render, unescape_slack
from bot.runtime import Runtime
from bot.services import meetings, roles
from handlers.chair_group import chair_group_lookup
from handlers.common import answer, runtime, team_name_of, team_of
from handlers.errors import answering_errors
from models import Workspace

SUBCOMMANDS = ("next", "list", "move", "cancel", "series", "reminders", "digest", "channel", "closure", "help")
CHANGES = ("move", "cancel", "series", "reminders", "digest", "channel", "closure")
REMINDERS_USAGE = (
    "Usage: `/ict-meeting reminders STAGES`: working days before the meeting @ time, e.g. "
    "`/ict-meeting reminders 5@09:30,1@09:30`."
)
DEFAULT_SHOWN = 3
MAX_SHOWN = 12
MOVE_USAGE = "Usage: `/ict-meeting move YYYY-MM-DD to YYYY-MM-DD [HH:MM] [note]`, e.g. `move 2027-01-12 to 2027-01-19`."
SERIES_USAGE = (
    "Usage: `/ict-meeting series RULE [at HH:MM] [timezone ZONE] [region ENG|WLS|SCT|NIR]`, "
    "e.g. `/ict-meeting series FREQ=MONTHLY;BYDAY=+2TU at 10:00`."
)
CLOSURE_USAGE = "Usage: `/ict-meeting closure add YYYY-MM-DD [reason]`, `closure remove YYYY-MM-DD` or `closure list`."


def handle_ict_meeting(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    ack()
    with answering_errors(respond, "/ict-meeting"):
        _ict_meeting(command, respond, client, context)


def _ict_meeting(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime(context)
    words = unescape_slack(command.get("text", "")).split()
    sub = words[0].lower() if words else "next"
    args = words[1:]
    user_id = command["user_id"]
    if sub == "help" or sub not in SUBCOMMANDS:
        prefix = "" if sub == "help" else f"`{sub}` is not an `/ict-meeting` sub-command.\n"
        answer(respond, mrkdwn_message(prefix) + render("meeting_help.mrkdwn.j2", max_shown=MAX_SHOWN))
        return
    with rt.unit(team_of(command), team_name=team_name_of(command)) as (session, ws):
        tz_name = rt.settings.ICTBOT_TIMEZONE
        meetings.materialise(session, ws, now=rt.now(), default_timezone=tz_name)
        if sub == "closure" and (not args or args[0].lower() == "list"):
            answer(respond, _closures(session, ws, rt, ""))
            return
        if sub in CHANGES:
            roles.require_chair_or_admin(
                session,
                ws,
                user_id,
                rt.settings.admins_for(ws.external_id),
                f"{sub} meetings",
                chair_group=chair_group_lookup(rt, client, ws.external_id),
            )
            headline = _change(rt, session, ws, sub, args, user_id)
            if sub == "closure":
                answer(respond, _closures(session, ws, rt, headline))
                return
            shown = DEFAULT_SHOWN
        else:
            headline = ""
            shown = _count(args)
        answer(respond, _listing(session, ws, rt, headline, shown))


def _count(args: list[str]) -> int:
    if not args:
        return DEFAULT_SHOWN
    if not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_SHOWN:
        raise InvalidInput(
            f"`{args[0]}` is not a number of meetings; give 1 to {MAX_SHOWN}, e.g. `/ict-meeting next 6`."
        )
    return int(args[0])


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


def _when(d: date, at: time | None = None) -> str:
    day = f"{d:%a} {d.day} {d:%b %Y}"
    return f"{day} at {at:%H:%M}" if at else day


def _change(rt: Runtime, session: Session, ws: Workspace, sub: str, args: list[str], user_id: str) -> str:
    now = rt.now()
    tz_name = rt.settings.ICTBOT_TIMEZONE
    if sub == "move":
        rest = list(args)
        if len(rest) >= 2 and rest[1].lower() == "to":
            del rest[1]
        if len(rest) < 2:
            raise InvalidInput(MOVE_USAGE)
        day = meetings.parse_date(rest[0], "meeting date")
        new_day = meetings.parse_date(rest[1], "new date")
        new_time = None
        note_words = rest[2:]
        if note_words and meetings.TIME.match(note_words[0]):
            new_time = meetings.parse_time(note_words[0])
            note_words = note_words[1:]
        view, was = meetings.move(
            session,
            ws,
            day,
            new_day,
            new_time,
            now=now,
            by=user_id,
            default_timezone=tz_name,
            note=" ".join(note_words),
        )
        was_local = was.astimezone(view.local_start.tzinfo)
        return (
            f"Moved the meeting of {_when(was_local.date(), was_local.time())} to "
            f"{_when(view.local_start.date(), view.local_start.time())}. The other meetings are unchanged."
        )
    if sub == "cancel":
        if not args:
            raise InvalidInput("Usage: `/ict-meeting cancel YYYY-MM-DD [reason]`.")
        day = meetings.parse_date(args[0], "meeting date")
        view = meetings.cancel(session, ws, day, now=now, by=user_id, default_timezone=tz_name, note=" ".join(args[1:]))
        return f"Cancelled the meeting of {_when(view.local_start.date(), view.local_start.time())}."
    if sub == "series":
        options = _series_options(args)
        meetings.set_series(session, ws, now=now, by=user_id, default_timezone=tz_name, **options)
        return "The meeting series is changed; meetings moved or cancelled by hand keep their change."
    if sub == "reminders":
        if len(args) != 1:
            raise InvalidInput(REMINDERS_USAGE)
        series = meetings.set_series(
            session, ws, now=now, by=user_id, default_timezone=tz_name, reminder_stages=args[0]
        )
        stages = ", ".join(
            f"{s.working_days_before} working day{'s' if s.working_days_before != 1 else ''} before at {s.at:%H:%M}"
            for s in series.reminder_stages
        )
        return f"Reminders now go out {stages}."
    if sub == "digest":
        if len(args) != 1:
            raise InvalidInput(
                "Usage: `/ict-meeting digest DAYS@HH:MM`, e.g. `/ict-meeting digest 1@12:00`: the digest is "
                "posted in the governance channel one working day before each meeting, at noon."
            )
        at = meetings.set_series(session, ws, now=now, by=user_id, default_timezone=tz_name, digest_stage=args[0])
        when = at.digest_stage
        days = f"{when.working_days_before} working day{'s' if when.working_days_before != 1 else ''}"
        where = "" if at.channel_id else " Set the channel with `/ict-meeting channel #channel`."
        return (
            f"The digest is now posted in the governance channel {days} before each meeting at {when.at:%H:%M}.{where}"
        )
    if sub == "channel":
        if len(args) != 1:
            raise InvalidInput("Usage: `/ict-meeting channel #channel`.")
        meetings.set_channel(session, ws, args[0], now=now, by=user_id, default_timezone=tz_name)
        return "The governance channel is set."
    # closure
    action = args[0].lower()
    if action not in ("add", "remove") or len(args) < 2:
        raise InvalidInput(CLOSURE_USAGE)
    day = meetings.parse_date(args[1], "closure day")
    if action == "add":
        added = meetings.add_closure(
            session, ws, day, " ".join(args[2:]), now=now, by=user_id, default_timezone=tz_name
        )
        if not added:
            return f"{_when(day)} is already a closure day; nothing changed."
        return f"Added {_when(day)} as a closure day; any meeting on it moves to the next working day."
    if not meetings.remove_closure(session, ws, day, now=now, default_timezone=tz_name):
        return f"{_when(day)} is not a closure day; nothing changed."
    return f"{_when(day)} is no longer a closure day."


def _series_options(args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    keys = {"at": "local_time", "timezone": "timezone", "tz": "timezone", "region": "region"}
    i = 0
    while i < len(args):
        word = args[i]
        key = keys.get(word.lower())
        if key is not None:
            if i + 1 >= len(args):
                raise InvalidInput(f"`{word}` needs a value. {SERIES_USAGE}")
            value = args[i + 1]
            options[key] = meetings.parse_time(value) if key == "local_time" else value
            i += 2
        elif "rrule" not in options and "=" in word:
            options["rrule"] = word
            i += 1
        else:
            raise InvalidInput(f"`{word}` is not understood here. {SERIES_USAGE}")
    if not options:
        raise InvalidInput(SERIES_USAGE)
    return options
