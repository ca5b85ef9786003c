"""What every ictbot command shares: its settings and runtime, the workspace it works on, its output.

An expected failure is one line on stderr (``ictbot: …``), exit status 1, or 2 for a setting. The
database schema is checked (SQLite brought to head) before a command uses it. Commands read the
clock only through the runtime opened here, and never print a secret.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.cli.slack_api import call_slack, web_client
from bot.errors import DomainError
from bot.files import STDOUT, write_output
from bot.logging_setup import configure as configure_logging
from bot.runtime import Runtime, system_clock
from bot.services import workspaces
from bot.settings import GUID, LOCAL_TEAM_ID, Settings, load_settings
from models import Workspace, wake
from models.db import schema_state, upgrade

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

log = logging.getLogger("bot.cli")  # one name for the whole CLI's log lines

NO_WORKSPACE = (
    'This database holds no workspace yet: create one with `ictbot workspaces add TEAM_ID "Name"`, then '
    "load a strategy (`ictbot strategy load FILE`) or import a Work Plan (`ictbot projects import FILE.csv`); "
    "or start the bot."
)
HOW_TO_NAME = (
    "pass --team TEAM_ID (a Slack team ID, T…, or a Microsoft Teams tenant ID), create the workspace with "
    '`ictbot workspaces add TEAM_ID "Name"`, or set SLACK_BOT_TOKEN so that ictbot asks Slack which it is'
)
DEMO_REFUSAL = (
    f"{LOCAL_TEAM_ID} is the local shell's demo workspace: only `ictbot shell` writes to it; give your own team's ID."
)


@dataclass
class CliState:
    """What a caller (a test) may hand the CLI as ``obj``: the clock the runtime reads, and engines it has
    open, by database URL, for a command to use (and leave open) instead of making its own."""

    clock: Callable[[], datetime] = field(default=system_clock)
    engines: Mapping[str, Engine] = field(default_factory=dict)


class CliFailure(click.ClickException):
    """An expected failure: ``ictbot: <message>`` on stderr, exit status 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"ictbot: {self.format_message()}", err=True)


class ConfigFailure(CliFailure):
    """A missing or malformed setting: exit status 2."""

    exit_code = 2


# -- settings, runtime, database -------------------------------------------------------------------


def read_settings() -> Settings:
    """The settings from the environment, with logging configured as they say."""
    settings = load_settings()
    configure_logging(settings.ICTBOT_LOG_LEVEL)
    return settings


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def database_failure(url: str, exc: OperationalError) -> DomainError:
    """The database could not be used: its URL (no password) and the driver's first line."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    return DomainError(f"Cannot use the database {safe_url(url)}: {reason}")


def ensure_schema(settings: Settings, engine: Engine) -> None:
    """Make sure the schema is at head: upgrade SQLite in place, ask for `ictbot db upgrade` on PostgreSQL."""
    url = settings.DATABASE_URL
    state = schema_state(engine)
    current, heads, unknown = state.current, state.heads, state.unknown
    if state.at_head:
        return
    if unknown:
        raise DomainError(
            f"The database schema is at revision {', '.join(sorted(unknown))}, which this ictbot does not know; "
            "it was migrated by a newer ictbot. Install that version."
        )
    if engine.dialect.name == "sqlite":
        log.info("bringing the SQLite schema at %s to revision %s", safe_url(url), ", ".join(sorted(heads)))
        upgrade(url)
        return
    at = ", ".join(sorted(current)) or "empty"
    raise DomainError(
        f"The database schema is not up to date (it is at {at}; this ictbot needs {', '.join(sorted(heads))}). "
        "Run `ictbot db upgrade` first."
    )


@contextmanager
def open_runtime(ctx: click.Context, settings: Settings | None = None) -> Iterator[Runtime]:
    """Settings, logging, the engine and the clock for one command; the schema checked first."""
    settings = settings or read_settings()
    state = ctx.find_object(CliState) or CliState()
    handed = state.engines.get(settings.DATABASE_URL)
    rt = Runtime.from_settings(settings, clock=state.clock, engine=handed)
    try:
        ensure_schema(settings, rt.engine)
        yield rt
    except OperationalError as exc:
        raise database_failure(settings.DATABASE_URL, exc) from None
    finally:
        if handed is None:
            rt.engine.dispose()


@contextmanager
def open_workspace(
    ctx: click.Context,
    team: str | None,
    *,
    create: bool,
    writes: bool | None = None,
    settings: Settings | None = None,
) -> Iterator[tuple[Runtime, Session, Workspace]]:
    """The runtime, one transaction and the workspace --team names (see :func:`workspace`)."""
    with open_runtime(ctx, settings) as rt, rt.sessions.begin() as session:
        ws = workspace(rt, session, team, create=create, writes=writes)
        session.info[wake.WORKSPACE] = ws.id  # whose reconcile a write of this command may bring forward
        yield rt, session, ws


# -- the workspace a command works on --------------------------------------------------------------


def is_demo(ws: Workspace) -> bool:
    """The local shell's demo workspace (LOCAL_TEAM_ID), which no other command writes to."""
    return ws.platform == "slack" and ws.external_id == LOCAL_TEAM_ID


def _discover_team(settings: Settings) -> tuple[str, str] | None:
    """The (team ID, team name) SLACK_BOT_TOKEN belongs to, asked of Slack's auth.test; None without a token."""
    if settings.SLACK_BOT_TOKEN is None:
        return None
    client = web_client(settings)
    response = call_slack("auth.test", client.auth_test)
    team_id = response.get("team_id")
    if not isinstance(team_id, str) or not team_id:
        raise DomainError("Slack's auth.test did not say which team SLACK_BOT_TOKEN belongs to; pass --team TEAM_ID.")
    return team_id, str(response.get("team") or "")


def _held(session: Session) -> str:
    """The workspaces the database holds, for a message: ``it holds T0AAA, T0LOCAL (the shell's demo)``."""
    labels = [
        f"{ws.external_id} (the shell's demo)" if is_demo(ws) else ws.external_id
        for ws in session.scalars(select(Workspace).order_by(Workspace.id))
    ]
    return f"it holds {', '.join(labels)}" if labels else "it holds no workspace yet"


def workspace(
    rt: Runtime, session: Session, team: str | None, *, create: bool, writes: bool | None = None
) -> Workspace:
    """The workspace a command works on (see --team's help in bot.cli.options); ``create`` lets a writing
    command make it, and ``writes`` (by default, ``create``) says the command writes to it.

    Without --team: the only workspace in the database besides the shell's demo one. A writing command
    on a database with none asks Slack (auth.test) whose SLACK_BOT_TOKEN is set, and is refused
    without one; a reading command may read the demo workspace (the shell's own database). No command
    here writes to the demo workspace.
    """
    writes = create if writes is None else writes
    if team is not None:
        platform = "teams" if GUID.match(team) else "slack"  # a Teams workspace is its tenant
        if writes and platform == "slack" and team == LOCAL_TEAM_ID:
            raise DomainError(DEMO_REFUSAL)
        ws = workspaces.find(session, team, platform)
        if ws is not None:
            return ws
        if create:
            return workspaces.get_or_create(session, team, now=rt.now(), platform=platform)
        raise DomainError(f"There is no workspace {team} in this database ({_held(session)}).")
    every = list(session.scalars(select(Workspace).order_by(Workspace.id)))
    real = [ws for ws in every if not is_demo(ws)]
    if len(real) == 1:
        return real[0]
    if len(real) > 1:
        teams = ", ".join(ws.external_id for ws in real)
        raise DomainError(f"This database holds several workspaces ({teams}); say which with --team TEAM_ID.")
    if not every:
        if not create:
            raise DomainError(NO_WORKSPACE)
    elif not writes:
        return every[0]  # the demo workspace, read: the shell's own database
    if create:
        found = _discover_team(rt.settings)
        if found is not None:
            return workspaces.get_or_create(session, found[0], name=found[1], now=rt.now())
    raise DomainError(f"Which workspace? This database has none to write to ({_held(session)}): {HOW_TO_NAME}.")


def every_workspace(rt: Runtime, session: Session, team: str | None) -> list[Workspace]:
    """The workspace --team names, or every one in the database."""
    if team is not None:
        return [workspace(rt, session, team, create=False)]
    found = list(session.scalars(select(Workspace).order_by(Workspace.id)))
    if not found:
        raise DomainError(NO_WORKSPACE)
    return found


# -- input and output --------------------------------------------------------------------------------


def read_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(f"{name} is not UTF-8 text; save it as UTF-8 (e.g. Excel's “CSV UTF-8”).") from None


def _write_output(path: Path, data: bytes) -> None:
    """Write ``data`` where --output says (:func:`bot.files.write_output`); a failure is one line."""
    try:
        write_output(path, data, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer)
    except OSError as exc:
        raise DomainError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def emit(output: Path | None, data: bytes) -> bool:
    """``data`` to --output, or to standard output without it; True when it went to a file (not ``-``)."""
    _write_output(output or Path(STDOUT), data)
    return output is not None and str(output) != STDOUT


def local_time(when: datetime, settings: Settings) -> str:
    return f"{when.astimezone(settings.timezone):%a %Y-%m-%d %H:%M %Z}"


def workspace_label(ws: Workspace) -> str:
    return f"{ws.external_id} ({ws.name})" if ws.name else ws.external_id


def make_console() -> Console:
    from rich.console import Console  # rich (and what it loads) only for the commands that print tables

    return Console(highlight=False)


def simple_table(title: str) -> Table:
    from rich import box
    from rich.table import Table

    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
