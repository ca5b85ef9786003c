"""The options the commands share: --team, --output, user IDs, times and dates.

Each value is checked as click parses it; one no command could use stops with one line naming the
option. Nothing here opens the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli.common import ConfigFailure
from bot.settings import GUID, LOCAL_TEAM_ID, SLACK_TEAM_ID, SLACK_USER_ID, Settings

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
D = TypeVar("D", bound=date)  # a date, or a datetime

TEAM_HELP_WRITE = (
    "Slack team ID (T…) or Teams tenant ID; created if it is not in the database yet. Default: the only workspace "
    "in the database; when there is none, the team of SLACK_BOT_TOKEN (asked of Slack's auth.test). Never "
    f"{LOCAL_TEAM_ID}, the local shell's demo workspace."
)
TEAM_HELP_READ = "Slack team ID (T…), one already in the database. Default: the only workspace in the database."
TEAM_HELP_ALL = "Slack team ID (T…), one already in the database. Default: every workspace in the database."
OUTPUT_HELP = (
    "Write to this file instead of standard output (- for standard output). A file is replaced whole and keeps "
    "its mode; a symbolic link's target is written; a device or FIFO is written as it is."
)
# The years a time or date on the command line may fall in: the bot reckons meetings a year ahead and
# periods back from them, which the datetime module cannot do near its own ends (years 1 and 9999).
YEARS = (1900, 2999)


class OptionFailure(ConfigFailure):
    """A value an option cannot take: one line naming the option, exit status 2 as click's usage errors."""

    def __init__(self, ctx: click.Context, param: click.Parameter, message: str) -> None:
        super().__init__(f"Invalid value for {param.get_error_hint(ctx)}: {message}")


def _platform_id(value: str, slack_id: re.Pattern[str], refusal: str) -> str:
    """A Slack ID in capitals, or a Microsoft Teams GUID in lower case, as Teams sends it."""
    value = value.strip()
    if GUID.match(value):
        return value.lower()
    value = value.upper()
    if not slack_id.match(value):
        raise click.BadParameter(f"{value!r} is not {refusal}.")
    return value


def check_team(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A Slack team ID, or a Microsoft Teams tenant ID (a GUID)."""
    if value is None:
        return None
    return _platform_id(
        value, SLACK_TEAM_ID, "a Slack team ID such as T012ABCDEF, nor a Microsoft Teams tenant ID (a GUID)"
    )


def check_user(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A Slack user ID, or a Microsoft Teams user's Entra object ID (a GUID)."""
    return _platform_id(
        value, SLACK_USER_ID, "a Slack user ID such as U012ABCDEF, nor a Microsoft Teams user's Entra object ID"
    )


def team_command(
    command: Callable[[Callable[..., Any]], click.Command], *, creates: bool, every: bool = False
) -> Callable[[Callable[..., Any]], click.Command]:
    """``command`` (e.g. ``group.command("list")``) on the workspace --team names: the function gets the
    context first, and ``--team`` comes after the other options. ``creates`` says whether a team not
    yet in the database is created or refused, and ``every`` that without it the command covers
    every workspace."""
    help_text = TEAM_HELP_ALL if every else TEAM_HELP_WRITE if creates else TEAM_HELP_READ

    def decorate(f: Callable[..., Any]) -> click.Command:
        made = command(click.pass_context(f))
        made.params.append(click.Option(["--team"], metavar="TEAM_ID", callback=check_team, help=help_text))
        return made

    return decorate


def output_option(help_text: str = OUTPUT_HELP, *, required: bool = False) -> Decorator:
    # No checks of click's own: bot.files decides what the path is, and a problem is one line (see common.emit).
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path, allow_dash=True), required=required, help=help_text
    )


def _parsed(
    ctx: click.Context, param: click.Parameter, value: str | None, parse: Callable[[str], D], refusal: str
) -> D | None:
    """``value`` read by ``parse`` (a date or a time), in the years the bot can reckon with."""
    if value is None:
        return None
    try:
        parsed = parse(value.strip())
    except ValueError:
        raise OptionFailure(ctx, param, f"{value!r} is not {refusal}.") from None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise OptionFailure(ctx, param, f"{value!r} is out of range: give one in the years {YEARS[0]} to {YEARS[1]}.")
    return parsed


def _check_time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 date or time; naive until :func:`moment` puts it in ICTBOT_TIMEZONE."""
    refusal = "an ISO 8601 time such as 2026-12-01T09:30 (in ICTBOT_TIMEZONE) or 2026-12-01T09:30+00:00"
    return _parsed(ctx, param, value, datetime.fromisoformat, refusal)


def _check_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return _parsed(ctx, param, value, date.fromisoformat, "a date such as 2026-06-09 (YYYY-MM-DD)")


def moment(value: datetime, settings: Settings) -> datetime:
    """A time given on the command line, in UTC; one without an offset is in ICTBOT_TIMEZONE."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=settings.timezone)
    return value.astimezone(UTC)


def time_option(name: str, help_text: str) -> Decorator:
    return click.option(name, metavar="ISO-TIME", callback=_check_time, help=help_text)


def day_option(name: str, dest: str, help_text: str, *, required: bool = False) -> Decorator:
    return click.option(name, dest, metavar="DATE", callback=_check_day, required=required, help=help_text)
