"""`ictbot stats`: the trends of the meeting cycles (on-time updates by owner and priority, the RAG mix, the
exceptions), as Markdown, JSON or CSV. bot.services.trends works them out, bot.render.trends writes them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click

from bot.cli.common import emit, local_time, open_workspace, read_settings, workspace_label
from bot.cli.digest import check_days
from bot.cli.options import day_option, output_option, team_command
from bot.render import trends as trends_text
from bot.services import trends as trends_service
from bot.transfer.export import spreadsheet_cell
from bot.wording import count

__all__ = ["stats"]


@team_command(click.command(), creates=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(trends_text.TRENDS_FORMATS),
    default="md",
    show_default=True,
    help="Output format.",
)
@day_option("--from", "first", "The first day (YYYY-MM-DD in ICTBOT_TIMEZONE): the meetings held from then.")
@day_option(
    "--to", "last", "The last day (YYYY-MM-DD in ICTBOT_TIMEZONE): the meetings held up to its end. Default: now."
)
@output_option()
def stats(
    ctx: click.Context, fmt: str, first: date | None, last: date | None, output: Path | None, team: str | None
) -> None:
    """Trends, meeting by meeting: for each cycle (from one governance meeting held to the next), the share of
    projects due an update that had one in time, overall, by owner and by priority; the RAG mix of the open
    projects at the meeting, overall and by priority; and the count of exceptions then.

    Without --from, the last 12 meetings held up to --to (or now). md is readable tables (cycles ×
    measures), json the figures, csv one flat row per cycle and measure.
    """
    check_days(ctx, first, last)
    settings = read_settings()
    tz = settings.timezone
    with open_workspace(ctx, team, create=False, settings=settings) as (rt, session, ws):
        now = rt.now()
        start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC) if first is not None else None
        if start is not None and start > now:
            raise click.UsageError(
                f"--from {first} has not come yet ({local_time(now, settings)}): no meeting has been held since.",
                ctx=ctx,
            )
        end = None
        if last is not None:
            end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC) - timedelta(
                microseconds=1
            )
        found = trends_service.trends(
            session, ws, now=now, start=start, end=end, default_timezone=settings.ICTBOT_TIMEZONE
        )
        label = workspace_label(ws)
    if fmt == "json":
        body = trends_text.to_json(found)
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=trends_text.CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in trends_text.csv_rows(found))
        body = out.getvalue()
    else:
        body = trends_text.to_markdown(found, workspace=label)
    written = emit(output, body.encode("utf-8"))
    if not found.cycles:
        click.echo("No governance meeting was held in that range: there is no cycle to show.", err=True)
    elif written:
        click.echo(
            f"Wrote the trends of workspace {label} ({count(len(found.cycles), 'meeting')}) to {output}.", err=True
        )
