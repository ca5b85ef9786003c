"""`ictbot minutes`: a governance meeting's record as Word, Markdown or HTML.

bot.services.minutes builds it (read in one transaction that writes nothing); bot.render writes it.
python-docx is loaded only when a Word file is written.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from bot.cli.common import emit, open_workspace, read_settings
from bot.cli.options import OUTPUT_HELP, day_option, output_option, team_command
from bot.files import STDOUT
from bot.render.minutes import MINUTES_FORMATS, render_minutes
from bot.services import minutes as minutes_service
from bot.services.meetings import UnknownMeeting
from bot.wording import count

__all__ = ["minutes"]

FORMATS = ("docx", *MINUTES_FORMATS)


@team_command(click.command("minutes"), creates=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@day_option("--meeting", "meeting", "The meeting's date (YYYY-MM-DD, local). Default: the meeting decisions go to now.")
@output_option(OUTPUT_HELP + " Without it, md and html go to standard output and docx to minutes-DATE.docx here.")
def minutes(ctx: click.Context, fmt: str, meeting: date | None, output: Path | None, team: str | None) -> None:
    """A governance meeting's record: the exceptions at the time, the decisions recorded against the
    meeting, the actions given at it (owner and due date), the actions closed and the risks and issues
    raised, changed or closed since the previous meeting.

    Without --meeting it is the meeting that decisions and actions go to now: the one being held or
    most recently held, else the next one. docx is a Word document to edit; html a printable page; md
    Markdown.
    """
    if fmt == "docx" and output is not None and str(output) == STDOUT and sys.stdout.isatty():
        raise click.UsageError("--format docx is not for a terminal: give --output FILE.docx.", ctx=ctx)
    settings = read_settings()
    with open_workspace(ctx, team, create=False, settings=settings) as (rt, session, ws):
        try:
            m = minutes_service.for_meeting(
                session, ws, meeting, now=rt.now(), default_timezone=settings.ICTBOT_TIMEZONE
            )
        except UnknownMeeting as exc:
            raise click.UsageError(exc.message, ctx=ctx) from None
    if fmt == "docx":
        from bot.render.docx_minutes import minutes_docx  # python-docx: only for this format

        body = minutes_docx(m)
        output = output or Path(f"minutes-{m.day.isoformat()}.docx")
    else:
        body = render_minutes(m, fmt).encode("utf-8")
    if not emit(output, body):
        return
    click.echo(
        f"Wrote the minutes of the meeting of {m.day.isoformat()} ({count(len(m.decisions), 'decision')}, "
        f"{count(len(m.actions), 'action')} given) to {output}.",
        err=True,
    )
