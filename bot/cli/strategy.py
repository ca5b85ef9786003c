"""`ictbot strategy`: load the ICT strategy from YAML, list every strategy with its priorities, and make
an earlier one active again."""

from __future__ import annotations

from pathlib import Path

import click
from rich.text import Text

from bot.cli.common import make_console, open_workspace, read_text, workspace_label
from bot.cli.options import team_command
from bot.services import strategy as strategy_service


@click.group()
def strategy() -> None:
    """The ICT strategy and its priorities. One is active; earlier ones stay readable."""


@team_command(strategy.command("load"), creates=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def strategy_load(ctx: click.Context, file: Path, team: str | None) -> None:
    """Load a strategy from a YAML FILE and make it the active one.

    The file has a `name`, an optional `period` and `description`, an optional list of `aims`
    (text), and a list of `priorities`, each with a `code`, a `name` and an optional `description`
    (see bot/data/*.yaml). Any other key is refused, and nothing is loaded.
    """
    data = strategy_service.parse_yaml(read_text(file.read_bytes(), file.name))
    with open_workspace(ctx, team, create=True) as (rt, session, ws):
        loaded = strategy_service.load(session, ws, data, now=rt.now())
        name, count, label = loaded.name, len(loaded.priorities), workspace_label(ws)
        aims = len(loaded.aims)
        others = [s.name for s in strategy_service.all_strategies(session, ws) if s.name != name]
    held = f"{count} priorities, {_aims(aims)}" if aims else f"{count} priorities"
    click.echo(f"Loaded {name} ({held}) into workspace {label}; it is now the active strategy.")
    if others:
        click.echo(f"Earlier strategies are kept and readable: {'; '.join(others)}.")


@team_command(strategy.command("list"), creates=False)
def strategy_list(ctx: click.Context, team: str | None) -> None:
    """Every strategy, oldest first, the active one marked, with its priorities in order."""
    with open_workspace(ctx, team, create=False) as (_rt, session, ws):
        views = strategy_service.all_strategies(session, ws)
        label = workspace_label(ws)
    console = make_console()
    console.print(Text(f"Strategies of workspace {label}", style="bold"))
    for s in views:
        head = Text("* " if s.active else "  ")
        head.append(s.name, style="bold" if s.active else "")
        if s.period:
            head.append(f" ({s.period})")
        head.append(" [active]" if s.active else " [inactive]", style="green" if s.active else "dim")
        head.append(f"  {_aims(len(s.aims))}", style="dim")
        console.print(head)
        width = max(len(p.code) for p in s.priorities) if s.priorities else 0
        for i, p in enumerate(s.priorities, start=1):
            console.print(Text(f"    {i}. {p.code.ljust(width)}  {p.name}"))


@team_command(strategy.command("activate"), creates=False)
@click.argument("name")
def strategy_activate(ctx: click.Context, name: str, team: str | None) -> None:
    """Make the earlier strategy called NAME the active one again (see `ictbot strategy list`).

    The others become inactive, all in one transaction; projects keep their priorities.
    """
    with open_workspace(ctx, team, create=False, writes=True) as (_rt, session, ws):
        view, changed = strategy_service.activate(session, ws, name)
        label = workspace_label(ws)
    if changed:
        click.echo(f"{view.name} is now the active strategy of workspace {label}.")
    else:
        click.echo(f"{view.name} is already the active strategy of workspace {label}; nothing changed.")


def _aims(n: int) -> str:
    return "no aims" if n == 0 else "1 aim" if n == 1 else f"{n} aims"
