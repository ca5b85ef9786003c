"""`ictbot meetings`: the governance meetings from the workspace's series, listed, made, or as iCalendar."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from bot.cli.common import emit, make_console, open_workspace, workspace_label
from bot.cli.options import output_option, team_command
from bot.literal import visible
from bot.render.ics import to_ics
from bot.services import meetings as meeting_service
from bot.settings import Settings
from models import MeetingSeries, Workspace


@click.group()
def meetings() -> None:
    """The governance group's meetings, from the workspace's series (see `/ict-meeting` in Slack)."""


def _to_come(
    session: Session, ws: Workspace, now: datetime, settings: Settings, *, include_dropped: bool
) -> tuple[MeetingSeries, list[meeting_service.MeetingView]]:
    """The workspace's series and its meetings after ``now``, the series materialised first."""
    tz_name = settings.ICTBOT_TIMEZONE
    meeting_service.materialise(session, ws, now=now, default_timezone=tz_name)
    series = meeting_service.get_series(session, ws, now=now, default_timezone=tz_name)
    return series, meeting_service.upcoming(session, ws, now, include_dropped=include_dropped)


@team_command(meetings.command("list"), creates=False)
@click.option("--all", "include_dropped", is_flag=True, help="Include meetings the series no longer gives.")
def meetings_list(ctx: click.Context, include_dropped: bool, team: str | None) -> None:
    """The meetings to come, in the workspace's time zone (the series is materialised first), and the closure
    days to come, which the meetings move off."""
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        series_row, views = _to_come(session, ws, rt.now(), rt.settings, include_dropped=include_dropped)
        series = meeting_service.series_view(series_row)
        today = rt.now().astimezone(ZoneInfo(series.timezone)).date()
        closures = meeting_service.closures(session, ws, start=today)
        label = workspace_label(ws)
    table = Table(title=f"Meetings of workspace {label} ({series.timezone})", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Date", "Time", "Status", "Rule's date", "Note"):
        table.add_column(column, no_wrap=column != "Note")
    for m in views:
        status = m.status.value + (", moved" if m.moved else "")
        table.add_row(
            Text(m.local_start.strftime("%a %Y-%m-%d")),
            Text(m.local_start.strftime("%H:%M %Z")),
            Text(status, style="" if m.status.value == "scheduled" else "dim"),
            Text(m.occurrence.isoformat() if m.shifted else ""),
            Text(visible(m.note)),
        )
    console = make_console()
    console.print(table)
    console.print(
        Text(
            f"Series: {series.rrule} at {series.local_time:%H:%M} {series.timezone}, "
            f"bank holidays of {series.region_name}."
        )
    )
    console.print(_closures(closures, series.region_name))


def _closures(closures: dict[date, str], region_name: str) -> Group | Text:
    """The closure days to come with their reasons, shown as typed: the days the series' meetings move off."""
    if not closures:
        return Text("No closure days to come (`/ict-meeting closure add YYYY-MM-DD reason` adds one).")
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Date", no_wrap=True)
    table.add_column("Reason")
    for day, reason in closures.items():
        table.add_row(Text(day.strftime("%a %Y-%m-%d")), Text(visible(reason)))
    heading = f"Closure days to come (meetings move off them, as off the bank holidays of {region_name}):"
    return Group(Text(), Text(heading), table)


@team_command(meetings.command("generate"), creates=True)
def meetings_generate(ctx: click.Context, team: str | None) -> None:
    """Materialise the series about twelve months ahead now (the bot also does it when asked)."""
    with open_workspace(ctx, team, create=True) as (rt, session, ws):
        result = meeting_service.materialise(session, ws, now=rt.now(), default_timezone=rt.settings.ICTBOT_TIMEZONE)
        label = workspace_label(ws)
    click.echo(
        f"Meetings of workspace {label}: {result.created} created, {result.updated} re-timed, {result.dropped} dropped."
    )


@team_command(meetings.command("export"), creates=False)
@click.option("--format", "fmt", type=click.Choice(["ics"]), default="ics", show_default=True, help="Output format.")
@output_option()
def meetings_export(ctx: click.Context, fmt: str, output: Path | None, team: str | None) -> None:
    """The meetings to come as an iCalendar file (RFC 5545) for Outlook or Google Calendar.

    Each meeting keeps its UID when it moves, and cancelled (or dropped) meetings are exported with
    STATUS:CANCELLED, so importing a newer export updates the calendar instead of duplicating it.
    """
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        now = rt.now()
        series, views = _to_come(session, ws, now, rt.settings, include_dropped=True)
        body = to_ics(
            views,
            team_id=ws.external_id,
            timezone=series.timezone,
            duration_minutes=series.duration_minutes,
            stamp=now,
        )
    if emit(output, body.encode("utf-8")):
        click.echo(f"Wrote {len(views)} meetings to {output}.", err=True)
