"""`ictbot shell`: the local console, which drives the bot through the stand-ins of bot.dev.

The only CLI module that imports bot.dev, and only when the shell starts (the shell loads Bolt and
the stand-ins). `ictbot run` comes here when no token is set.
"""

from __future__ import annotations

from typing import NoReturn

import click

from bot.cli.common import read_settings, safe_url
from bot.cli.options import check_user
from bot.settings import LOCAL_TEAM_ID, Settings

LOCAL_USER = "U0LOCAL01"
# The shells' own databases when DATABASE_URL is not set, so that trying the bot never adds its demo
# workspace (or the Teams shell's tenant) to the database the other commands and the real bot use.
SHELL_DATABASES = {"slack": "sqlite:///ictbot-local.db", "teams": "sqlite:///ictbot-local-teams.db"}


def shell_settings(settings: Settings, platform: str) -> tuple[Settings, str]:
    """The settings the shell runs with, and a line saying which database it uses and why."""
    demo = f"its demo workspace ({LOCAL_TEAM_ID})" if platform == "slack" else "its demo tenant"
    if "DATABASE_URL" in settings.model_fields_set:
        url = safe_url(settings.DATABASE_URL)
        return settings, f"The shell uses the database DATABASE_URL names, {url}, and keeps {demo} there."
    url = SHELL_DATABASES[platform]
    note = f"The shell keeps {demo} in its own database, {url}; set DATABASE_URL to use another."
    return settings.model_copy(update={"DATABASE_URL": url}), note


def open_shell(ctx: click.Context, settings: Settings, user: str, platform: str = "slack") -> NoReturn:
    """Run the shell until it ends, and exit with its status."""
    from bot.dev.shell import run_shell  # Bolt and the stand-ins: only loaded for the shell

    settings, note = shell_settings(settings, platform)
    click.echo(note, err=True)
    ctx.exit(run_shell(settings, platform="teams") if platform == "teams" else run_shell(settings, user_id=user))


@click.command()
@click.option("--user", default=LOCAL_USER, show_default=True, callback=check_user, help="The Slack user ID you play.")
@click.option(
    "--platform",
    type=click.Choice(["slack", "teams"]),
    default="slack",
    show_default=True,
    help="The front end to drive: Slack's, or Microsoft Teams' (as Alex Officer; `:as N` to switch).",
)
@click.pass_context
def shell(ctx: click.Context, user: str, platform: str) -> None:
    """The local console: drive the bot with no Slack workspace (or Teams tenant) and see what it would post."""
    open_shell(ctx, read_settings(), user, platform)
