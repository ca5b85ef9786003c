"""`ictbot roles`: grant, revoke and list the ICT admins and chairs, and the chairs' Slack user group."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from bot.cli.common import make_console, open_workspace, workspace_label
from bot.cli.options import check_user, team_command
from bot.errors import DomainError
from bot.services import people
from bot.services import roles as role_service
from models import Role

ROLE_OPTION = click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="The role to grant or revoke."
)


@click.group()
def roles() -> None:
    """ICT admins and chairs (also `/ict-role` in Slack). Admins in ICTBOT_ADMINS are admins without a grant.

    ICTBOT_ADMINS takes user IDs (U…, an admin in every workspace) and TEAM:USER pairs (T…:U…, an
    admin in that workspace only). The members of a Slack user group can be the chairs as well.
    """


@team_command(roles.command("grant"), creates=True)
@click.argument("user_id", callback=check_user)
@ROLE_OPTION
def roles_grant(ctx: click.Context, user_id: str, role: str, team: str | None) -> None:
    """Grant USER_ID (a Slack user ID, U…) a role."""
    with open_workspace(ctx, team, create=True) as (rt, session, ws):
        admins = rt.settings.admins_for(ws.external_id)
        granted = role_service.grant(session, ws, user_id, Role(role), by="cli", now=rt.now(), env_admins=admins)
        label, who = workspace_label(ws), people.labelled(people.names(session, ws, [user_id]), user_id)
    if granted:
        click.echo(f"Granted {role} to {who} in workspace {label}.")
    elif Role(role) is Role.ADMIN and user_id in admins:
        click.echo(f"{who} is already an admin in workspace {label} through ICTBOT_ADMINS; nothing changed.")
    else:
        click.echo(f"{who} already has {role} in workspace {label}; nothing changed.")


@team_command(roles.command("revoke"), creates=False)
@click.argument("user_id", callback=check_user)
@ROLE_OPTION
def roles_revoke(ctx: click.Context, user_id: str, role: str, team: str | None) -> None:
    """Revoke a role granted to USER_ID."""
    with open_workspace(ctx, team, create=False, writes=True) as (rt, session, ws):
        revoked = role_service.revoke(session, ws, user_id, Role(role), rt.settings.admins_for(ws.external_id))
        label, who = workspace_label(ws), people.labelled(people.names(session, ws, [user_id]), user_id)
    if revoked:
        click.echo(f"Revoked {role} from {who} in workspace {label}.")
    else:
        click.echo(f"{who} had no granted {role} role in workspace {label}; nothing changed.")


@team_command(roles.command("list"), creates=False)
def roles_list(ctx: click.Context, team: str | None) -> None:
    """Everyone with a role, and where the role comes from; the chairs' user group, if one is set."""
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        entries = role_service.list_roles(session, ws, rt.settings.admins_for(ws.external_id))
        names = people.names(session, ws, (e.user_id for e in entries))
        group = ws.chair_usergroup_id
        label = workspace_label(ws)
    table = Table(title=f"Roles in workspace {label}", title_justify="left")
    for column in ("User", "Role", "Source"):
        table.add_column(column)
    for e in entries:
        table.add_row(Text(people.labelled(names, e.user_id)), Text(e.role.value), Text(e.source))
    if group:
        table.add_row(Text(group), Text(Role.CHAIR.value), Text("every member of this Slack user group"))
    console = make_console()
    if entries or group:
        console.print(table)
    else:
        console.print(Text(f"Nobody in workspace {label} has a role; set ICTBOT_ADMINS or `ictbot roles grant`."))


@team_command(roles.command("chairs-group"), creates=True)
@click.argument("group", metavar="USERGROUP_ID|none")
def roles_chairs_group(ctx: click.Context, group: str, team: str | None) -> None:
    """Make the members of a Slack user group (its ID, S…) chairs as well; `none` for no group.

    The user group's ID is in its link in Slack ("Copy link" on the group), or ask Slack's
    usergroups.list. The bot reads the members with usergroups.users.list (scope usergroups:read).
    """
    try:
        group_id = role_service.parse_usergroup_id(group)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="USERGROUP_ID") from None
    with open_workspace(ctx, team, create=True) as (_rt, _session, ws):
        changed = role_service.set_chair_usergroup(ws, group_id)
        label = workspace_label(ws)
    if not changed and group_id:
        click.echo(f"The members of user group {group_id} already are chairs in workspace {label}; nothing changed.")
    elif not changed:
        click.echo(f"No user group stands for the chairs in workspace {label}; nothing changed.")
    elif group_id:
        click.echo(f"The members of user group {group_id} are now chairs in workspace {label}.")
    else:
        click.echo(f"No user group stands for the chairs in workspace {label} any more; granted chairs remain.")
