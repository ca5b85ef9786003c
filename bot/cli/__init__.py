"""The ``ictbot`` command line (being split by command group; the commands are in bot.cli.common for now)."""

from bot.cli.common import CliState, choose_mode, cli, main, slack_email_resolver

__all__ = ["CliState", "choose_mode", "cli", "main", "slack_email_resolver"]
