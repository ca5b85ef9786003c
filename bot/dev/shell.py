"""`ictbot shell`: try the bot from a terminal, with no Slack workspace.

Start-up: the Slack stand-in on loopback (:class:`bot.dev.standin.SlackStandIn`) with the local people,
the production Bolt app pointed at it with a fresh signing secret, requests signed as Slack signs them
(:class:`bot.dev.local.LocalSlack`), the sample Work Plan, then the console (:mod:`bot.dev.console`).
``--platform teams`` runs :mod:`bot.dev.teams_shell` instead.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from pydantic import SecretStr
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url

from bot.dev.console import EXAMPLE, LOCAL_CHANNEL_ID, SlackConsole
from bot.dev.local import LOCAL_TEAM_NAME, InlineExecutor, LocalSlack
from bot.dev.sample import LOCAL_USERS, load_sample
from bot.dev.standin import SlackStandIn
from bot.dev.terminal import Lines, quiet
from bot.dev.timeshift import ShellClock
from bot.runtime import Runtime, system_clock
from bot.settings import LOCAL_TEAM_ID, MAX_RATE, Settings
from bot.wiring import build_reconciler
from handlers.slack.app import create_app
from handlers.slack.client import web_client
from models import upgrade

__all__ = ["run_shell"]

LOCAL_TEAM_DOMAIN = "local-council"
LOCAL_BOT_TOKEN = "xoxb-local-shell"  # noqa: S105  (the stand-in accepts any bearer token)
# Bolt warns about unhandled requests with sample code for developers, and every request writes an
# operations log line; the shell shows what happened itself, so both are quiet while it runs.
QUIET = {"ictbot.bolt": logging.ERROR, "ictbot.requests": logging.WARNING}


def _banner(console: Console, settings: Settings, user: str, count: int, loaded: bool) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("Acting as", Text.assemble((user, "bold cyan"), f" in {LOCAL_TEAM_NAME} ({LOCAL_TEAM_ID})"))
    grid.add_row("Database", make_url(settings.DATABASE_URL).render_as_string(hide_password=True))
    work_plan = f"{count} project{'s' if count != 1 else ''}"
    if loaded:
        work_plan += " (the sample Work Plan, loaded just now)"
    grid.add_row("Work Plan", work_plan)
    grid.add_row(
        "People",
        Text.assemble(
            ("Alex", "bold"),
            ", ",
            ("Bea", "bold"),
            " (officers), ",
            ("Chris", "bold"),
            " (chair), ",
            ("Dana", "bold"),
            " (ICT admin): ",
            (":as", "cyan"),
            " lists who is who",
        ),
    )
    grid.add_row("Try", Text(EXAMPLE, style="cyan"))
    grid.add_row(
        "",
        Text.assemble(
            ("/ict-update", "cyan"),
            " for the form  ·  ",
            (":time", "cyan"),
            " for the calendar  ·  ",
            (":help", "cyan"),
            "  ·  ",
            (":quit", "cyan"),
        ),
    )
    intro = Text(
        "The real bot, with no Slack workspace: type what you would type in Slack and see what the bot would post.",
        style="dim",
    )
    console.print(
        Panel(
            Group(intro, Text(), grid), title="ictbot shell", title_align="left", box=box.ROUNDED, border_style="cyan"
        )
    )


def run_shell(
    settings: Settings,
    *,
    user_id: str = "U0LOCAL01",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    platform: str = "slack",
    clock: Callable[[], datetime] = system_clock,
) -> int:
    """Run the console until ``:quit`` or the end of input; returns the exit code.

    ``clock`` is the time the shell starts from (``:time`` moves it on). ``platform="teams"`` drives the
    Teams front end instead (:mod:`bot.dev.teams_shell`)."""
    if platform == "teams":
        from bot.dev.teams_shell import run_teams_shell  # the Teams SDK: only loaded for the Teams shell

        return run_teams_shell(settings, stdin=stdin, stdout=stdout)
    console = Console(file=stdout, highlight=False)
    upgrade(settings.DATABASE_URL)
    signing_secret = secrets.token_hex(32)
    shell_clock = ShellClock(clock)
    standin = SlackStandIn(team_id=LOCAL_TEAM_ID, team_name=LOCAL_TEAM_NAME, clock=shell_clock)
    with standin, quiet(QUIET):
        for uid, name in LOCAL_USERS.items():
            standin.add_user(uid, name=name)
        app_settings = settings.model_copy(
            update={
                "SLACK_BOT_TOKEN": SecretStr(LOCAL_BOT_TOKEN),
                "SLACK_SIGNING_SECRET": SecretStr(signing_secret),
                "SLACK_API_URL": standin.api_url,
                # Reminders go to the stand-in on loopback: no need to keep under Slack's rate limits.
                "ICTBOT_REMINDER_RATE": MAX_RATE,
            }
        )
        runtime = Runtime.from_settings(app_settings, clock=shell_clock)
        try:
            unit = runtime.unit(LOCAL_TEAM_ID, team_name=LOCAL_TEAM_NAME)
            count, loaded = load_sample(
                console,
                unit,
                now=runtime.now(),
                channel_id=LOCAL_CHANNEL_ID,
                default_timezone=settings.ICTBOT_TIMEZONE,
            )
            client = web_client(LOCAL_BOT_TOKEN, standin.api_url)
            app = create_app(runtime, client=client, listener_executor=InlineExecutor())
            slack = LocalSlack(
                app=app,
                signing_secret=signing_secret,
                response_url=standin.response_url,
                team_id=LOCAL_TEAM_ID,
                team_domain=LOCAL_TEAM_DOMAIN,
            )
            shell = SlackConsole(
                console=console,
                lines=Lines(console, stdin),
                slack=slack,
                standin=standin,
                user_id=user_id,
                runtime=runtime,
                clock=shell_clock,
                reconciler=build_reconciler(runtime, client),
            )
            _banner(console, settings, shell.who(), count, loaded)
            return shell.run()
        finally:
            runtime.engine.dispose()
