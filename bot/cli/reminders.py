"""`ictbot tick` and `ictbot reminders`: one reconcile pass from cron, what is due, and what failed.

The reconciler is built by bot.wiring, loaded only by `tick`; the other commands only read.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import click
from rich.text import Text
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.cli.common import (
    every_workspace,
    local_time,
    log,
    make_console,
    open_runtime,
    read_settings,
    simple_table,
    workspace_label,
)
from bot.cli.options import moment, team_command, time_option
from bot.cli.slack_api import web_client
from bot.runtime import Runtime
from bot.services import claims, people
from bot.services import meetings as meeting_service
from bot.services import reminders as reminder_service
from bot.settings import Settings
from bot.wording import count
from handlers.slack.client import web_client_without_token
from models import Meeting, Workspace
from models.db import close_engine
from models.scheduling import DigestPost, Reminder, ReminderKind

AT_HELP = (
    "The time to reconcile at: ISO 8601, e.g. 2026-12-01T09:30 (in ICTBOT_TIMEZONE) or with an offset. Default: now."
)
STAGE_KEY = re.compile(r"^(\d+)d@(\d\d)(\d\d)$")
FAILURES_LOOKBACK = timedelta(days=90)  # `ictbot reminders failures` without --since


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
    return f"{count(days, 'working day')} before, {m.group(2)}:{m.group(3)}"


def _at(at: datetime | None, rt: Runtime) -> datetime:
    """The time --at gives, in UTC, or now."""
    return moment(at, rt.settings) if at is not None else rt.now()


@click.command()
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
    from bot.wiring import build_reconciler  # APScheduler, Slack's and Teams' delivery: only for this command

    settings = read_settings()
    client = _sending_client(settings, "ictbot tick")
    with open_runtime(ctx, settings) as rt:
        now = _at(at, rt)
        # The pass gives the lease back as it ends, so the next tick (cron's, or a server's) gets in at once.
        report = build_reconciler(rt, client).tick(at=None if at is None else now)
        names = _names(rt, [(item.workspace_id, item.user_id) for item, outcome in report.outcomes])
    if not (report.held_lease or report.shared):
        click.echo("Another process holds the reconcile lease; nothing done.")
        return
    if report.shared:
        click.echo("Another process holds the reconcile lease; this pass took the workspaces it had not reached.")
    click.echo(
        f"Reconciled at {local_time(now, settings)}: {report.sent} sent, {report.failed} failed, "
        f"{report.retrying} to retry, {report.dropped} dropped; digests: {report.digests_sent} posted, "
        f"{report.digests_failed} failed, {report.digests_retrying} to retry."
    )
    for item, outcome in report.outcomes:
        label = f"  {people.labelled(names, item.user_id)} ({_stage_label(item.kind, item.stage)})"
        if outcome.settled:
            click.echo(f"{label}: retried after an unknown outcome: {outcome.settled}")
        if outcome.error is None:
            continue
        what = "failed" if outcome.permanent else "will be retried once after the claim timeout"
        click.echo(f"{label}: {outcome.error}, {what}")


def _sending_client(settings: Settings, command: str) -> WebClient | None:
    """The Slack client reminders go out with: each team's token (multi-workspace), SLACK_BOT_TOKEN's, or
    none (Microsoft Teams only). Without any of those, a clear error."""
    if not (settings.oauth_enabled or settings.teams_enabled):
        settings.require("SLACK_BOT_TOKEN", purpose=f"{command}, which sends the reminders through Slack")
    if settings.oauth_enabled:
        return web_client_without_token(settings.SLACK_API_URL)
    if settings.SLACK_BOT_TOKEN is not None:
        return web_client(settings)
    return None


@click.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Run only the reconcile passes, one every ICTBOT_SCHEDULER_INTERVAL seconds, until stopped (SIGTERM,
    Ctrl-C): no Slack or Teams requests are served.

    For deployments that keep the passes off the processes serving Slack and Teams (many workspaces, or a
    busy server): run `ictbot worker` beside them, with ICTBOT_SCHEDULER=false on the servers. Several
    workers, and servers still running the scheduler, are safe together: on PostgreSQL they share each pass
    (a workspace at a time, under a row lock), on SQLite one pass runs at a time (a lease in the database),
    and every reminder is claimed before it is sent. Needs what `ictbot tick` needs.
    """
    from bot.scheduling.reconciler import start  # APScheduler: only for this command
    from bot.server import stopped_by_sigterm
    from bot.wiring import build_reconciler

    settings = read_settings()
    client = _sending_client(settings, "ictbot worker")
    with open_runtime(ctx, settings) as rt:
        reconciler = build_reconciler(rt, client)
        scheduler = start(reconciler, interval_seconds=settings.ICTBOT_SCHEDULER_INTERVAL)
        log.info("ictbot worker: a reconcile pass every %d s", settings.ICTBOT_SCHEDULER_INTERVAL)
        try:
            with stopped_by_sigterm():
                threading.Event().wait()  # the passes run on the scheduler's thread
        except KeyboardInterrupt:
            log.info("stopped")
        finally:
            # A pass cut short leaves at most its claims behind; they are retried after the claim timeout.
            scheduler.shutdown(wait=False)
            close_engine(rt.engine)  # SQLite's write-ahead log into the .db file, as `ictbot serve` leaves it


@click.group()
def reminders() -> None:
    """Reminders before each meeting: what is due, and what Slack refused."""


@team_command(reminders.command("preview"), creates=False, every=True)
@time_option("--at", "The time to look at: ISO 8601, as for `ictbot tick --at`. Default: now.")
def reminders_preview(ctx: click.Context, at: datetime | None, team: str | None) -> None:
    """What a reconcile pass now (or --at) would send, and to whom. Nothing is sent or recorded.

    Lists the owners' reminders and chairs' notices that are due and not yet sent. The meeting
    calendar is brought up to date for the preview only (rolled back, as everything here). Not
    listed: "Remind me tomorrow" requests and interrupted sends that the pass would also pick up.
    """
    settings = read_settings()
    with open_runtime(ctx, settings) as rt, rt.sessions() as session:
        now = _at(at, rt)
        found: list[tuple[str, list[reminder_service.Due]]] = []
        names: dict[str, str] = {}
        try:
            for ws in every_workspace(rt, session, team):
                meeting_service.materialise(session, ws, now=now, default_timezone=settings.ICTBOT_TIMEZONE)
                admins = settings.admins_for(ws.external_id)
                due = reminder_service.due(session, ws, now=now, env_admins=admins)
                found.append((workspace_label(ws), due))
                names |= people.names(session, ws, (item.user_id for item in due))
        finally:
            session.rollback()  # the preview writes nothing, the calendar it brought up to date included
    console = make_console()
    when = local_time(now, settings)
    for label, items in found:
        if not items:
            console.print(Text(f"Nothing is due in workspace {label} at {when}."))
            continue
        table = simple_table(f"Due in workspace {label} at {when}")
        table.add_column("Meeting", no_wrap=True)
        table.add_column("Stage")  # wraps, so that every project's ref shows whole in a narrow terminal
        table.add_column("Person", no_wrap=True)
        table.add_column("Projects", min_width=16, overflow="fold")  # not ratio=: rich then cut refs off
        for item in items:
            table.add_row(
                Text(local_time(item.meeting_starts_at, settings)),
                Text(_stage_label(item.kind, item.stage)),
                Text(people.labelled(names, item.user_id)),
                Text(", ".join(p.ref for p in item.projects) or "none: all updated"),
            )
        console.print(table)
    total = sum(len(items) for _, items in found)
    console.print(Text(f"{count(total, 'reminder')} would be sent; nothing was sent or recorded."))


@team_command(reminders.command("failures"), creates=False, every=True)
@time_option("--since", "Show reminders due since this time (ISO 8601). Default: the last 90 days.")
def reminders_failures(ctx: click.Context, since: datetime | None, team: str | None) -> None:
    """Reminders Slack refused for good (the person gone, their DMs closed) or that failed twice.

    The chairs see these in their notice the working day before the meeting as well. Also listed: the
    reminders and scheduled digests sent again after an unknown outcome without a look at the
    conversation first (Teams, or Slack's history not readable): those may have arrived twice.
    """
    settings = read_settings()
    rows: list[tuple[str, ...]] = []
    again: list[tuple[str, ...]] = []
    with open_runtime(ctx, settings) as rt, rt.sessions.begin() as session:
        start = moment(since, settings) if since is not None else rt.now() - FAILURES_LOOKBACK
        for ws in every_workspace(rt, session, team):
            again += _resent(session, ws, start, settings)
            rows += _failed(session, ws, start, settings)
    console = make_console()
    if not rows:
        console.print(Text(f"No reminder has failed since {local_time(start, settings)}."))
    else:
        table = simple_table(f"Reminders not delivered since {local_time(start, settings)}")
        for column in ("Team", "Meeting", "Stage", "Person", "Projects", "Error"):
            table.add_column(column, no_wrap=column not in ("Projects", "Error"))
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        console.print(Text(f"{count(len(rows), 'reminder')} not delivered."))
    if again:
        resent = simple_table("Sent again after an unknown outcome, without a look at the conversation (maybe twice)")
        for column in ("Team", "Meeting", "What", "To", "Why"):
            resent.add_column(column, no_wrap=column != "Why")
        for cells in again:
            resent.add_row(*(Text(cell) for cell in cells))
        console.print(resent)


def _failed(session: Session, ws: Workspace, since: datetime, settings: Settings) -> list[tuple[str, ...]]:
    """The reminders of ``ws`` not delivered since ``since``, a row of cells each (see `reminders failures`)."""
    failed = reminder_service.failures(session, ws, since=since)
    names = people.names(session, ws, (r.user_id for r in failed))
    return [
        (
            ws.external_id,
            local_time(session.get_one(Meeting, r.meeting_id).starts_at, settings),
            _stage_label(r.kind, r.stage),
            people.labelled(names, r.user_id),
            r.project_refs.replace(",", ", "),
            r.error or "unknown",
        )
        for r in failed
    ]


def _resent(session: Session, ws: Workspace, since: datetime, settings: Settings) -> list[tuple[str, ...]]:
    """The reminders and scheduled digests of ``ws`` sent again without a look (see `reminders failures`)."""
    rows = [
        (r.meeting_id, _stage_label(r.kind, r.stage), r.user_id, r.settlement)
        for r in claims.sent_again(session, Reminder, ws.id, since=since)
    ]
    names = people.names(session, ws, (to for _, _, to, _ in rows))
    rows = [(meeting_id, what, people.labelled(names, to), why) for meeting_id, what, to, why in rows]
    rows += [
        (d.meeting_id, "scheduled digest", d.channel_id, d.settlement)
        for d in claims.sent_again(session, DigestPost, ws.id, since=since)
    ]
    return [
        (
            ws.external_id,
            local_time(session.get_one(Meeting, meeting_id).starts_at, settings),
            what,
            to,
            why.removeprefix(claims.RESENT),
        )
        for meeting_id, what, to, why in rows
    ]


def _names(rt: Runtime, people_of: list[tuple[int, str]]) -> dict[str, str]:
    """The directory's names of the users in ``people_of`` (workspace id, user id), read after a pass."""
    if not people_of:
        return {}
    names: dict[str, str] = {}
    with rt.sessions() as session:
        for ws_id in {ws_id for ws_id, _ in people_of}:
            ws = session.get(Workspace, ws_id)
            if ws is not None:  # not purged by the pass
                names |= people.names(session, ws, (user for w, user in people_of if w == ws_id))
    return names
