"""`ictbot export` and `ictbot import`: a workspace out as JSON or CSV, and back in from its JSON.

The work is bot.transfer's; here only the options, the encoding and the one-line summaries.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import IO

import click

from bot.cli.common import DEMO_REFUSAL, CliFailure, emit, open_runtime, open_workspace
from bot.cli.options import check_team, output_option, team_command
from bot.errors import DomainError
from bot.settings import LOCAL_TEAM_ID
from bot.transfer import export as export_service
from bot.transfer import restore as restore_service
from bot.wording import count


@team_command(click.command("export"), creates=False)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="Output format."
)
@output_option()
def export(ctx: click.Context, fmt: str, output: Path | None, team: str | None) -> None:
    """Everything the workspace holds: strategies and priorities, projects with delegates, and
    every update with all its revisions (timestamps ISO-8601 UTC).

    json: one document {workspace, strategies, projects, updates: [{…, revisions}]}.

    csv: one flat table, a row per update revision; a project with no update gets one row with empty
    update columns, so nothing is dropped.
    """
    with open_workspace(ctx, team, create=False) as (rt, session, ws):
        data = export_service.gather(session, ws, exported_at=rt.now())
    if fmt == "json":
        body = json.dumps(export_service.to_document(data), ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=export_service.CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(export_service.csv_rows(data))
        body = buffer.getvalue()
    if not emit(output, body.encode("utf-8")):
        return
    revisions = sum(len(u.revisions) for u in data.updates)
    click.echo(
        f"Wrote {len(data.projects)} projects and {len(data.updates)} updates ({revisions} revisions) "
        f"of workspace {data.workspace.team_id} to {output}.",
        err=True,
    )


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--team",
    metavar="TEAM_ID",
    callback=check_team,
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
        raise _invalid_export(name, exc) from None
    if team == LOCAL_TEAM_ID:
        raise DomainError(DEMO_REFUSAL)
    if team is None and document.workspace.platform == "slack" and document.workspace.team_id == LOCAL_TEAM_ID:
        raise DomainError(
            f"Nothing was imported from {name}: it is an export of {LOCAL_TEAM_ID}, the local shell's demo workspace, "
            "which only `ictbot shell` writes to. Restore it under your own team with --team TEAM_ID."
        )
    with open_runtime(ctx) as rt, rt.sessions.begin() as session:
        summary = restore_service.restore(session, document, team=team)
    parts = [
        f"{summary.strategies} {'strategy' if summary.strategies == 1 else 'strategies'}",
        count(summary.projects, "project"),
        f"{count(summary.updates, 'update')} ({summary.revisions} revisions)",
    ]
    if summary.version >= 2:  # a version 1 export holds only the three above
        parts += [
            count(summary.roles, "granted role"),
            "the meeting series" if summary.meeting_series else "no meeting series",
            count(summary.meetings, "meeting"),
            count(summary.closures, "closure day"),
            count(summary.reminders, "reminder"),
            count(summary.digest_posts, "digest post"),
        ]
    moved = f" (exported as {document.workspace.team_id})" if summary.team_id != document.workspace.team_id else ""
    click.echo(
        f"Restored workspace {summary.team_id}{moved} from {name} (export version {summary.version}): "
        + ", ".join(parts)
        + ".",
        err=True,
    )


def _invalid_export(name: str, exc: restore_service.InvalidExport) -> CliFailure:
    head = f"Nothing was imported from {name}"
    if len(exc.problems) == 1 and not exc.more:  # one problem, one line
        where = exc.problems[0][0]
        if not where:
            return CliFailure(f"{head}: {exc.message}")
        return CliFailure(f"{head}; it is not an export ictbot can restore: {exc.message}.")
    lines = exc.message.replace("\n", "\n  ")
    return CliFailure(f"{head}; it is not an export ictbot can restore:\n  {lines}")
