"""The ``ictbot`` command line: run the bot, keep the strategy and the Work Plan, export everything.

Settings come from the environment (``bot.settings``); a missing or malformed one stops the command
with one line naming it (exit status 2). A refused request (an unknown team, a bad CSV row, a strategy
name already used) prints what to put right and exits with status 1. Secrets are never printed.

The commands only wire and format: the work is done by the services in ``bot.services``, which take
the time from the runtime's clock, read here and only here.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, NoReturn

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.errors import DomainError, ImportFailed
from bot.files import STDOUT, write_output
from bot.logging_setup import configure as configure_logging
from bot.render.digest import DIGEST_FORMATS, REPORT_FORMATS, render_digest, render_report
from bot.runtime import Runtime, system_clock
from bot.services import claims, workspaces
from bot.services import digest as digest_service
from bot.services import meetings as meeting_service
from bot.services import projects as project_service
from bot.services import reminders as reminder_service
from bot.services import roles as role_service
from bot.services import strategy as strategy_service
from bot.services.projects import EmailResolver
from bot.settings import GUID, LOCAL_TEAM_ID, SLACK_USER_ID, ConfigError, Mode, Settings, load_settings
from bot.transfer import export as export_service
from bot.transfer import restore as restore_service
from bot.wording import count
from models import Meeting, Role, Workspace
from models.db import make_engine, schema_state, upgrade
from models.scheduling import DigestPost, Reminder, ReminderKind

__all__ = ["LOCAL_TEAM_ID", "CliState", "choose_mode", "cli", "main", "slack_email_resolver"]

log = logging.getLogger(__name__)

RAG_STYLE = {"red": "bold red", "amber": "bold yellow", "green": "bold green"}
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")

TEAM_HELP_WRITE = (
    "Slack team ID (T…); created if it is not in the database yet. Default: the only workspace in the "
    "database; on an empty database, the team of SLACK_BOT_TOKEN (asked of Slack's auth.test), or "
    f"{LOCAL_TEAM_ID} when no token is set."
)
TEAM_HELP_READ = "Slack team ID (T…), one already in the database. Default: the only workspace in the database."
TEAM_HELP_ALL = "Slack team ID (T…), one already in the database. Default: every workspace in the database."
NO_WORKSPACE = (
    "This database holds no workspace yet: load a strategy (`ictbot strategy load FILE`), "
    "import a Work Plan (`ictbot projects import FILE.csv`) or start the bot first."
)
FAILURES_LOOKBACK = timedelta(days=90)  # `ictbot reminders failures` without --since


@dataclass
class CliState:
    """What a caller (a test) may hand the CLI as ``obj``: the clock the runtime reads."""

    clock: Callable[[], datetime] = field(default=system_clock)


class CliFailure(click.ClickException):
    """An expected failure: ``ictbot: <message>`` on stderr, exit status 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"ictbot: {self.format_message()}", err=True)


class ConfigFailure(CliFailure):
    """A missing or malformed setting: exit status 2."""

    exit_code = 2


class IctbotGroup(click.Group):
    """Turns configuration and domain errors from any subcommand into one message and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise ConfigFailure(str(exc)) from None
        except DomainError as exc:
            raise CliFailure(exc.message) from None


# -- plumbing ------------------------------------------------------------------------------------


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.ICTBOT_LOG_LEVEL)
    return settings


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


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
        log.info("bringing the SQLite schema at %s to revision %s", _safe_url(url), ", ".join(sorted(heads)))
        upgrade(url)
        return
    at = ", ".join(sorted(current)) or "empty"
    raise DomainError(
        f"The database schema is not up to date (it is at {at}; this ictbot needs {', '.join(sorted(heads))}). "
        "Run `ictbot db upgrade` first."
    )


@contextmanager
def _runtime(ctx: click.Context, settings: Settings | None = None) -> Iterator[Runtime]:
    """Settings, logging, the engine and the clock for one command; the schema checked first."""
    settings = settings or _settings()
    state = ctx.find_object(CliState) or CliState()
    rt = Runtime.from_settings(settings, clock=state.clock)
    try:
        ensure_schema(settings, rt.engine)
        yield rt
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise DomainError(f"Cannot use the database {_safe_url(settings.DATABASE_URL)}: {reason}") from None
    finally:
        rt.engine.dispose()


def _check_team(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if GUID.match(value):  # a Microsoft Teams tenant
        return value.lower()
    value = value.upper()
    if not TEAM_ID.match(value):
        raise click.BadParameter(
            f"{value!r} is not a Slack team ID such as T012ABCDEF, nor a Microsoft Teams tenant ID (a GUID)."
        )
    return value


def _check_user(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    value = value.strip()
    if GUID.match(value):  # a Microsoft Teams user's Entra object ID, as Teams sends it (lower case)
        return value.lower()
    value = value.upper()
    if not SLACK_USER_ID.match(value):
        raise click.BadParameter(
            f"{value!r} is not a Slack user ID such as U012ABCDEF, nor a Microsoft Teams user's Entra object ID."
        )
    return value


def team_option(*, creates: bool, every: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--team``; ``creates`` says whether a team not yet in the database is created or refused, and
    ``every`` that without it the command covers every workspace."""
    help_text = TEAM_HELP_ALL if every else TEAM_HELP_WRITE if creates else TEAM_HELP_READ
    return click.option("--team", metavar="TEAM_ID", callback=_check_team, help=help_text)


OUTPUT_HELP = (
    "Write to this file instead of standard output (- for standard output). A file is replaced whole and keeps "
    "its mode; a symbolic link's target is written; a device or FIFO is written as it is."
)


def output_option(help_text: str = OUTPUT_HELP, *, required: bool = False) -> Callable[..., Any]:
    # No checks of click's own: bot.files decides what the path is, and a problem is one line (see _write_output).
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path, allow_dash=True), required=required, help=help_text
    )


def _write_output(path: Path, data: bytes) -> None:
    """Write ``data`` where --output says (:func:`bot.files.write_output`); a failure is one line."""
    try:
        write_output(path, data, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer)
    except OSError as exc:
        raise DomainError(f"Cannot write {path}: {exc.strerror or exc}.") from None


def _emit(output: Path | None, data: bytes) -> bool:
    """``data`` to --output, or to standard output without it; True when it went to a file (not ``-``)."""
    _write_output(output or Path(STDOUT), data)
    return output is not None and str(output) != STDOUT


class OptionFailure(ConfigFailure):
    """A value an option cannot take: one line naming the option, exit status 2 as click's usage errors."""

    def __init__(self, ctx: click.Context, param: click.Parameter, message: str) -> None:
        super().__init__(f"Invalid value for {param.get_error_hint(ctx)}: {message}")


# The years a time or date on the command line may fall in: the bot reckons meetings a year ahead and
# periods back from them, which the datetime module cannot do near its own ends (years 1 and 9999).
YEARS = (1900, 2999)


def _in_range(ctx: click.Context, param: click.Parameter, value: str, year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise OptionFailure(ctx, param, f"{value!r} is out of range: give one in the years {YEARS[0]} to {YEARS[1]}.")


def _check_time(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 date or time; naive until :func:`_moment` puts it in ICTBOT_TIMEZONE."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise OptionFailure(
            ctx,
            param,
            f"{value!r} is not an ISO 8601 time such as 2026-12-01T09:30 (in ICTBOT_TIMEZONE) "
            "or 2026-12-01T09:30+00:00.",
        ) from None
    _in_range(ctx, param, value, moment.year)
    return moment


def _moment(value: datetime, settings: Settings) -> datetime:
    """A time given on the command line, in UTC; one without an offset is in ICTBOT_TIMEZONE."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=settings.timezone)
    return value.astimezone(UTC)


def time_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(name, metavar="ISO-TIME", callback=_check_time, help=help_text)


def _slack_error(exc: SlackApiError) -> str:
    response = exc.response
    error = response.get("error") if isinstance(response, SlackResponse) else None
    return str(error or "unknown_error")


_SLACK_HINTS = {
    "missing_scope": "the Slack app lacks a scope it needs (users:read.email for e-mail look-ups)",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "not_authed": "check SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN has been revoked; reinstall the app and use the new token",
    "account_inactive": "SLACK_BOT_TOKEN belongs to a deactivated app or user",
    "ratelimited": "Slack is rate-limiting the app; try again in a minute",
}


def _slack_failure(method: str, exc: SlackClientError) -> DomainError:
    if isinstance(exc, SlackApiError):
        error = _slack_error(exc)
        hint = _SLACK_HINTS.get(error)
        return DomainError(f"Slack refused {method} ({error})" + (f": {hint}." if hint else "."))
    return DomainError(f"Could not reach Slack's Web API for {method}: {exc}")


def _web_client(settings: Settings) -> WebClient:
    from handlers.slack.client import web_client  # Bolt is only loaded for the commands that talk to Slack

    assert settings.SLACK_BOT_TOKEN is not None
    return web_client(settings.SLACK_BOT_TOKEN.get_secret_value(), settings.SLACK_API_URL)


def _call_slack(method: str, call: Callable[[], SlackResponse]) -> SlackResponse:
    try:
        return call()
    except SlackClientError as exc:
        raise _slack_failure(method, exc) from None
    except OSError as exc:  # connection refused, DNS, TLS: urllib's errors
        raise DomainError(f"Could not reach Slack's Web API for {method}: {exc}") from None


def slack_email_resolver(client: WebClient) -> EmailResolver:
    """Look e-mail addresses up with ``users.lookupByEmail``: ``users_not_found`` (or a deactivated
    account) gives None; any other refusal stops the import with a DomainError."""

    def resolve(emails: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for email in emails:
            try:
                response = client.users_lookupByEmail(email=email)
            except SlackApiError as exc:
                if _slack_error(exc) == "users_not_found":
                    found[email] = None
                    continue
                raise _slack_failure("users.lookupByEmail", exc) from None
            except SlackClientError as exc:
                raise _slack_failure("users.lookupByEmail", exc) from None
            except OSError as exc:
                raise DomainError(f"Could not reach Slack's Web API for users.lookupByEmail: {exc}") from None
            user = response.get("user") or {}
            user_id = user.get("id") if isinstance(user, dict) and not user.get("deleted") else None
            found[email] = str(user_id) if user_id else None
        return found

    return resolve


def _discover_team(settings: Settings) -> tuple[str, str]:
    """The (team ID, team name) to use on an empty database."""
    if settings.SLACK_BOT_TOKEN is None:
        return LOCAL_TEAM_ID, ""
    client = _web_client(settings)
    response = _call_slack("auth.test", client.auth_test)
    team_id = response.get("team_id")
    if not isinstance(team_id, str) or not team_id:
        raise DomainError("Slack's auth.test did not say which team SLACK_BOT_TOKEN belongs to; pass --team TEAM_ID.")
    return team_id, str(response.get("team") or "")


def _workspace(rt: Runtime, session: Session, team: str | None, *, create: bool) -> Workspace:
    """The workspace a command works on (see TEAM_HELP_*); ``create`` lets a writing command make it."""
    if team is not None:
        platform = "teams" if GUID.match(team) else "slack"  # a Teams workspace is its tenant
        ws = workspaces.find(session, team, platform)
        if ws is not None:
            return ws
        if create:
            return workspaces.get_or_create(session, team, now=rt.now(), platform=platform)
        known = ", ".join(session.scalars(select(Workspace.external_id).order_by(Workspace.id)))
        held = f"it holds {known}" if known else "it holds no workspace yet"
        raise DomainError(f"There is no workspace {team} in this database ({held}).")
    ws = workspaces.only_workspace(session)
    if ws is not None:
        return ws
    if not create:
        raise DomainError(NO_WORKSPACE)
    team_id, name = _discover_team(rt.settings)
    return workspaces.get_or_create(session, team_id, name=name, now=rt.now())


def _every_workspace(rt: Runtime, session: Session, team: str | None) -> list[Workspace]:
    """The workspace --team names, or every one in the database."""
    if team is not None:
        return [_workspace(rt, session, team, create=False)]
    found = list(session.scalars(select(Workspace).order_by(Workspace.id)))
    if not found:
        raise DomainError(NO_WORKSPACE)
    return found


def _local(when: datetime, settings: Settings) -> str:
    return f"{when.astimezone(settings.timezone):%a %Y-%m-%d %H:%M %Z}"


def _label(ws: Workspace) -> str:
    return f"{ws.external_id} ({ws.name})" if ws.name else ws.external_id


def _console() -> Console:
    return Console(highlight=False)


def _read_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(f"{name} is not UTF-8 text; save it as UTF-8 (e.g. Excel's “CSV UTF-8”).") from None


def choose_mode(settings: Settings) -> Mode:
    """How ``ictbot run`` runs: Socket Mode with an app token, HTTP with a bot token, multi-workspace
    install or Microsoft Teams, else the local shell."""
    if settings.SLACK_APP_TOKEN is not None:
        return "socket"
    if settings.SLACK_BOT_TOKEN is not None:
        settings.require("SLACK_SIGNING_SECRET", purpose="the HTTP receiver (`ictbot serve`)")
        return "serve"
    if settings.oauth_enabled:  # several Slack workspaces: tokens come from their installations
        settings.require("SLACK_SIGNING_SECRET", purpose="the HTTP receiver (`ictbot serve`)")
        return "serve"
    if settings.SLACK_SIGNING_SECRET is not None:
        settings.require("SLACK_BOT_TOKEN", purpose="the HTTP receiver (`ictbot serve`)")
    if settings.teams_enabled:  # Microsoft Teams only
        return "serve"
    return "shell"


# -- the commands ----------------------------------------------------------------------------------


@click.group(cls=IctbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ictbot", prog_name="ictbot")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """ictbot: the ICT governance bot for Slack, and the tools to keep its data.

    Settings come from the environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN,
    SLACK_API_URL, DATABASE_URL (default sqlite:///ictbot.db), ICTBOT_TIMEZONE, ICTBOT_ADMINS,
    ICTBOT_LOG_LEVEL, ICTBOT_SCHEDULER, ICTBOT_SCHEDULER_INTERVAL, ICTBOT_REMINDER_RATE.

    The data commands (strategy, projects, export, digest, report, roles, meetings, reminders, tick) check the
    database schema first: a SQLite database is brought to the latest revision by itself; a PostgreSQL one must be
    upgraded with `ictbot db upgrade`. `ictbot serve` and `ictbot socket` need the schema at the latest revision on
    any database (run `ictbot db upgrade` when deploying); the shell upgrades its own.
    """
    ctx.ensure_object(CliState)


def main() -> None:
    """The console script."""
    cli(prog_name="ictbot")


# db ----------------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database schema (created and changed only by migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="The Alembic revision to upgrade to.")
def db_upgrade(revision: str) -> None:
    """Create the schema, or bring it to REVISION. Safe to run again."""
    settings = _settings()
    url = settings.DATABASE_URL
    engine = make_engine(url)
    try:
        upgrade(url, revision)
        current = schema_state(engine).current
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise DomainError(f"Cannot use the database {_safe_url(url)}: {reason}") from None
    finally:
        engine.dispose()
    click.echo(f"The database {_safe_url(url)} is at revision {', '.join(sorted(current)) or 'base'}.")


# strategy ----------------------------------------------------------------------------------------


@cli.group()
def strategy() -> None:
    """The ICT strategy and its priorities. One is active; earlier ones stay readable."""


@strategy.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@team_option(creates=True)
@click.pass_context
def strategy_load(ctx: click.Context, file: Path, team: str | None) -> None:
    """Load a strategy from a YAML FILE and make it the active one.

    The file has a `name`, an optional `period` and `description`, and a list of `priorities`,
    each with a `code`, a `name` and an optional `description` (see bot/data/*.yaml).
    """
    data = strategy_service.parse_yaml(_read_text(file.read_bytes(), file.name))
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=True)
        loaded = strategy_service.load(session, ws, data, now=rt.now())
        name, count, label = loaded.name, len(loaded.priorities), _label(ws)
        others = [s.name for s in strategy_service.all_strategies(session, ws) if s.name != name]
    click.echo(f"Loaded {name} ({count} priorities) into workspace {label}; it is now the active strategy.")
    if others:
        click.echo(f"Earlier strategies are kept and readable: {'; '.join(others)}.")


@strategy.command("list")
@team_option(creates=False)
@click.pass_context
def strategy_list(ctx: click.Context, team: str | None) -> None:
    """Every strategy, oldest first, the active one marked, with its priorities in order."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        views = strategy_service.all_strategies(session, ws)
        label = _label(ws)
    console = _console()
    console.print(Text(f"Strategies of workspace {label}", style="bold"))
    for s in views:
        head = Text("* " if s.active else "  ")
        head.append(s.name, style="bold" if s.active else "")
        if s.period:
            head.append(f" ({s.period})")
        head.append(" [active]" if s.active else " [inactive]", style="green" if s.active else "dim")
        console.print(head)
        width = max(len(p.code) for p in s.priorities) if s.priorities else 0
        for i, p in enumerate(s.priorities, start=1):
            console.print(Text(f"    {i}. {p.code.ljust(width)}  {p.name}"))


# projects ----------------------------------------------------------------------------------------


@cli.group()
def projects() -> None:
    """The ICT Work Plan."""


@projects.command("import")
@click.argument("file", type=click.File("rb"))
@team_option(creates=True)
@click.pass_context
def projects_import(ctx: click.Context, file: IO[bytes], team: str | None) -> None:
    """Import a Work Plan CSV (FILE, or - for standard input): all rows or none.

    Columns: ref, title, priority (code or name of the active strategy, any case), owner; optionally
    delegates (separated by ; or spaces), service_area, status, target_date (YYYY-MM-DD). Owners and
    delegates are Slack user IDs, or e-mail addresses looked up in Slack (needs SLACK_BOT_TOKEN).
    A row whose ref exists updates that project.
    """
    name = getattr(file, "name", "-")
    text = _read_text(file.read(), name)
    with _runtime(ctx) as rt:
        resolver = slack_email_resolver(_web_client(rt.settings)) if rt.settings.SLACK_BOT_TOKEN else None
        try:
            with rt.sessions.begin() as session:
                ws = _workspace(rt, session, team, create=True)
                summary = project_service.import_csv(session, ws, text, resolve_emails=resolver, now=rt.now())
                label = _label(ws)
        except ImportFailed as exc:
            _import_failed(name, exc)
    total = summary.created + summary.updated
    click.echo(
        f"Imported {total} project{'s' if total != 1 else ''} into workspace {label}: "
        f"{summary.created} created, {summary.updated} updated."
    )


def _import_failed(name: str, exc: ImportFailed) -> NoReturn:
    problems = [f"line {n}: {msg}" if n > 0 else msg for n, msg in exc.problems]
    if len(problems) == 1:  # one problem, one line
        raise CliFailure(f"Nothing was imported from {name}: {problems[0]}.")
    lines = [f"Nothing was imported from {name}; fix these and try again:", *(f"  {p}" for p in problems)]
    raise CliFailure("\n".join(lines))


@projects.command("list")
@click.option("--all", "include_closed", is_flag=True, help="Include complete and closed projects.")
@team_option(creates=False)
@click.pass_context
def projects_list(ctx: click.Context, include_closed: bool, team: str | None) -> None:
    """The Work Plan in priority order, with each project's last update."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        views = project_service.list_projects(session, ws, include_closed=include_closed)
        label = _label(ws)
        tz = rt.settings.timezone
    table = Table(title=f"Work Plan of workspace {label}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Prio", no_wrap=True)
    table.add_column("Title", ratio=1, min_width=16)
    table.add_column("Owner", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Last update", no_wrap=True)
    for v in views:
        status = Text(v.status.value.replace("_", " "))
        if v.target_date:
            status.append(f"\ndue {v.target_date.isoformat()}", style="dim")
        last = Text(v.last_update_at.astimezone(tz).date().isoformat() if v.last_update_at else "never")
        if v.last_rag:
            last.append(f" {v.last_rag.value}", style=RAG_STYLE.get(v.last_rag.value, ""))
        table.add_row(
            Text(v.ref),
            Text(v.priority_code or "-"),
            Text(v.title),
            Text("\n".join([v.owner, *(f"+{d}" for d in v.delegates)])),
            status,
            last,
        )
    console = _console()
    console.print(table)
    console.print(Text(f"{len(views)} project{'s' if len(views) != 1 else ''}."))


# export ------------------------------------------------------------------------------------------


@cli.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="Output format."
)
@output_option()
@team_option(creates=False)
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, team: str | None) -> None:
    """Everything the workspace holds: strategies and priorities, projects with delegates, and
    every update with all its revisions (timestamps ISO-8601 UTC).

    json: one document {workspace, strategies, projects, updates: [{…, revisions}]}.

    csv: one flat table, a row per update revision; a project with no update gets one row with empty
    update columns, so nothing is dropped.
    """
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        data = export_service.gather(session, ws, exported_at=rt.now())
    if fmt == "json":
        body = json.dumps(export_service.to_document(data), ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=export_service.CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(export_service.csv_rows(data))
        body = buffer.getvalue()
    if not _emit(output, body.encode("utf-8")):
        return
    revisions = sum(len(u.revisions) for u in data.updates)
    click.echo(
        f"Wrote {len(data.projects)} projects and {len(data.updates)} updates ({revisions} revisions) "
        f"of workspace {data.workspace.team_id} to {output}.",
        err=True,
    )


# import ------------------------------------------------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--team",
    metavar="TEAM_ID",
    callback=_check_team,
    help="Restore under this Slack team ID instead of the export's own (moving the records to another workspace).",
)
@click.pass_context
def import_export(ctx: click.Context, file: IO[bytes], team: str | None) -> None:
    """Restore a workspace from its JSON export (FILE, or - for standard input): all of it or nothing.

    FILE is what `ictbot export --format json` wrote (version 1 or 2); the CSV export cannot be
    imported. The whole file is checked before anything is written. The workspace must not be in this
    database yet, or be empty (only the default strategy it was created with): a workspace with
    projects, updates or strategies of its own is refused. Database ids are given anew; every
    timestamp, author, revision and the history of reminders and digest posts are kept, so the
    restored bot does not send again what was sent.
    """
    name = getattr(file, "name", "-")
    try:
        document = restore_service.load(file.read())
    except restore_service.InvalidExport as exc:
        head = f"Nothing was imported from {name}"
        if len(exc.problems) == 1 and not exc.more:  # one problem, one line
            where = exc.problems[0][0]
            if not where:
                raise CliFailure(f"{head}: {exc.message}") from None
            raise CliFailure(f"{head}; it is not an export ictbot can restore: {exc.message}.") from None
        lines = exc.message.replace("\n", "\n  ")
        raise CliFailure(f"{head}; it is not an export ictbot can restore:\n  {lines}") from None
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        summary = restore_service.restore(session, document, team=team)
    parts = [
        f"{summary.strategies} {'strategy' if summary.strategies == 1 else 'strategies'}",
        f"{summary.projects} project{'s' if summary.projects != 1 else ''}",
        f"{summary.updates} update{'s' if summary.updates != 1 else ''} ({summary.revisions} revisions)",
    ]
    if summary.version >= 2:
        parts += [
            f"{summary.roles} granted role{'s' if summary.roles != 1 else ''}",
            "the meeting series" if summary.meeting_series else "no meeting series",
            f"{summary.meetings} meeting{'s' if summary.meetings != 1 else ''}",
            f"{summary.closures} closure day{'s' if summary.closures != 1 else ''}",
            f"{summary.reminders} reminder{'s' if summary.reminders != 1 else ''}",
            f"{summary.digest_posts} digest post{'s' if summary.digest_posts != 1 else ''}",
        ]
    moved = f" (exported as {document.workspace.team_id})" if summary.team_id != document.workspace.team_id else ""
    click.echo(
        f"Restored workspace {summary.team_id}{moved} from {name} (export version {summary.version}): "
        + ", ".join(parts)
        + ".",
        err=True,
    )


# digest and committee report -------------------------------------------------------------------

REPORT_CHOICES = ("docx", *REPORT_FORMATS)  # Word is written by bot.render.docx_report, the others by templates
FROM_HELP = "The first day of the period (YYYY-MM-DD in ICTBOT_TIMEZONE), from its local midnight."
TO_HELP = (
    "The last day of the period (YYYY-MM-DD in ICTBOT_TIMEZONE), to the end of that day, or now if that is "
    "still to come."
)


def _check_day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise OptionFailure(ctx, param, f"{value!r} is not a date such as 2026-06-09 (YYYY-MM-DD).") from None
    _in_range(ctx, param, value, day.year)
    return day


def day_option(name: str, dest: str, help_text: str, *, required: bool = False) -> Callable[..., Any]:
    return click.option(name, dest, metavar="DATE", callback=_check_day, required=required, help=help_text)


def _check_days(ctx: click.Context, first: date | None, last: date | None) -> None:
    if first is not None and last is not None and first > last:
        raise click.UsageError(f"--from {first} is after --to {last}: the period must start before it ends.", ctx=ctx)


def _period(
    ctx: click.Context,
    session: Session,
    ws: Workspace,
    settings: Settings,
    now: datetime,
    first: date | None,
    last: date | None,
) -> tuple[datetime | None, datetime]:
    """The period --from and --to mean (see the digest command's help), in UTC."""
    tz = settings.timezone
    end = now
    if last is not None:
        end_of_day = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        end = min(end_of_day - timedelta(microseconds=1), now)
    if first is None:
        start, _ = digest_service.default_period(session, ws, end)
        return start, end
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    if start > end:
        raise click.UsageError(
            f"--from {first} is after the end of the period ({_local(end, settings)}): "
            "a period cannot start in the future.",
            ctx=ctx,
        )
    return start, end


def _digest_for(ctx: click.Context, team: str | None, first: date | None, last: date | None) -> digest_service.Digest:
    """The digest of the period --from/--to, read in one transaction that writes nothing."""
    settings = _settings()
    with _runtime(ctx, settings) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        now = rt.now()
        start, end = _period(ctx, session, ws, settings, now, first, last)
        built = digest_service.build(
            session, ws, start=start, end=end, now=now, default_timezone=settings.ICTBOT_TIMEZONE
        )
    return built


def _chart_png(d: digest_service.Digest) -> bytes | None:
    """The RAG-by-priority chart, or None when there is no project to draw."""
    if not d.totals.projects:
        return None
    from bot.render import charts  # matplotlib: only for the commands that draw

    return charts.rag_by_priority_png(d)


def _chart_src(d: digest_service.Digest) -> str | None:
    from bot.render import charts

    png = _chart_png(d)
    return charts.data_uri(png) if png is not None else None


def _period_words(d: digest_service.Digest) -> str:
    start = f"{d.start.astimezone(d.tz):%Y-%m-%d %H:%M}" if d.start else "the beginning"
    return f"{start} to {d.end.astimezone(d.tz):%Y-%m-%d %H:%M} {d.timezone}"


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(DIGEST_FORMATS), default="md", show_default=True, help="Output format."
)
@day_option("--from", "first", FROM_HELP + " Default: the last governance meeting before the end of the period.")
@day_option("--to", "last", TO_HELP + " Default: now.")
@output_option()
@team_option(creates=False)
@click.pass_context
def digest(
    ctx: click.Context, fmt: str, first: date | None, last: date | None, output: Path | None, team: str | None
) -> None:
    """The progress digest: every priority's projects with their latest update in the period, RAG now
    and before, trend, and the projects missing an update, completed and started.

    Without --from the period starts at the last governance meeting before its end (from the
    beginning when there was none); without --to it ends now. --from starts at local midnight of
    that day; --to ends at the end of that day, or now if --to is today or later. md is Markdown,
    html a printable page with the RAG-by-priority chart inside it, json the digest's data.
    """
    _check_days(ctx, first, last)
    d = _digest_for(ctx, team, first, last)
    body = render_digest(d, fmt, chart_src=_chart_src(d) if fmt == "html" else None)
    if not _emit(output, body.encode("utf-8")):
        return
    click.echo(
        f"Wrote the digest of workspace {d.team_id} ({count(d.totals.projects, 'project')}, "
        f"{_period_words(d)}) to {output}.",
        err=True,
    )


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_CHOICES), default="docx", show_default=True, help="Output format."
)
@day_option("--from", "first", FROM_HELP + " Usually the day after the last report's period.", required=True)
@day_option("--to", "last", TO_HELP, required=True)
@output_option(OUTPUT_HELP + " Needed for docx; html and md go to standard output without it.")
@team_option(creates=False)
@click.pass_context
def report(ctx: click.Context, fmt: str, first: date, last: date, output: Path | None, team: str | None) -> None:
    """The six-monthly committee report on the ICT Strategy, in the shape of the Audit Committee's.

    Purpose, summary of the strategy's priorities, recommendation, then the main report: a section
    per priority with the progress of its projects in the period, the RAG-by-priority chart and
    table, and the projects completed since the last report. docx is a Word document in real
    headings and numbered paragraphs, for an officer to edit; html a printable page with the chart
    inside it; md Markdown. Dates as for `ictbot digest`.
    """
    if fmt == "docx" and (output is None or (str(output) == STDOUT and sys.stdout.isatty())):
        raise click.UsageError(
            "--format docx needs --output FILE.docx: a Word document is not for a terminal.", ctx=ctx
        )
    _check_days(ctx, first, last)
    d = _digest_for(ctx, team, first, last)
    if fmt == "docx":
        from bot.render.docx_report import write_report_docx  # python-docx: only for this command

        document = io.BytesIO()
        write_report_docx(d, document, chart_png=_chart_png(d))
        body = document.getvalue()
    else:
        body = render_report(d, fmt, chart_src=_chart_src(d) if fmt == "html" else None).encode("utf-8")
    if not _emit(output, body):
        return
    click.echo(
        f"Wrote the committee report of workspace {d.team_id} ({count(d.totals.projects, 'project')}, "
        f"{count(d.totals.completed, 'project')} completed, {_period_words(d)}) to {output}.",
        err=True,
    )


# meetings ----------------------------------------------------------------------------------------


@cli.group()
def meetings() -> None:
    """The governance group's meetings, from the workspace's series (see `/ict-meeting` in Slack)."""


@meetings.command("list")
@click.option("--all", "include_dropped", is_flag=True, help="Include meetings the series no longer gives.")
@team_option(creates=False)
@click.pass_context
def meetings_list(ctx: click.Context, include_dropped: bool, team: str | None) -> None:
    """The meetings to come, in the workspace's time zone (the series is materialised first)."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        now = rt.now()
        meeting_service.materialise(session, ws, now=now, default_timezone=rt.settings.ICTBOT_TIMEZONE)
        series = meeting_service.series_view(
            meeting_service.get_series(session, ws, now=now, default_timezone=rt.settings.ICTBOT_TIMEZONE)
        )
        views = meeting_service.upcoming(session, ws, now, include_dropped=include_dropped)
        label = _label(ws)
    table = Table(title=f"Meetings of workspace {label} ({series.timezone})", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Date", "Time", "Status", "Rule's date", "Note"):
        table.add_column(column, no_wrap=column != "Note")
    for m in views:
        status = m.status.value + (", moved" if m.moved else "")
        table.add_row(
            Text(m.local_start.strftime("%a %Y-%m-%d")),
            Text(m.local_start.strftime("%H:%M %Z")),
            Text(status, style="" if m.status.value == "scheduled" else "dim"),
            Text(m.occurrence.isoformat() if m.shifted else ""),
            Text(m.note),
        )
    console = _console()
    console.print(table)
    console.print(
        Text(
            f"Series: {series.rrule} at {series.local_time:%H:%M} {series.timezone}, "
            f"bank holidays of {series.region_name}."
        )
    )


@meetings.command("generate")
@team_option(creates=True)
@click.pass_context
def meetings_generate(ctx: click.Context, team: str | None) -> None:
    """Materialise the series about twelve months ahead now (the bot also does it when asked)."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=True)
        result = meeting_service.materialise(session, ws, now=rt.now(), default_timezone=rt.settings.ICTBOT_TIMEZONE)
        label = _label(ws)
    click.echo(
        f"Meetings of workspace {label}: {result.created} created, {result.updated} re-timed, {result.dropped} dropped."
    )


@meetings.command("export")
@click.option("--format", "fmt", type=click.Choice(["ics"]), default="ics", show_default=True, help="Output format.")
@output_option()
@team_option(creates=False)
@click.pass_context
def meetings_export(ctx: click.Context, fmt: str, output: Path | None, team: str | None) -> None:
    """The meetings to come as an iCalendar file (RFC 5545) for Outlook or Google Calendar.

    Each meeting keeps its UID when it moves, and cancelled (or dropped) meetings are exported with
    STATUS:CANCELLED, so importing a newer export updates the calendar instead of duplicating it.
    """
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        now = rt.now()
        tz_name = rt.settings.ICTBOT_TIMEZONE
        meeting_service.materialise(session, ws, now=now, default_timezone=tz_name)
        series = meeting_service.get_series(session, ws, now=now, default_timezone=tz_name)
        views = meeting_service.upcoming(session, ws, now, include_dropped=True)
        body = meeting_service.to_ics(
            views,
            team_id=ws.external_id,
            timezone=series.timezone,
            duration_minutes=series.duration_minutes,
            stamp=now,
        )
    if _emit(output, body.encode("utf-8")):
        click.echo(f"Wrote {len(views)} meetings to {output}.", err=True)


# reminders ---------------------------------------------------------------------------------------


AT_HELP = (
    "The time to reconcile at: ISO 8601, e.g. 2026-12-01T09:30 (in ICTBOT_TIMEZONE) or with an offset. Default: now."
)
STAGE_KEY = re.compile(r"^(\d+)d@(\d\d)(\d\d)$")


def _stage_label(kind: ReminderKind, stage: str) -> str:
    """A reminder row's stage in words: ``5d@0930`` is 5 working days before, at 09:30."""
    if kind is ReminderKind.CHAIR:
        return "chair's notice"
    if stage.startswith("snooze-"):
        return "remind me tomorrow"
    m = STAGE_KEY.match(stage)
    if m is None:
        return stage
    days = int(m.group(1))
    return f"{days} working day{'s' if days != 1 else ''} before, {m.group(2)}:{m.group(3)}"


@cli.command()
@time_option("--at", AT_HELP)
@click.pass_context
def tick(ctx: click.Context, at: datetime | None) -> None:
    """Run one reconcile pass now (or --at): send every reminder and chair's notice that is due.

    What the in-process scheduler of `ictbot serve` and `ictbot socket` does every minute, for
    deployments that run it from cron instead (set ICTBOT_SCHEDULER=false on the servers). Covers
    every workspace; safe to run beside running servers and other ticks, since each reminder is
    claimed in the database before it is sent. Needs SLACK_BOT_TOKEN, or the multi-workspace settings
    (each team's token then comes from its installation). With --at it sends what would
    be due at that time, for real: use it against a test workspace or the stand-in. --at decides only
    what is due: the lease, the claims' times, Slack's retry records and the retention purge go by the
    real clock, so a pass simulated weeks ahead purges nothing early and locks no real pass out.
    """
    from bot.wiring import build_reconciler  # APScheduler and Bolt's renderer: only for this command
    from handlers.slack.client import web_client_without_token

    settings = _settings()
    if not (settings.oauth_enabled or settings.teams_enabled):
        settings.require("SLACK_BOT_TOKEN", purpose="ictbot tick, which sends the reminders through Slack")
    with _runtime(ctx, settings) as rt:
        now = _moment(at, settings) if at is not None else rt.now()
        client: WebClient | None = None  # Microsoft Teams only: no Slack client
        if settings.oauth_enabled:
            client = web_client_without_token(settings.SLACK_API_URL)
        elif settings.SLACK_BOT_TOKEN is not None:
            client = _web_client(settings)
        # The pass gives the lease back as it ends, so the next tick (cron's, or a server's) gets in at once.
        report = build_reconciler(rt, client).tick(at=None if at is None else now)
    if not report.held_lease:
        click.echo("Another process holds the reconcile lease; nothing done.")
        return
    click.echo(
        f"Reconciled at {_local(now, settings)}: {report.sent} sent, {report.failed} failed, "
        f"{report.retrying} to retry, {report.dropped} dropped; digests: {report.digests_sent} posted, "
        f"{report.digests_failed} failed, {report.digests_retrying} to retry."
    )
    for item, outcome in report.outcomes:
        label = f"  {item.user_id} ({_stage_label(item.kind, item.stage)})"
        if outcome.settled:
            click.echo(f"{label}: retried after an unknown outcome: {outcome.settled}")
        if outcome.error is None:
            continue
        what = "failed" if outcome.permanent else "will be retried once after the claim timeout"
        click.echo(f"{label}: {outcome.error}, {what}")


@cli.group()
def reminders() -> None:
    """Reminders before each meeting: what is due, and what Slack refused."""


@reminders.command("preview")
@time_option("--at", "The time to look at: ISO 8601, as for `ictbot tick --at`. Default: now.")
@team_option(creates=False, every=True)
@click.pass_context
def reminders_preview(ctx: click.Context, at: datetime | None, team: str | None) -> None:
    """What a reconcile pass now (or --at) would send, and to whom. Nothing is sent or recorded.

    Lists the owners' reminders and chairs' notices that are due and not yet sent. The meeting
    calendar is brought up to date for the preview only (rolled back, as everything here). Not
    listed: "Remind me tomorrow" requests and interrupted sends that the pass would also pick up.
    """
    settings = _settings()
    with _runtime(ctx, settings) as rt, rt.sessions() as session:
        now = _moment(at, settings) if at is not None else rt.now()
        found: list[tuple[str, list[reminder_service.Due]]] = []
        try:
            for ws in _every_workspace(rt, session, team):
                meeting_service.materialise(session, ws, now=now, default_timezone=settings.ICTBOT_TIMEZONE)
                admins = settings.admins_for(ws.external_id)
                found.append((_label(ws), reminder_service.due(session, ws, now=now, env_admins=admins)))
        finally:
            session.rollback()  # the preview writes nothing, the calendar it brought up to date included
    console = _console()
    when = _local(now, settings)
    for label, items in found:
        if not items:
            console.print(Text(f"Nothing is due in workspace {label} at {when}."))
            continue
        table = Table(
            title=f"Due in workspace {label} at {when}", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False
        )
        table.add_column("Meeting", no_wrap=True)
        table.add_column("Stage", no_wrap=True)
        table.add_column("Person", no_wrap=True)
        table.add_column("Projects", ratio=1, min_width=16)
        for item in items:
            table.add_row(
                Text(_local(item.meeting_starts_at, settings)),
                Text(_stage_label(item.kind, item.stage)),
                Text(item.user_id),
                Text(", ".join(p.ref for p in item.projects) or "none: all updated"),
            )
        console.print(table)
    total = sum(len(items) for _, items in found)
    console.print(Text(f"{total} reminder{'s' if total != 1 else ''} would be sent; nothing was sent or recorded."))


@reminders.command("failures")
@time_option("--since", "Show reminders due since this time (ISO 8601). Default: the last 90 days.")
@team_option(creates=False, every=True)
@click.pass_context
def reminders_failures(ctx: click.Context, since: datetime | None, team: str | None) -> None:
    """Reminders Slack refused for good (the person gone, their DMs closed) or that failed twice.

    The chairs see these in their notice the working day before the meeting as well. Also listed: the
    reminders and scheduled digests sent again after an unknown outcome without a look at the
    conversation first (Teams, or Slack's history not readable): those may have arrived twice.
    """
    settings = _settings()
    rows: list[tuple[str, str, str, str, str, str]] = []
    again: list[tuple[str, str, str, str, str]] = []
    with _runtime(ctx, settings) as rt, rt.sessions.begin() as session:
        start = _moment(since, settings) if since is not None else rt.now() - FAILURES_LOOKBACK
        for ws in _every_workspace(rt, session, team):
            again += _resent(session, ws, start, settings)
            for r in reminder_service.failures(session, ws, since=start):
                meeting = session.get_one(Meeting, r.meeting_id)
                rows.append(
                    (
                        ws.external_id,
                        _local(meeting.starts_at, settings),
                        _stage_label(r.kind, r.stage),
                        r.user_id,
                        r.project_refs.replace(",", ", "),
                        r.error or "unknown",
                    )
                )
    console = _console()
    if not rows:
        console.print(Text(f"No reminder has failed since {_local(start, settings)}."))
    else:
        table = _table(f"Reminders not delivered since {_local(start, settings)}")
        for column in ("Team", "Meeting", "Stage", "Person", "Projects", "Error"):
            table.add_column(column, no_wrap=column not in ("Projects", "Error"))
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        console.print(Text(f"{len(rows)} reminder{'s' if len(rows) != 1 else ''} not delivered."))
    if again:
        resent = _table("Sent again after an unknown outcome, without a look at the conversation (maybe twice)")
        for column in ("Team", "Meeting", "What", "To", "Why"):
            resent.add_column(column, no_wrap=column != "Why")
        for cells in again:
            resent.add_row(*(Text(cell) for cell in cells))
        console.print(resent)


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def _resent(
    session: Session, ws: Workspace, since: datetime, settings: Settings
) -> list[tuple[str, str, str, str, str]]:
    """The reminders and scheduled digests of ``ws`` sent again without a look (see `reminders failures`)."""
    rows = [
        (r.meeting_id, _stage_label(r.kind, r.stage), r.user_id, r.settlement)
        for r in claims.sent_again(session, Reminder, ws.id, since=since)
    ]
    rows += [
        (d.meeting_id, "scheduled digest", d.channel_id, d.settlement)
        for d in claims.sent_again(session, DigestPost, ws.id, since=since)
    ]
    return [
        (
            ws.external_id,
            _local(session.get_one(Meeting, meeting_id).starts_at, settings),
            what,
            to,
            why.removeprefix(claims.RESENT),
        )
        for meeting_id, what, to, why in rows
    ]


# roles -------------------------------------------------------------------------------------------


ROLE_OPTION = click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="The role to grant or revoke."
)


@cli.group()
def roles() -> None:
    """ICT admins and chairs (also `/ict-role` in Slack). Admins in ICTBOT_ADMINS are admins without a grant.

    ICTBOT_ADMINS takes user IDs (U…, an admin in every workspace) and TEAM:USER pairs (T…:U…, an
    admin in that workspace only). The members of a Slack user group can be the chairs as well.
    """


@roles.command("grant")
@click.argument("user_id", callback=_check_user)
@ROLE_OPTION
@team_option(creates=True)
@click.pass_context
def roles_grant(ctx: click.Context, user_id: str, role: str, team: str | None) -> None:
    """Grant USER_ID (a Slack user ID, U…) a role."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=True)
        admins = rt.settings.admins_for(ws.external_id)
        granted = role_service.grant(session, ws, user_id, Role(role), by="cli", now=rt.now(), env_admins=admins)
        label = _label(ws)
    if granted:
        click.echo(f"Granted {role} to {user_id} in workspace {label}.")
    elif Role(role) is Role.ADMIN and user_id in admins:
        click.echo(f"{user_id} is already an admin in workspace {label} through ICTBOT_ADMINS; nothing changed.")
    else:
        click.echo(f"{user_id} already has {role} in workspace {label}; nothing changed.")


@roles.command("revoke")
@click.argument("user_id", callback=_check_user)
@ROLE_OPTION
@team_option(creates=False)
@click.pass_context
def roles_revoke(ctx: click.Context, user_id: str, role: str, team: str | None) -> None:
    """Revoke a role granted to USER_ID."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        revoked = role_service.revoke(session, ws, user_id, Role(role), rt.settings.admins_for(ws.external_id))
        label = _label(ws)
    if revoked:
        click.echo(f"Revoked {role} from {user_id} in workspace {label}.")
    else:
        click.echo(f"{user_id} had no granted {role} role in workspace {label}; nothing changed.")


@roles.command("list")
@team_option(creates=False)
@click.pass_context
def roles_list(ctx: click.Context, team: str | None) -> None:
    """Everyone with a role, and where the role comes from; the chairs' user group, if one is set."""
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        entries = role_service.list_roles(session, ws, rt.settings.admins_for(ws.external_id))
        group = ws.chair_usergroup_id
        label = _label(ws)
    table = Table(title=f"Roles in workspace {label}", title_justify="left")
    for column in ("User", "Role", "Source"):
        table.add_column(column)
    for e in entries:
        table.add_row(Text(e.user_id), Text(e.role.value), Text(e.source))
    if group:
        table.add_row(Text(group), Text(Role.CHAIR.value), Text("every member of this Slack user group"))
    console = _console()
    if entries or group:
        console.print(table)
    else:
        console.print(Text(f"Nobody in workspace {label} has a role; set ICTBOT_ADMINS or `ictbot roles grant`."))


@roles.command("chairs-group")
@click.argument("group", metavar="USERGROUP_ID|none")
@team_option(creates=True)
@click.pass_context
def roles_chairs_group(ctx: click.Context, group: str, team: str | None) -> None:
    """Make the members of a Slack user group (its ID, S…) chairs as well; `none` for no group.

    The user group's ID is in its link in Slack ("Copy link" on the group), or ask Slack's
    usergroups.list. The bot reads the members with usergroups.users.list (scope usergroups:read).
    """
    try:
        group_id = role_service.parse_usergroup_id(group)
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="USERGROUP_ID") from None
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=True)
        changed = role_service.set_chair_usergroup(ws, group_id)
        label = _label(ws)
    if not changed and group_id:
        click.echo(f"The members of user group {group_id} already are chairs in workspace {label}; nothing changed.")
    elif not changed:
        click.echo(f"No user group stands for the chairs in workspace {label}; nothing changed.")
    elif group_id:
        click.echo(f"The members of user group {group_id} are now chairs in workspace {label}.")
    else:
        click.echo(f"No user group stands for the chairs in workspace {label} any more; granted chairs remain.")


# workspaces and retention ------------------------------------------------------------------------


@cli.group("workspaces")
def workspaces_group() -> None:
    """The workspaces this database serves, their install state, and purges after uninstall."""


@workspaces_group.command("list")
@click.pass_context
def workspaces_list(ctx: click.Context) -> None:
    """Every workspace: installed, or uninstalled and when its data is purged (ICTBOT_RETENTION_DAYS)."""
    from datetime import timedelta

    with _runtime(ctx) as rt, rt.sessions() as session:
        rows = list(session.scalars(select(Workspace).order_by(Workspace.external_id)))
        days = rt.settings.ICTBOT_RETENTION_DAYS
        table = Table(title="Workspaces", title_justify="left")
        for column in ("Team", "Name", "Since", "State"):
            table.add_column(column)
        for ws in rows:
            if ws.uninstalled_at is None:
                state = "installed"
            else:
                purge_at = ws.uninstalled_at + timedelta(days=days)
                state = (
                    f"uninstalled {_local(ws.uninstalled_at, rt.settings)}; purged from {_local(purge_at, rt.settings)}"
                )
            table.add_row(Text(ws.external_id), Text(ws.name), Text(_local(ws.created_at, rt.settings)), Text(state))
    console = _console()
    console.print(table if rows else Text("No workspaces yet."))


@workspaces_group.command("purge")
@click.option("--team", "team", required=True, callback=_check_team, help="The team (T…) whose data to delete.")
@click.option("--yes", is_flag=True, help="Confirm: delete everything the workspace holds, now.")
@click.pass_context
def workspaces_purge(ctx: click.Context, team: str, yes: bool) -> None:
    """Delete everything a workspace holds now (e.g. the council asks for its data to be erased),
    keeping only a record of the purge. Cannot be undone: `ictbot export` first if in doubt."""
    from bot.services import retention

    if not yes:
        raise DomainError(f"This deletes every record of workspace {team}; add --yes to confirm.")
    with _runtime(ctx) as rt, rt.sessions.begin() as session:
        ws = _workspace(rt, session, team, create=False)
        purged = retention.purge(session, ws, now=rt.now(), reason="by an admin (ictbot workspaces purge)")
    counts = ", ".join(f"{n} {t}" for t, n in sorted(purged.deleted.items()))
    click.echo(f"Purged workspace {purged.team_id} ({purged.name}): {counts}.", err=True)


@workspaces_group.command("purged")
@click.pass_context
def workspaces_purged(ctx: click.Context) -> None:
    """The record of purged workspaces: which, when, why, and how many rows of each kind went."""
    from models import PurgeRecord

    with _runtime(ctx) as rt, rt.sessions() as session:
        records = list(session.scalars(select(PurgeRecord).order_by(PurgeRecord.purged_at, PurgeRecord.id)))
        table = Table(title="Purged workspaces", title_justify="left")
        for column in ("Team", "Name", "Uninstalled", "Purged", "Why", "Rows deleted"):
            table.add_column(column)
        for r in records:
            counts = ", ".join(f"{n} {t}" for t, n in sorted(r.deleted.items()))
            table.add_row(
                Text(r.team_id),
                Text(r.name),
                Text(_local(r.uninstalled_at, rt.settings)),
                Text(_local(r.purged_at, rt.settings)),
                Text(r.reason),
                Text(counts),
            )
    _console().print(table if records else Text("No workspace has been purged."))


# Microsoft Teams ---------------------------------------------------------------------------------


def _check_guid_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from handlers.teams.package import check_guid

    try:
        return None if value is None else check_guid(value, what="It")
    except DomainError as exc:
        raise click.BadParameter(exc.message) from None


def _check_url_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from handlers.teams.package import check_https_url

    try:
        return None if value is None else check_https_url(value, what="It")
    except DomainError as exc:
        raise click.BadParameter(exc.message) from None


def _teams_client_id() -> str:
    """TEAMS_CLIENT_ID from the settings, or a ConfigFailure saying to set it or pass --app-id."""
    value = getattr(_settings(), "TEAMS_CLIENT_ID", None)
    secret = getattr(value, "get_secret_value", None)
    value = secret() if callable(secret) else value
    if not value:
        raise ConfigFailure(
            "The Teams app needs the bot's ID: pass --app-id GUID or set TEAMS_CLIENT_ID "
            "(the Application (client) ID of the bot's Microsoft Entra app registration)."
        )
    return str(value)


@cli.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=3978, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.pass_context
def teams(ctx: click.Context, host: str, port: int) -> None:
    """Microsoft Teams: on its own, run the bot for Teams only (needs TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET
    and TEAMS_TENANT_ID); `ictbot teams package` builds the app package to sideload."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.server import serve_teams  # the Teams SDK: only loaded to serve Teams

    serve_teams(_settings(), host=host, port=port)


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
    from handlers.teams.package import AppDetails, app_version, build_package

    details = AppDetails(
        app_id=app_id or _teams_client_id(),
        website=website,
        privacy=privacy or website,
        terms=terms or website,
        name=name,
        developer=developer,
        version=app_version(),
    ).checked()
    if not _emit(output, build_package(details)):
        return
    click.echo(
        f"Wrote the Teams app package for bot {details.app_id} ({details.name} {details.version}) to {output}.",
        err=True,
    )


# running the bot ---------------------------------------------------------------------------------


# Each run mode checks (or, for the shell, upgrades) the schema itself: bot.server refuses a database
# that is not at head, on any backend, so `ictbot db upgrade` is the one way a served database changes.


def _serve(settings: Settings, host: str, port: int) -> None:
    from bot.server import serve as serve_http

    serve_http(settings, host=host, port=port)


def _socket(settings: Settings) -> None:
    from bot.server import socket_mode

    socket_mode(settings)


def _shell(ctx: click.Context, settings: Settings, user: str) -> NoReturn:
    from bot.dev.shell import run_shell

    ctx.exit(run_shell(settings, user_id=user))


HOST_OPTION = click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
PORT_OPTION = click.option(
    "--port", default=3000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on."
)
LOCAL_USER = "U0LOCAL01"


@cli.command()
@HOST_OPTION
@PORT_OPTION
def serve(host: str, port: int) -> None:
    """Run the bot behind the HTTP receiver (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)."""
    _serve(_settings(), host, port)


@cli.command()
def socket() -> None:
    """Run the bot over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)."""
    _socket(_settings())


@cli.command()
@click.option("--user", default=LOCAL_USER, show_default=True, callback=_check_user, help="The Slack user ID you play.")
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
    if platform == "teams":
        from bot.dev.shell import run_shell

        ctx.exit(run_shell(_settings(), platform="teams"))
    _shell(ctx, _settings(), user)


@cli.command()
@HOST_OPTION
@PORT_OPTION
@click.pass_context
def run(ctx: click.Context, host: str, port: int) -> None:
    """Run the bot the way the settings say: over Socket Mode when SLACK_APP_TOKEN is set; behind the
    HTTP receiver (--host, --port) when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are; with no token,
    the local shell."""
    settings = _settings()
    mode = choose_mode(settings)
    log.info("running in %s mode", mode)
    if mode == "socket":
        _socket(settings)
    elif mode == "serve":
        _serve(settings, host, port)
    else:
        _shell(ctx, settings, LOCAL_USER)
