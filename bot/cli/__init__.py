"""The ``ictbot`` command line: the main group, and the command groups registered under it.

Settings come from the environment and ``.env`` (``bot.settings``; `ictbot config` lists them); a
missing or malformed one stops the command with one line naming it (exit status 2). A refused request
(an unknown team, a bad CSV row, a strategy name already used) prints what to put right and exits with
status 1. Secrets are never printed.

The commands only wire and format: the work is done by the services in ``bot.services``, which are
given the time from the runtime's clock (bot.cli.common opens the runtime). bot.dev is imported by
the shell command (bot.cli.dev) alone.
"""

from __future__ import annotations

from typing import Any

import click

from bot.cli import (
    assurance,
    config,
    dev,
    digest,
    meetings,
    minutes,
    people,
    projects,
    reminders,
    report,
    roles,
    serve,
    stats,
    strategy,
    teams,
    transfer,
    workspaces,
)
from bot.cli.common import CliFailure, CliState, ConfigFailure
from bot.cli.serve import choose_mode
from bot.errors import DomainError
from bot.settings import ConfigError
from models.db import MigrationFailed

__all__ = ["CliState", "choose_mode", "cli", "main"]


class IctbotGroup(click.Group):
    """Turns configuration and domain errors from any subcommand into one message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise ConfigFailure(str(exc)) from None
        except DomainError as exc:
            raise CliFailure(exc.message) from None
        except MigrationFailed as exc:  # `db upgrade`, or a SQLite schema brought to head before a command
            raise CliFailure(str(exc)) from None


@click.group(cls=IctbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ictbot", prog_name="ictbot")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """ictbot: the ICT governance bot for Slack and Microsoft Teams, and the tools to keep its data.

    Settings come from the environment, else from `.env` in the working directory: `ictbot config`
    lists every one with its value and where it came from; `.env.example` and the README's
    Configuration say what each does.

    The data commands (strategy, projects, people, export, digest, report, stats, minutes, roles, meetings, reminders,
    tick) check the database schema first: a SQLite database is brought to the latest revision by itself; a
    PostgreSQL one must be upgraded with `ictbot db upgrade`. `ictbot serve` and `ictbot socket` need the schema at
    the latest revision on any database (run `ictbot db upgrade` when deploying); the shell upgrades its own.
    """
    ctx.ensure_object(CliState)


for command in (
    config.config,
    workspaces.db,
    workspaces.workspaces_group,
    strategy.strategy,
    projects.projects,
    people.people,
    transfer.export,
    transfer.import_export,
    digest.digest,
    report.report,
    stats.stats,
    minutes.minutes,
    assurance.assurance,
    meetings.meetings,
    reminders.tick,
    reminders.reminders,
    roles.roles,
    teams.teams,
    serve.serve,
    serve.socket,
    serve.run,
    dev.shell,
):
    cli.add_command(command)


def main() -> None:
    """The console script."""
    cli(prog_name="ictbot")
