"""`ictbot digest`: the progress digest of a period, and what `ictbot report` (bot.cli.report) shares with it.

The period comes from --from/--to in ICTBOT_TIMEZONE; bot.services.digest builds it and bot.render
writes it. matplotlib and python-docx are loaded only when a chart or a Word file is drawn.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from bot.cli.common import emit, local_time, open_workspace, read_settings
from bot.cli.options import day_option, output_option, team_command
from bot.render.charts import Chart
from bot.render.digest import DIGEST_FORMATS, render_digest
from bot.services import digest as digest_service
from bot.services import people
from bot.services import trends as trends_service
from bot.settings import Settings
from bot.wording import count
from models import Workspace

FROM_HELP = "The first day of the period (YYYY-MM-DD in ICTBOT_TIMEZONE), from its local midnight."
TO_HELP = (
    "The last day of the period (YYYY-MM-DD in ICTBOT_TIMEZONE), to the end of that day, or now if that is "
    "still to come."
)


def check_days(ctx: click.Context, first: date | None, last: date | None) -> None:
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
            f"--from {first} is after the end of the period ({local_time(end, settings)}): "
            "a period cannot start in the future.",
            ctx=ctx,
        )
    return start, end


def digest_for(
    ctx: click.Context, team: str | None, first: date | None, last: date | None, *, with_trends: bool = False
) -> tuple[digest_service.Digest, dict[str, str], trends_service.Trends | None]:
    """The digest of the period --from/--to, the people directory's names and (``with_trends``) the trends
    of the last meetings up to its end, read in one transaction that writes nothing."""
    check_days(ctx, first, last)
    settings = read_settings()
    with open_workspace(ctx, team, create=False, settings=settings) as (rt, session, ws):
        now = rt.now()
        start, end = _period(ctx, session, ws, settings, now, first, last)
        built = digest_service.build(
            session, ws, start=start, end=end, now=now, default_timezone=settings.ICTBOT_TIMEZONE
        )
        names = people.directory(session, ws)
        trends = trends_until(session, ws, built) if with_trends else None
    return built, names, trends


def trends_until(session: Session, ws: Workspace, d: digest_service.Digest) -> trends_service.Trends:
    """The trends of the last meetings held up to the digest's end: what its second chart draws."""
    return trends_service.trends(session, ws, now=d.end, end=d.end, default_timezone=d.timezone)


def trends_chart(trends: trends_service.Trends | None) -> Chart | None:
    """The RAG mix by priority over the last meetings, drawn; None when there is nothing to draw."""
    if trends is None:
        return None
    from bot.render import charts  # matplotlib: only for the commands that draw

    return charts.trends_chart(trends)


def chart_png(d: digest_service.Digest) -> bytes | None:
    """The RAG-by-priority chart, or None when there is no project to draw."""
    if not d.totals.projects:
        return None
    from bot.render import charts  # matplotlib: only for the commands that draw

    return charts.rag_by_priority_png(d)


def chart_src(d: digest_service.Digest, fmt: str) -> str | None:
    """The chart as a data: URI for the html format, which carries it inside the page; else None."""
    if fmt != "html":
        return None
    from bot.render import charts  # matplotlib: only for the commands that draw

    png = chart_png(d)
    return charts.data_uri(png) if png is not None else None


def period_words(d: digest_service.Digest) -> str:
    end = f"{d.end.astimezone(d.tz):%Y-%m-%d %H:%M} {d.timezone}"
    return f"{d.start.astimezone(d.tz):%Y-%m-%d %H:%M} to {end}" if d.start else f"up to {end}"


@team_command(click.command(), creates=False)
@click.option(
    "--format", "fmt", type=click.Choice(DIGEST_FORMATS), default="md", show_default=True, help="Output format."
)
@day_option("--from", "first", FROM_HELP + " Default: the last governance meeting before the end of the period.")
@day_option("--to", "last", TO_HELP + " Default: now.")
@output_option()
def digest(
    ctx: click.Context, fmt: str, first: date | None, last: date | None, output: Path | None, team: str | None
) -> None:
    """The progress digest: every priority's projects with their latest update in the period, RAG now
    and before, trend, and the projects missing an update, completed and started.

    Without --from the period starts at the last governance meeting before its end (from the
    beginning when there was none); without --to it ends now. --from starts at local midnight of
    that day; --to ends at the end of that day, or now if --to is today or later. md is Markdown,
    html a printable page with the RAG-by-priority chart inside it, and the RAG mix by priority at
    each of the last 12 meetings up to the period's end; json the digest's data.
    """
    d, names, trends = digest_for(ctx, team, first, last, with_trends=fmt == "html")
    body = render_digest(d, fmt, people=names, chart_src=chart_src(d, fmt), trends=trends_chart(trends))
    if not emit(output, body.encode("utf-8")):
        return
    click.echo(
        f"Wrote the digest of workspace {d.team_id} ({count(d.totals.projects, 'project')}, "
        f"{period_words(d)}) to {output}.",
        err=True,
    )
