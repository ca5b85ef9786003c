"""`ictbot projects`: import the Work Plan from CSV (all rows or none), list it, and show a project's history."""

from __future__ import annotations

from typing import IO, NoReturn

import click
from rich.text import Text

from bot.cli.common import (
    CliFailure,
    local_time,
    make_console,
    open_workspace,
    read_text,
    simple_table,
    workspace_label,
)
from bot.cli.options import team_command
from bot.cli.slack_api import slack_email_resolver, web_client
from bot.errors import ImportFailed
from bot.services import history as history_service
from bot.services import projects as project_service
from bot.wording import count
from models import ProjectField

RAG_STYLE = {"red": "bold red", "amber": "bold yellow", "green": "bold green"}


@click.group()
def projects() -> None:
    """The ICT Work Plan."""


@team_command(projects.command("import"), creates=True)
@click.argument("file", type=click.File("rb"))
def projects_import(ctx: click.Context, file: IO[bytes], team: str | None) -> None:
    """Import a Work Plan CSV (FILE, or - for standard input): all rows or none.

    Columns: ref, title, priority (code or name of the active strategy, any case), owner; optionally
    delegates (separated by ; or spaces), service_area, status, target_date (YYYY-MM-DD). Owners and
    delegates are Slack user IDs, or e-mail addresses looked up in Slack (needs SLACK_BOT_TOKEN).
    A row whose ref exists updates that project.
    """
    name = getattr(file, "name", "-")
    text = read_text(file.read(), name)
    try:
        with open_workspace(ctx, team, create=True) as (rt, session, ws):
            resolver = slack_email_resolver(web_client(rt.settings)) if rt.settings.SLACK_BOT_TOKEN else None
            summary = project_service.import_csv(session, ws, text, resolve_emails=resolver, now=rt.now())
            label = workspace_label(ws)
    except ImportFailed as exc:
        _import_failed(name, exc)
    click.echo(
        f"Imported {count(summary.created + summary.updated, 'project')} into workspace {label}: "
        f"{summary.created} created, {summary.updated} updated."
    )


def _import_failed(name: str, exc: ImportFailed) -> NoReturn:
    problems = [f"line {n}: {msg}" if n > 0 else msg for n, msg in exc.problems]
    if len(problems) == 1:  # one problem, one line
        raise CliFailure(f"Nothing was imported from {name}: {problems[0]}.")
    lines = [f"Nothing was imported from {name}; fix these and try again:", *(f"  {p}" for p in problems)]
    raise CliFailure("\n".join(lines))


@team_command(projects.command("list"), creates=False)
@click.option("--all", "include_closed", is_flag=True, help="Include complete and closed projects.")
def projects_list(ctx: click.Context, include_closed: bool, team: str | None) -> None:
    """The Work Plan in priority order, with each project's last update."""
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        views = project_service.list_projects(session, ws, include_closed=include_closed)
        label = workspace_label(ws)
        tz = rt.settings.timezone
    table = simple_table(f"Work Plan of workspace {label}")
    table.add_column("Ref", no_wrap=True)
    table.add_column("Prio", no_wrap=True)
    table.add_column("Title", ratio=1, min_width=16)
    table.add_column("Owner", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Last update", no_wrap=True)
    for v in views:
        status = Text(v.status.value.replace("_", " "))
        if v.target_date:
            status.append(f"\ndue {v.target_date.isoformat()}", style="dim")
        last = Text(v.last_update_at.astimezone(tz).date().isoformat() if v.last_update_at else "never")
        if v.last_rag:
            last.append(f" {v.last_rag.value}", style=RAG_STYLE.get(v.last_rag.value, ""))
        table.add_row(
            Text(v.ref),
            Text(v.priority_code or "-"),
            Text(v.title),
            Text("\n".join([v.owner, *(f"+{d}" for d in v.delegates)])),
            status,
            last,
        )
    console = make_console()
    console.print(table)
    console.print(Text(f"{count(len(views), 'project')}."))


@team_command(projects.command("history"), creates=False)
@click.argument("ref")
def projects_history(ctx: click.Context, ref: str, team: str | None) -> None:
    """Every recorded change of project REF, oldest first: when, who, through what, and what changed.

    Changes of status, owner, delegates, target date, title and priority are recorded from chat and from
    CSV imports. A project the bot knew before it kept history starts with the state it had then
    ("backfill"); what happened to it before is not known.
    """
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        project = project_service.get(session, ws, ref)
        events = history_service.of_project(session, ws, project)
        title = f"History of {project.ref} ({project.title}) in workspace {workspace_label(ws)}"
        settings = rt.settings
    table = simple_table(title)
    table.add_column("When", no_wrap=True)
    table.add_column("Who", no_wrap=True)
    table.add_column("Via", no_wrap=True)
    table.add_column("What changed", ratio=1, min_width=16)
    for e in events:
        table.add_row(Text(local_time(e.at, settings)), Text(e.actor or "-"), Text(e.via.value), Text(_change(e)))
    console = make_console()
    console.print(table)
    console.print(Text(f"{count(len(events), 'change')}."))


def _change(e: history_service.Event) -> str:
    if e.field is ProjectField.CREATED:
        return f"created as {_value(e.field, e.new)}"
    return f"{e.field.value.replace('_', ' ')}: {_value(e.field, e.old)} → {_value(e.field, e.new)}"


def _value(field: ProjectField, value: str) -> str:
    if not value:
        return "none"
    if field in (ProjectField.CREATED, ProjectField.STATUS):
        return value.replace("_", " ")
    if field is ProjectField.DELEGATES:
        return ", ".join(value.split(","))
    return value
