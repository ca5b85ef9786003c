"""`ictbot teams`: serve the bot for Microsoft Teams only, or build the app package to sideload.

bot.server and handlers.teams (the Teams SDK, PIL) are loaded only when one of these commands runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bot.cli.common import ConfigFailure, emit, read_settings
from bot.cli.options import output_option
from bot.errors import DomainError


def _check_guid_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from handlers.teams.package import check_guid  # handlers.teams and PIL: only for `ictbot teams`

    return _checked(check_guid, value)


def _check_url_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from handlers.teams.package import check_https_url  # handlers.teams and PIL: only for `ictbot teams`

    return _checked(check_https_url, value)


def _checked(check: Callable[..., str], value: str | None) -> str | None:
    """``value`` put through one of handlers.teams.package's checks; a refusal is click's usage error."""
    try:
        return None if value is None else check(value, what="It")
    except DomainError as exc:
        raise click.BadParameter(exc.message) from None


def _teams_client_id() -> str:
    """TEAMS_CLIENT_ID from the settings, or a ConfigFailure saying to set it or pass --app-id."""
    value = read_settings().TEAMS_CLIENT_ID
    if not value:
        raise ConfigFailure(
            "The Teams app needs the bot's ID: pass --app-id GUID or set TEAMS_CLIENT_ID "
            "(the Application (client) ID of the bot's Microsoft Entra app registration)."
        )
    return value


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=3978, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.pass_context
def teams(ctx: click.Context, host: str, port: int) -> None:
    """Microsoft Teams: on its own, run the bot for Teams only (needs TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET
    and TEAMS_TENANT_ID); `ictbot teams package` builds the app package to sideload."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.server import serve_teams  # the Teams SDK: only loaded to serve Teams

    serve_teams(read_settings(), host=host, port=port)


@teams.command("package")
@output_option("The zip file to write (e.g. ictbot-teams.zip), or - for standard output.", required=True)
@click.option(
    "--app-id",
    metavar="GUID",
    callback=_check_guid_option,
    help="The bot's Microsoft App ID (its Entra app registration's client ID). Default: TEAMS_CLIENT_ID.",
)
@click.option(
    "--website",
    required=True,
    metavar="URL",
    callback=_check_url_option,
    help="https:// page about the bot, shown in Teams' app details (e.g. the council's intranet page).",
)
@click.option(
    "--privacy", metavar="URL", callback=_check_url_option, help="https:// privacy notice. Default: --website."
)
@click.option("--terms", metavar="URL", callback=_check_url_option, help="https:// terms of use. Default: --website.")
@click.option("--name", default="ictbot", show_default=True, help="The app's name in Teams (at most 30 characters).")
@click.option(
    "--developer",
    default="ictbot",
    show_default=True,
    help="Who publishes the app, as Teams shows it (at most 32 characters), e.g. the council.",
)
def teams_package(
    output: Path,
    app_id: str | None,
    website: str,
    privacy: str | None,
    terms: str | None,
    name: str,
    developer: str,
) -> None:
    """Build the Teams app package (manifest.json and icons in a zip) to upload in Teams.

    The manifest declares the bot (its ID is TEAMS_CLIENT_ID, or --app-id) in personal chats, teams
    and group chats, with the command menu update, digest, meeting, mine and help. Upload the zip in
    Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.
    """
    from handlers.teams.package import AppDetails, app_version, build_package  # handlers.teams and PIL: as above

    details = AppDetails(
        app_id=app_id or _teams_client_id(),
        website=website,
        privacy=privacy or website,
        terms=terms or website,
        name=name,
        developer=developer,
        version=app_version(),
    ).checked()
    if not emit(output, build_package(details)):
        return
    click.echo(
        f"Wrote the Teams app package for bot {details.app_id} ({details.name} {details.version}) to {output}.",
        err=True,
    )
