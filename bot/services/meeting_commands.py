"""The meeting sub-commands, platform-neutral: which there are, reading their words, applying a change.

Slack's ``/ict-meeting`` (:mod:`handlers.slack.commands.ict_meeting`) and Teams' ``meeting``
(:mod:`handlers.teams.messages`) both use this module; neither imports the other. It calls the services,
so it lives with the handlers rather than in ``bot``. Usage texts and headlines are
:class:`bot.wording.Text` templates that name the command as ``{meeting}``: each platform words them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services import meetings
from bot.services.meetings.parsing import TIME
from bot.wording import Text
from models import Workspace

__all__ = [
    "CHANGES",
    "CHANGE_NAMES",
    "CLOSURE_USAGE",
    "DEFAULT_SHOWN",
    "MAX_SHOWN",
    "MINUTES_USAGE",
    "MOVE_USAGE",
    "REMINDERS_USAGE",
    "SERIES_USAGE",
    "SUBCOMMANDS",
    "change",
    "count",
    "series_options",
    "when",
]

SUBCOMMANDS = (
    "next",
    "list",
    "move",
    "cancel",
    "series",
    "reminders",
    "digest",
    "channel",
    "closure",
    "minutes",
    "help",
)
CHANGES = ("move", "cancel", "series", "reminders", "digest", "channel", "closure")
# What each change does, worded to end "Only the chair or an ICT admin can …" (bot.services.roles).
CHANGE_NAMES = {
    "move": "move meetings",
    "cancel": "cancel meetings",
    "series": "change the meeting series",
    "reminders": "change when reminders go out",
    "digest": "change when the digest is posted",
    "channel": "set the governance channel",
    "closure": "add or remove closure days",
}
DEFAULT_SHOWN = 3
MAX_SHOWN = 12
# ``{meeting}`` is the platform's meeting command (see bot.wording).
REMINDERS_USAGE = Text(
    "Usage: `{meeting} reminders STAGES`: working days before the meeting @ time, e.g. "
    "`{meeting} reminders 5@09:30,1@09:30`."
)
MOVE_USAGE = Text(
    "Usage: `{meeting} move YYYY-MM-DD to YYYY-MM-DD [HH:MM] [note]`, e.g. `move 2027-01-12 to 2027-01-19`."
)
SERIES_USAGE = Text(
    "Usage: `{meeting} series RULE [at HH:MM] [timezone ZONE] [region ENG|WLS|SCT|NIR]`, "
    "e.g. `{meeting} series FREQ=MONTHLY;BYDAY=+2TU at 10:00`."
)
CLOSURE_USAGE = Text(
    "Usage: `{meeting} closure add YYYY-MM-DD [reason]`, `closure remove YYYY-MM-DD` or `closure list`."
)
CANCEL_USAGE = Text("Usage: `{meeting} cancel YYYY-MM-DD [reason]`.")
DIGEST_USAGE = Text(
    "Usage: `{meeting} digest DAYS@HH:MM`, e.g. `{meeting} digest 1@12:00`: the digest is "
    "posted in the governance channel one working day before each meeting, at noon."
)
CHANNEL_USAGE = Text("Usage: `{meeting} channel #channel`.")
MINUTES_USAGE = Text("Usage: `{meeting} minutes [YYYY-MM-DD]`, e.g. `{meeting} minutes 2026-12-08`.")


def count(args: list[str]) -> int:
    if not args:
        return DEFAULT_SHOWN
    if not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_SHOWN:
        raise InvalidInput(
            Text(
                "`{typed}` is not a number of meetings; give 1 to {most}, e.g. `{meeting} next 6`.",
                typed=args[0],
                most=MAX_SHOWN,
            )
        )
    return int(args[0])


def when(d: date, at: time | None = None) -> str:
    day = f"{d:%a} {d.day} {d:%b %Y}"
    return f"{day} at {at:%H:%M}" if at else day


def change(
    session: Session, ws: Workspace, sub: str, args: list[str], user_id: str, *, now: datetime, tz_name: str
) -> Text:
    """Apply the change sub-command ``sub`` (one of :data:`CHANGES`) with ``args``; the headline to show.

    The caller has checked that the user may change meetings."""
    return _APPLY[sub](_Change(session, ws, args, user_id, now, tz_name))


@dataclass(frozen=True, slots=True)
class _Change:
    """One change sub-command to apply: its words, who asked, and when."""

    session: Session
    ws: Workspace
    args: list[str]
    by: str
    now: datetime
    tz_name: str


def _move(c: _Change) -> Text:
    rest = list(c.args)
    if len(rest) >= 2 and rest[1].lower() == "to":
        del rest[1]
    if len(rest) < 2:
        raise InvalidInput(MOVE_USAGE)
    day = meetings.parse_date(rest[0], "meeting date")
    new_day = meetings.parse_date(rest[1], "new date")
    new_time = None
    note_words = rest[2:]
    if note_words and TIME.match(note_words[0]):
        new_time = meetings.parse_time(note_words[0])
        note_words = note_words[1:]
    view, was = meetings.move(
        c.session,
        c.ws,
        day,
        new_day,
        new_time,
        now=c.now,
        by=c.by,
        default_timezone=c.tz_name,
        note=" ".join(note_words),
    )
    was_local = was.astimezone(view.local_start.tzinfo)
    return Text.literal(
        f"Moved the meeting of {when(was_local.date(), was_local.time())} to "
        f"{when(view.local_start.date(), view.local_start.time())}. The other meetings are unchanged."
    )


def _cancel(c: _Change) -> Text:
    if not c.args:
        raise InvalidInput(CANCEL_USAGE)
    day = meetings.parse_date(c.args[0], "meeting date")
    view = meetings.cancel(
        c.session, c.ws, day, now=c.now, by=c.by, default_timezone=c.tz_name, note=" ".join(c.args[1:])
    )
    return Text.literal(f"Cancelled the meeting of {when(view.local_start.date(), view.local_start.time())}.")


def _series(c: _Change) -> Text:
    options = series_options(c.args)
    meetings.set_series(c.session, c.ws, now=c.now, by=c.by, default_timezone=c.tz_name, **options)
    return Text("The meeting series is changed; meetings moved or cancelled by hand keep their change.")


def _reminders(c: _Change) -> Text:
    if len(c.args) != 1:
        raise InvalidInput(REMINDERS_USAGE)
    series = meetings.set_series(
        c.session, c.ws, now=c.now, by=c.by, default_timezone=c.tz_name, reminder_stages=c.args[0]
    )
    stages = ", ".join(
        f"{s.working_days_before} working day{'s' if s.working_days_before != 1 else ''} before at {s.at:%H:%M}"
        for s in series.reminder_stages
    )
    return Text.literal(f"Reminders now go out {stages}.")


def _digest(c: _Change) -> Text:
    if len(c.args) != 1:
        raise InvalidInput(DIGEST_USAGE)
    at = meetings.set_series(c.session, c.ws, now=c.now, by=c.by, default_timezone=c.tz_name, digest_stage=c.args[0])
    stage = at.digest_stage
    days = f"{stage.working_days_before} working day{'s' if stage.working_days_before != 1 else ''}"
    where = "" if at.channel_id else " Set the channel with {set_channel}."
    return Text(
        f"The digest is now posted in the governance channel {days} before each meeting at {stage.at:%H:%M}.{where}"
    )


def _channel(c: _Change) -> Text:
    if len(c.args) != 1:
        raise InvalidInput(CHANNEL_USAGE)
    meetings.set_channel(c.session, c.ws, c.args[0], now=c.now, by=c.by, default_timezone=c.tz_name)
    return Text("The governance channel is set.")


def _closure(c: _Change) -> Text:
    action = c.args[0].lower()
    if action not in ("add", "remove") or len(c.args) < 2:
        raise InvalidInput(CLOSURE_USAGE)
    day = meetings.parse_date(c.args[1], "closure day")
    if action == "add":
        reason = " ".join(c.args[2:])
        if not meetings.add_closure(c.session, c.ws, day, reason, now=c.now, by=c.by, default_timezone=c.tz_name):
            return Text.literal(f"{when(day)} is already a closure day; nothing changed.")
        return Text.literal(f"Added {when(day)} as a closure day; any meeting on it moves to the next working day.")
    if not meetings.remove_closure(c.session, c.ws, day, now=c.now, default_timezone=c.tz_name):
        return Text.literal(f"{when(day)} is not a closure day; nothing changed.")
    return Text.literal(f"{when(day)} is no longer a closure day.")


_APPLY: dict[str, Callable[[_Change], Text]] = {
    "move": _move,
    "cancel": _cancel,
    "series": _series,
    "reminders": _reminders,
    "digest": _digest,
    "channel": _channel,
    "closure": _closure,
}


def series_options(args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    keys = {"at": "local_time", "timezone": "timezone", "tz": "timezone", "region": "region"}
    i = 0
    while i < len(args):
        word = args[i]
        key = keys.get(word.lower())
        if key is not None:
            if i + 1 >= len(args):
                raise InvalidInput(Text("`{typed}` needs a value. ", typed=word) + SERIES_USAGE)
            value = args[i + 1]
            options[key] = meetings.parse_time(value) if key == "local_time" else value
            i += 2
        elif "rrule" not in options and "=" in word:
            options["rrule"] = word
            i += 1
        else:
            raise InvalidInput(Text("`{typed}` is not understood here. ", typed=word) + SERIES_USAGE)
    if not options:
        raise InvalidInput(SERIES_USAGE)
    return options
