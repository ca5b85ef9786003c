"""`ictbot config`: every setting, its value and where the value came from, secrets masked.

The values are the ones the bot would run with (bot.settings, read and checked as at start-up); the
source of each is asked of pydantic-settings' own sources (:func:`bot.settings.setting_sources`).
A secret is never shown: a ``SecretStr`` setting, any setting named like a token, secret, password
or key, and the password inside DATABASE_URL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click
from pydantic import SecretStr
from rich.text import Text

from bot.cli.common import make_console, read_settings, safe_url, simple_table
from bot.settings import ENV_FILE, Settings, setting_sources

MASK = "********"
NOT_SET = "(not set)"
EMPTY = "(empty)"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY", re.IGNORECASE)


def shown(settings: Settings, name: str) -> tuple[str | None, bool]:
    """(the value as it may be shown, None when unset; whether a secret was masked in it)."""
    value = getattr(settings, name)
    if value is None:
        return None, False
    if isinstance(value, SecretStr) or SECRET_NAME.search(name):
        return MASK, True
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    text = str(value)
    hidden = safe_url(text) if name == "DATABASE_URL" else _without_password(text)
    return hidden, hidden != text


def _without_password(text: str) -> str:
    """A URL with the password of its user information (``https://user:pw@host/``) masked."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if parts.password is None:
        return text
    netloc = f"{parts.username or ''}:{MASK}@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc))


@click.command("config")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="The listing's form.",
)
def config(fmt: str) -> None:
    """Every setting: its value (secrets masked) and where it came from (the environment, `.env`, or its default).

    Settings are read from the environment, then from `.env` in the working directory (the environment
    wins), else their default. See `.env.example` and the README's Configuration for what each does.
    """
    settings = read_settings()
    sources = setting_sources()
    listed = [(name, *shown(settings, name), sources[name]) for name in Settings.model_fields]
    named = Settings.model_config.get("env_file")
    env_file = Path(str(named)).resolve() if named else None
    found = env_file is not None and env_file.is_file()
    if fmt == "json":
        rows = [{"name": n, "value": v, "source": src, "masked": m} for n, v, m, src in listed]
        where = str(env_file) if env_file else None
        click.echo(json.dumps({"env_file": where, "env_file_found": found, "settings": rows}, indent=2))
        return
    table = simple_table("Settings")
    for column in ("Setting", "Value", "From"):
        table.add_column(column, overflow="fold")
    for name, value, _masked, source in listed:
        cell = Text(value) if value else Text(EMPTY if value == "" else NOT_SET, style="dim")
        table.add_row(Text(name), cell, Text(source))
    console = make_console()
    console.print(table)
    if env_file is not None:
        state = "read" if found else "none there"
        console.print(Text(f"{ENV_FILE}: {env_file} ({state}); the environment wins over it.", style="dim"))
