"""`ictbot report`: the committee paper of a report period, and `ictbot report settings` for what it
says around the progress (committee, author, implications…). The narrative and the sign-off are written
in chat (`/ict-report`); bot.services.paper keeps them, bot.render writes the paper.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import click

from bot.cli.common import emit, local_time, open_workspace, read_settings, read_text, workspace_label
from bot.cli.digest import (
    FROM_HELP,
    TO_HELP,
    chart_png,
    chart_src,
    check_days,
    period_words,
    trends_chart,
    trends_until,
)
from bot.cli.options import OUTPUT_HELP, day_option, output_option, team_command
from bot.files import STDOUT
from bot.render.digest import REPORT_FORMATS, render_report
from bot.services import digest as digest_service
from bot.services import meetings, people
from bot.services import paper as paper_service
from bot.services.paper import settings as settings_service
from bot.wording import count

__all__ = ["report"]

REPORT_CHOICES = ("docx", *REPORT_FORMATS)  # Word is written by bot.render.docx_report, the others by templates
EXAMPLE = "bot/data/report_settings_example.yaml"


@team_command(click.group("report", invoke_without_command=True), creates=False)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_CHOICES), default="docx", show_default=True, help="Output format."
)
@day_option("--from", "first", FROM_HELP + " Default: the first day of the last report period to end.")
@day_option("--to", "last", TO_HELP + " Default: the last day of that period.")
@day_option("--meeting", "meeting", "The committee meeting's date (YYYY-MM-DD), printed at the top of the paper.")
@click.option("--item", metavar="TEXT", default="", help="The agenda item number, printed at the top of the paper.")
@output_option(OUTPUT_HELP + " Needed for docx; html and md go to standard output without it.")
def report(
    ctx: click.Context,
    fmt: str,
    first: date | None,
    last: date | None,
    meeting: date | None,
    item: str,
    output: Path | None,
    team: str | None,
) -> None:
    """The six-monthly committee paper on the ICT Strategy, in the shape of the Audit Committee's.

    Front matter from the report settings (`ictbot report settings load`), the purpose, summary,
    recommendation and reasons, the author, background papers, contact and implications; then the
    main report: the chair's narrative on the overall position and on each priority (written with
    `/ict-report` in chat), the progress of each priority's projects, the RAG chart and table, the
    RAG mix by priority at each of the last 12 meetings up to the period's end, the
    projects completed, and the outcome of consultation. A signed-off paper says who approved it.

    Without --from and --to, the last report period to end (periods come from the settings: by
    default April to September and October to March), signed off or not. With them, any period;
    the narrative and sign-off are those of the report period they match exactly, if any. docx is
    a Word document for an officer to edit; html a printable page with the chart inside it; md
    Markdown.
    """
    if ctx.invoked_subcommand is not None:
        return
    if fmt == "docx" and (output is None or (str(output) == STDOUT and sys.stdout.isatty())):
        raise click.UsageError(
            "--format docx needs --output FILE.docx: a Word document is not for a terminal.", ctx=ctx
        )
    if (first is None) != (last is None):
        raise click.UsageError("Give both --from and --to, or neither (the last report period to end).", ctx=ctx)
    check_days(ctx, first, last)
    item = item.strip()
    settings = read_settings()
    with open_workspace(ctx, team, create=False, settings=settings) as (rt, session, ws):
        now = rt.now()
        chosen = settings_service.get(session, ws)
        tz = meetings.workspace_timezone(session, ws, settings.ICTBOT_TIMEZONE)
        if first is None or last is None:
            period = paper_service.containing(now.astimezone(tz).date(), chosen).previous(chosen)
        else:
            period = paper_service.ReportPeriod(first, last)
        start, end = period.bounds(tz, now)
        if start > end:
            raise click.UsageError(
                f"--from {period.start} is after the end of the period ({local_time(now, settings)}): "
                "a period cannot start in the future.",
                ctx=ctx,
            )
        d = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz.key)
        matching = paper_service.containing(period.end, chosen)
        exact = period if matching == period else None
        paper = paper_service.paper_for(session, ws, d, exact, settings=chosen, meeting=meeting, item=item)
        names = people.directory(session, ws)
        trends = trends_until(session, ws, d) if fmt in ("docx", "html") else None
    chart = trends_chart(trends)
    if fmt == "docx":
        from bot.render.docx_report import write_report_docx  # python-docx: only for this command

        document = io.BytesIO()
        write_report_docx(d, document, chart_png=chart_png(d), paper=paper, people=names, trends=chart)
        body = document.getvalue()
    else:
        text = render_report(d, fmt, people=names, chart_src=chart_src(d, fmt), paper=paper, trends=chart)
        body = text.encode("utf-8")
    written = emit(output, body)
    if exact is None:
        click.echo(
            f"{first} to {last} is not a report period ({matching.label} is): the paper has no narrative or sign-off.",
            err=True,
        )
    if paper.changed_since_signoff:
        click.echo("The period's data has changed since the paper was signed off: it says so.", err=True)
    if not written:
        return
    completed = count(d.totals.completed, "project") if d.totals.completed else "none"
    click.echo(
        f"Wrote the committee report of workspace {d.team_id} ({count(d.totals.projects, 'project')}, "
        f"{completed} completed, {period_words(d)}) to {output}.",
        err=True,
    )


@click.group("settings")
def report_settings() -> None:
    """What the committee paper says around the progress: committee, author, implications…"""


assert isinstance(report, click.Group)
report.add_command(report_settings)


@team_command(report_settings.command("load"), creates=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def settings_load(ctx: click.Context, file: Path, team: str | None) -> None:
    """Make the YAML FILE the workspace's report settings, in place of any loaded before.

    Every key is optional and an unknown one is refused (nothing is loaded); see
    bot/data/report_settings_example.yaml for every key, commented.
    """
    parsed = paper_service.parse_yaml(read_text(file.read_bytes(), file.name))
    with open_workspace(ctx, team, create=True) as (rt, session, ws):
        settings_service.load(session, ws, parsed, now=rt.now())
        label = workspace_label(ws)
    keys = len(parsed.model_dump(exclude_defaults=True))
    click.echo(
        f"Loaded the report settings of workspace {label} from {file.name} ({count(keys, 'key')} set; "
        "the others take their defaults)."
    )


@team_command(report_settings.command("show"), creates=False)
@click.option("--all", "everything", is_flag=True, help="Show every key, the defaults too.")
def settings_show(ctx: click.Context, everything: bool, team: str | None) -> None:
    """The workspace's report settings, as a settings file holds them (load it back with `load`)."""
    settings = read_settings()
    with open_workspace(ctx, team, create=False, settings=settings) as (_rt, session, ws):
        chosen = settings_service.get(session, ws)
        loaded = settings_service.loaded_at(session, ws)
        label = workspace_label(ws)
    when = f"loaded {local_time(loaded, settings)}" if loaded else f"none loaded: the defaults (see {EXAMPLE})"
    click.echo(f"# Report settings of workspace {label}, {when}.", err=True)
    text = paper_service.to_yaml(chosen, everything=everything)
    click.echo("# (no key set)\n" if text.strip() == "{}" else text, nl=False)
