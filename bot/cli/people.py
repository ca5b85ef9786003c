"""`ictbot people`: the people directory, which turns user ids into names in every output.

``refresh`` reads the whole Slack workspace with ``users.list`` (SLACK_BOT_TOKEN, scope users:read);
the bot keeps it current on its own (a digest asks Slack about people not seen for a day, the
``user_change`` event, the name Teams sends with each message). ``list`` shows what it holds.
"""

from __future__ import annotations

import click
from rich.text import Text

from bot.cli.common import make_console, open_runtime, simple_table, workspace, workspace_label
from bot.cli.options import team_command
from bot.cli.slack_api import call_slack, web_client
from bot.errors import DomainError
from bot.services import people as people_service
from handlers.slack.people import every_member
from models import Workspace


@click.group()
def people() -> None:
    """Who each user id is: the names every output shows instead of ids."""


@team_command(people.command("refresh"), creates=True)
def people_refresh(ctx: click.Context, team: str | None) -> None:
    """Read everyone in the Slack workspace (users.list, every page) into the directory: the display
    name (else the real name) and the title of each. Needs SLACK_BOT_TOKEN."""
    with open_runtime(ctx) as rt:
        if rt.settings.SLACK_BOT_TOKEN is None:
            raise DomainError("`ictbot people refresh` reads the names from Slack: set SLACK_BOT_TOKEN.")
        with rt.sessions.begin() as session:
            ws = workspace(rt, session, team, create=True)
            if ws.platform != "slack":
                raise DomainError(
                    f"Workspace {workspace_label(ws)} is in Microsoft Teams: its names come from the people who "
                    "talk to the bot, not from Slack."
                )
            ws_id, label = ws.id, workspace_label(ws)
        client = web_client(rt.settings)
        members = call_slack("users.list", lambda: list(every_member(client)))
        now = rt.now()
        with rt.sessions.begin() as session:
            stored = people_service.record(session, session.get_one(Workspace, ws_id), members, now=now)
    click.echo(f"Read {_people(stored)} from Slack into the directory of workspace {label}.")


@team_command(people.command("list"), creates=False)
def people_list(ctx: click.Context, team: str | None) -> None:
    """Everyone in the directory: id, name, title, and where the name came from."""
    with open_runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = workspace(rt, session, team, create=False)
        entries = people_service.everyone(session, ws)
        label, platform = workspace_label(ws), "Teams" if ws.platform == "teams" else "Slack"
        tz = rt.settings.timezone
    console = make_console()
    if not entries:
        console.print(
            Text(f"The directory of workspace {label} is empty; `ictbot people refresh` fills it from Slack.")
        )
        return
    table = simple_table(f"People in workspace {label}")
    for column in ("User", "Name", "Title", "From"):
        table.add_column(column, no_wrap=column == "User")
    for p in entries:
        source = (
            f"{platform}, {p.refreshed_at.astimezone(tz).date().isoformat()}" if p.refreshed_at else "Work Plan CSV"
        )
        table.add_row(Text(p.user_id), Text(p.name), Text(p.title), Text(source))
    console.print(table)
    console.print(Text(f"{_people(len(entries))}."))


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"
