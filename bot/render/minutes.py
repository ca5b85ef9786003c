"""A meeting's minutes as Markdown or printable HTML (``minutes.md.j2``, ``minutes.html.j2``), and the bot's
own words every rendering of them shares (Word, Slack, Teams): the title, the window, how a change of a
risk or issue reads. Typed text goes through ``md``/``md_line`` in Markdown and is autoescaped in HTML;
nothing typed is ever put into the phrases built here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from bot.errors import InvalidInput
from bot.render.jinja import local_time, render
from bot.services.exceptions.model import ExceptionEntry, ExceptionKind
from bot.services.minutes import ActionClosed, ActionGiven, Minutes, RaidChange

__all__ = [
    "KIND_NAMES",
    "MINUTES_FORMATS",
    "SECTIONS",
    "change_words",
    "closed_words",
    "context",
    "due_words",
    "render_minutes",
    "title",
    "window_words",
]

MinutesFormat = Literal["md", "html"]
MINUTES_FORMATS: tuple[MinutesFormat, ...] = ("md", "html")
SECTIONS = (
    "Exceptions",
    "Decisions",
    "Actions given",
    "Actions closed since the previous meeting",
    "Risks and issues opened, changed or closed",
)
KIND_NAMES = {
    ExceptionKind.RED: "Red project",
    ExceptionKind.WORSENED: "RAG worsened",
    ExceptionKind.PAST_TARGET: "Past its target date",
    ExceptionKind.HIGH_RISK: "High risk",
    ExceptionKind.RISK_REVIEW: "Risk past its review date",
    ExceptionKind.OVERDUE_ACTION: "Overdue action",
    ExceptionKind.ASSURANCE_FAILED: "Assurance failed",
    ExceptionKind.ASSURANCE_OVERDUE: "Assurance overdue",
}


def render_minutes(m: Minutes, fmt: str) -> str:
    """The minutes as Markdown or printable HTML."""
    if fmt not in MINUTES_FORMATS:
        raise InvalidInput(f"`{fmt}` is not a minutes format here; use one of {', '.join(MINUTES_FORMATS)}.")
    return render(f"minutes.{fmt}.j2", **context(m)) + "\n"


def context(m: Minutes) -> dict[str, Any]:
    """What every minutes template is given."""
    return {
        "m": m,
        "tz": m.tz,
        "title": title(m),
        "window": window_words(m),
        "sections": SECTIONS,
        "day": lambda value: day(m, value),
        "kind_name": kind_name,
        "change_words": lambda r: change_words(m, r),
        "due_words": due_words,
        "closed_words": lambda a: closed_words(m, a),
    }


def day(m: Minutes, value: date | datetime) -> str:
    """``8 Dec 2026`` (a time: its day in the meetings' time zone)."""
    if isinstance(value, datetime):
        value = value.astimezone(m.tz).date()
    return f"{value.day} {value:%b %Y}"


def title(m: Minutes) -> str:
    """``Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT``: the bot's words only."""
    start = m.meeting.local_start
    cancelled = " (cancelled)" if m.meeting.cancelled else ""
    return f"Minutes of the ICT governance meeting of {start:%a} {start.day} {start:%b %Y, %H:%M %Z}{cancelled}"


def window_words(m: Minutes) -> str:
    """The window the closed actions and changed risks come from, e.g. ``8 Dec 2026 10:00 to 12 Jan …``."""
    until = local_time(m.until, m.tz)
    return f"from {local_time(m.since, m.tz)} to {until}" if m.since else f"up to {until}"


def kind_name(e: ExceptionEntry) -> str:
    return KIND_NAMES.get(e.kind, str(e.kind).replace("_", " ").capitalize())


def due_words(a: ActionGiven) -> str:
    """``due 15 Dec 2026`` or ``due 15 Dec 2026, done``."""
    return f"due {a.due_on.day} {a.due_on:%b %Y}" + (", done" if a.done else "")


def closed_words(m: Minutes, a: ActionClosed) -> str:
    """``closed 1 Dec 2026`` (who closed it is named by the template)."""
    return f"closed {day(m, a.done_at)}"


def change_words(m: Minutes, r: RaidChange) -> str:
    """How one change reads, in the bot's words: ``risk raised 1 Dec 2026, score 20 (high: L4 × I5)``,
    ``issue closed 3 Dec 2026``; a risk's review date when it has one and is still open."""
    parts = [f"{r.kind.value} {r.change} {day(m, r.at)}"]
    if r.score is not None:
        parts.append(f"score {r.score} ({'high: ' if r.high else ''}L{r.likelihood} × I{r.impact})")
    if r.review_on is not None and r.change != "closed":
        parts.append(f"review {r.review_on.day} {r.review_on:%b %Y}")
    return ", ".join(parts)
