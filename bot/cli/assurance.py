"""`ictbot assurance`: load the assurance calendar from YAML (checked whole) and list it.

A file that is wrong in any way loads nothing: one line on stderr says where and why, exit status 2.
See bot/data/assurance_example.yaml for every key, commented.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from bot.cli.common import CliFailure, make_console, open_workspace, read_text, simple_table, workspace_label
from bot.cli.options import team_command
from bot.errors import InvalidInput
from bot.services import people
from bot.services.assurance import loader, results
from bot.services.meetings import workspace_timezone

EXAMPLE = "bot/data/assurance_example.yaml"


class BadFile(CliFailure):
    """An assurance file that is wrong: nothing loaded, exit status 2."""

    exit_code = 2


@click.group()
def assurance() -> None:
    """The assurance calendar: PCI DSS tests, the PSN submission, internal audits, with their owners."""


@team_command(assurance.command("load"), creates=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def assurance_load(ctx: click.Context, file: Path, team: str | None) -> None:
    """Load the obligations of the YAML FILE (see bot/data/assurance_example.yaml).

    A code already loaded is updated in place; one the file no longer has is retired (its results stay).
    An unknown key, owner or priority is refused, and nothing is loaded.
    """
    text = read_text(file.read_bytes(), file.name)
    try:
        with open_workspace(ctx, team, create=True) as (rt, session, ws):
            done = loader.load(session, ws, text, rt.now())
            label = workspace_label(ws)
    except InvalidInput as exc:
        raise BadFile(f"{file.name}: {exc.message} Nothing was loaded.") from None
    parts = [
        f"{len(codes)} {what}"
        for codes, what in (
            (done.added, "added"),
            (done.updated, "updated"),
            (done.unchanged, "unchanged"),
            (done.retired, "retired"),
            (done.restored, "brought back"),
        )
        if codes
    ]
    click.echo(f"Loaded the assurance calendar of workspace {label} from {file.name}: {', '.join(parts) or 'empty'}.")


@team_command(assurance.command("list"), creates=False)
def assurance_list(ctx: click.Context, team: str | None) -> None:
    """Every obligation: owner, priority, next due date, last result, and whether it is overdue or failed."""
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        today = rt.now().astimezone(workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)).date()
        views = results.list_view(session, ws, today)
        names = people.names(session, ws, [v.owner_user_id for v in views])
        label = workspace_label(ws)
    console = make_console()
    if not views:
        console.print(
            Text(f"Workspace {label} has no assurance obligations; load them with `ictbot assurance load {EXAMPLE}`.")
        )
        return
    table = simple_table(f"Assurance calendar of workspace {label}")
    for column in ("Code", "Name", "Owner", "Priority", "Next due", "Last result", "Attention"):
        table.add_column(column)
    for v in views:
        last = f"{v.last_outcome.value} ({v.last_day.isoformat()})" if v.last_outcome and v.last_day else "—"
        attention = ", ".join(w for w, on in (("overdue", v.overdue), ("failed", v.failed)) if on)
        table.add_row(
            Text(v.code),
            Text(v.name),
            Text(people.labelled(names, v.owner_user_id)),
            Text(v.priority_code),
            Text(v.next_due.isoformat() if v.next_due else "—"),
            Text(last),
            Text(attention, style="red" if attention else ""),
        )
    console.print(table)
