"""`ictbot` loads each command when it is wanted: `ictbot serve` imports none of what the other commands need."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from bot.cli import COMMANDS, cli


def test_every_command_is_listed_and_loads_under_its_own_name():
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name
    assert cli.get_command(context, "no-such-command") is None


def test_the_server_s_commands_import_none_of_the_others():
    # A fresh interpreter: what loading `serve` (as `ictbot serve` does before it runs) brings in.
    script = (
        "import sys, click, json; from bot.cli import cli; cli.get_command(click.Context(cli), 'serve'); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('bot.', 'handlers.', 'icalendar', 'docx')))))"
    )
    run = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)  # noqa: S603
    loaded = set(json.loads(run.stdout))
    others = {module for name, (module, _) in COMMANDS.items() if module != "bot.cli.serve"}
    assert loaded & others == {"bot.cli.dev"}  # `ictbot run` starts the shell without tokens (bot.dev stays out)
    assert not {m for m in loaded if m.startswith("bot.dev")}
    assert not {m for m in loaded if m.startswith(("icalendar", "docx", "bot.render.ics", "bot.transfer"))}
