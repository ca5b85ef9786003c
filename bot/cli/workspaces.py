"""`ictbot db` and `ictbot workspaces`: the schema, the workspaces a database serves, and purges."""

from __future__ import annotations

from datetime import timedelta

import click
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.cli.common import (
    DEMO_REFUSAL,
    database_failure,
    local_time,
    make_console,
    open_runtime,
    open_workspace,
    read_settings,
    safe_url,
    workspace_label,
)
from bot.cli.options import check_team
from bot.errors import DomainError
from bot.services import retention
from bot.services import workspaces as workspace_service
from bot.settings import GUID, LOCAL_TEAM_ID, Settings
from models import PurgeRecord, Workspace
from models.db import make_engine, schema_state, upgrade


@click.group()
def db() -> None:
    """The database schema (created and changed only by migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="The Alembic revision to upgrade to.")
def db_upgrade(revision: str) -> None:
    """Create the schema, or bring it to REVISION. Safe to run again."""
    settings = read_settings()
    url = settings.DATABASE_URL
    engine = make_engine(url)
    try:
        upgrade(url, revision)
        current = schema_state(engine).current
    except OperationalError as exc:
        raise database_failure(url, exc) from None
    finally:
        engine.dispose()
    click.echo(f"The database {safe_url(url)} is at revision {', '.join(sorted(current)) or 'base'}.")


@click.group("workspaces")
def workspaces_group() -> None:
    """The workspaces this database serves, their install state, and purges after uninstall."""


@workspaces_group.command("list")
@click.pass_context
def workspaces_list(ctx: click.Context) -> None:
    """Every workspace: installed, or uninstalled and when its data is purged (ICTBOT_RETENTION_DAYS)."""
    with open_runtime(ctx) as rt, rt.sessions() as session:
        rows = list(session.scalars(select(Workspace).order_by(Workspace.external_id)))
        table = Table(title="Workspaces", title_justify="left")
        for column in ("Team", "Name", "Since", "State"):
            table.add_column(column)
        for ws in rows:
            since = local_time(ws.created_at, rt.settings)
            table.add_row(Text(ws.external_id), Text(ws.name), Text(since), Text(_install_state(ws, rt.settings)))
    make_console().print(table if rows else Text("No workspaces yet."))


@workspaces_group.command("add")
@click.argument("team_id", callback=check_team)
@click.argument("name")
@click.pass_context
def workspaces_add(ctx: click.Context, team_id: str, name: str) -> None:
    """Create the workspace TEAM_ID (a Slack team ID, T…, or a Microsoft Teams tenant ID) called NAME, with
    the default strategy, for the other commands to work on. With one workspace in the database, they use it
    without --team. Refused when it exists already."""
    name = name.strip()
    if not name:
        raise DomainError('Give the workspace a name, e.g. `ictbot workspaces add T012ABCDEF "Darlington Council"`.')
    if team_id == LOCAL_TEAM_ID:
        raise DomainError(DEMO_REFUSAL)
    platform = "teams" if GUID.match(team_id) else "slack"
    with open_runtime(ctx) as rt, rt.sessions.begin() as session:
        found = workspace_service.find(session, team_id, platform)
        if found is not None:
            raise DomainError(f"Workspace {workspace_label(found)} is already in this database; nothing changed.")
        ws = workspace_service.get_or_create(session, team_id, name=name, now=rt.now(), platform=platform)
        label = workspace_label(ws)
    click.echo(f"Added workspace {label}, with the default strategy.")


def _install_state(ws: Workspace, settings: Settings) -> str:
    if ws.uninstalled_at is None:
        return "installed"
    purge_at = ws.uninstalled_at + timedelta(days=settings.ICTBOT_RETENTION_DAYS)
    return f"uninstalled {local_time(ws.uninstalled_at, settings)}; purged from {local_time(purge_at, settings)}"


@workspaces_group.command("purge")
@click.option("--team", "team", required=True, callback=check_team, help="The team (T…) whose data to delete.")
@click.option("--yes", is_flag=True, help="Confirm: delete everything the workspace holds, now.")
@click.pass_context
def workspaces_purge(ctx: click.Context, team: str, yes: bool) -> None:
    """Delete everything a workspace holds now (e.g. the council asks for its data to be erased),
    keeping only a record of the purge. Cannot be undone: `ictbot export` first if in doubt."""
    if not yes:
        raise DomainError(f"This deletes every record of workspace {team}; add --yes to confirm.")
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        purged = retention.purge(session, ws, now=rt.now(), reason="by an admin (ictbot workspaces purge)")
    click.echo(f"Purged workspace {purged.team_id} ({purged.name}): {_counts(purged.deleted)}.", err=True)


@workspaces_group.command("purged")
@click.pass_context
def workspaces_purged(ctx: click.Context) -> None:
    """The record of purged workspaces: which, when, why, and how many rows of each kind went."""
    with open_runtime(ctx) as rt, rt.sessions() as session:
        records = list(session.scalars(select(PurgeRecord).order_by(PurgeRecord.purged_at, PurgeRecord.id)))
        table = Table(title="Purged workspaces", title_justify="left")
        for column in ("Team", "Name", "Uninstalled", "Purged", "Why", "Rows deleted"):
            table.add_column(column)
        for r in records:
            table.add_row(
                Text(r.team_id),
                Text(r.name),
                Text(local_time(r.uninstalled_at, rt.settings)),
                Text(local_time(r.purged_at, rt.settings)),
                Text(r.reason),
                Text(_counts(r.deleted)),
            )
    make_console().print(table if records else Text("No workspace has been purged."))


def _counts(deleted: dict[str, int]) -> str:
    """How many rows of each table a purge deleted: ``3 meeting, 12 project``."""
    return ", ".join(f"{n} {t}" for t, n in sorted(deleted.items()))
