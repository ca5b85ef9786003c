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

import importlib
from typing import Any

import click

from bot.cli.common import CliFailure, CliState, ConfigFailure
from bot.errors import DomainError
from bot.settings import ConfigError
from models.db import MigrationFailed

__all__ = ["COMMANDS", "CliState", "cli", "main"]


# Each command by name, where it is defined: imported when it is run (or asked for its help), so that
# `ictbot serve` does not import what `ictbot digest` or `ictbot meetings` need (icalendar, the export,
# the reports): its start-up time and its memory at rest are what the server needs alone.
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("bot.cli.config", "config"),
    "db": ("bot.cli.workspaces", "db"),
    "workspaces": ("bot.cli.workspaces", "workspaces_group"),
    "strategy": ("bot.cli.strategy", "strategy"),
    "projects": ("bot.cli.projects", "projects"),
    "people": ("bot.cli.people", "people"),
    "export": ("bot.cli.transfer", "export"),
    "import": ("bot.cli.transfer", "import_export"),
    "digest": ("bot.cli.digest", "digest"),
    "report": ("bot.cli.report", "report"),
    "stats": ("bot.cli.stats", "stats"),
    "minutes": ("bot.cli.minutes", "minutes"),
    "assurance": ("bot.cli.assurance", "assurance"),
    "meetings": ("bot.cli.meetings", "meetings"),
    "tick": ("bot.cli.reminders", "tick"),
    "worker": ("bot.cli.reminders", "worker"),
    "reminders": ("bot.cli.reminders", "reminders"),
    "roles": ("bot.cli.roles", "roles"),
    "teams": ("bot.cli.teams", "teams"),
    "serve": ("bot.cli.serve", "serve"),
    "socket": ("bot.cli.serve", "socket"),
    "run": ("bot.cli.serve", "run"),
    "shell": ("bot.cli.dev", "shell"),
}


class IctbotGroup(click.Group):
    """Turns configuration and domain errors from any subcommand into one message and an exit status, and
    loads each command from :data:`COMMANDS` when it is wanted (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            raise RuntimeError(f"{module}.{attribute} is not the `{cmd_name}` command")
        return command

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


def main() -> None:
    """The console script."""
    cli(prog_name="ictbot")
