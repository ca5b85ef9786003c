"""The meetings cards: the next governance meetings with the series, and the closure days to come."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.services.meetings import MeetingView, SeriesView
from handlers.teams.cards.pieces import (
    BOLD,
    Card,
    Element,
    Inline,
    fallback_text,
    make_card,
    marked_blocks,
    rich_block,
    text_block,
    text_run,
    typed_runs,
)

__all__ = ["closures_card", "meetings_card"]


def meetings_card(headline: str, meetings: Sequence[MeetingView], series: SeriesView) -> Card:
    """The next meetings, their notes as the chair typed them. ``headline``: a marked message, or empty."""
    body = marked_blocks(headline) if headline else []
    if not meetings:
        body.append(
            text_block(
                "No ICT governance meeting is scheduled in the next twelve months. A chair can set the series with "
                "**meeting series FREQ=MONTHLY;BYDAY=+2TU at 10:00**."
            )
        )
    else:
        body.append(
            rich_block(
                [
                    text_run("Next ICT governance meetings", **BOLD),
                    text_run(" ("),
                    *typed_runs(series.timezone),
                    text_run(")"),
                ]
            )
        )
        body += [rich_block(_meeting_line(m), spacing="none") for m in meetings]
    body.append(_series_block(series))
    return make_card(body, fallback=fallback_text(headline) if headline else "The next ICT governance meetings.")


def _meeting_line(m: MeetingView) -> list[Inline]:
    """A meeting in the list: its day and time, whether it is cancelled or was moved, the chair's note."""
    s = m.local_start
    when = f"{s:%a} {s.day} {s:%b %Y, %H:%M %Z}"
    if m.cancelled:
        line = [
            text_run("• "),
            text_run(when, strikethrough=True),
            text_run(" "),
            text_run("cancelled", **BOLD),
        ]
    else:
        line = [text_run("• "), text_run(when, **BOLD)]
    if m.moved and not m.cancelled:
        line += [text_run(" "), text_run("(moved)", italic=True)]
    if m.note:
        line += [text_run(" — "), *typed_runs(m.note)]
    return line


def _series_block(series: SeriesView) -> Element:
    """The series under the list: its rule, time, zone, region and reminder stages."""
    stages = "; ".join(
        f"{s.working_days_before} working day{'s' if s.working_days_before != 1 else ''} before at {s.at:%H:%M}"
        for s in series.reminder_stages
    )
    italic = {"italic": True, "isSubtle": True}
    return rich_block(
        [
            text_run("Series: ", **italic),
            *typed_runs(series.rrule, **italic),
            text_run(f" at {series.local_time:%H:%M} ", **italic),
            *typed_runs(series.timezone, **italic),
            text_run(", skipping weekends and bank holidays of ", **italic),
            *typed_runs(series.region_name, **italic),
            text_run(f". Reminders: {stages}.", **italic),
        ]
    )


def closures_card(headline: str, region_name: str, days: Mapping[date, str]) -> Card:
    """The closure days to come, their reasons as typed. ``headline``: a marked message, or empty."""
    body = marked_blocks(headline) if headline else []
    if not days:
        body.append(
            rich_block(
                [
                    text_run("No closure days are set besides the bank holidays of "),
                    *typed_runs(region_name),
                    text_run("."),
                ]
            )
        )
    else:
        body.append(text_block("**Closure days** (besides bank holidays)"))
        for d, reason in days.items():
            line = [text_run("• "), text_run(f"{d:%a} {d.day} {d:%b %Y}", **BOLD)]
            if reason:
                line += [text_run(" — "), *typed_runs(reason)]
            body.append(rich_block(line, spacing="none"))
    return make_card(body, fallback=fallback_text(headline) if headline else "Closure days.")
