"""The local shell's clock, which ``:time`` moves, and what falls due on the calendar after a moment.

The shell's :class:`~bot.runtime.Runtime` reads :class:`ShellClock`: the real clock (or a test's), moved by
an offset. ``:time`` sets it and runs one pass of the product's reconciler at it, so that reminders, the
chairs' notice and the scheduled digest go out as they would at that moment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.runtime import system_clock
from bot.services import digest_posts, meetings, reminders
from models import MeetingSeries, Workspace

__all__ = ["FORMAT", "Moment", "ShellClock", "moments", "parse_moment"]

FORMAT = "%Y-%m-%d %H:%M"
SHOWN = "%a %-d %b %Y %H:%M %Z"
MEETINGS_LOOKED_AT = 2  # the next meeting's moments, and the one after's once those have passed


@dataclass
class ShellClock:
    """``base()`` moved by ``offset``; :meth:`set` moves it to a moment, from which it runs on."""

    base: Callable[[], datetime] = system_clock
    offset: timedelta = field(default=timedelta(0))

    def __call__(self) -> datetime:
        return self.base() + self.offset

    def set(self, at: datetime) -> None:
        self.offset = at - self.base()


@dataclass(frozen=True, slots=True)
class Moment:
    at: datetime
    what: str


def parse_moment(text: str, tz: ZoneInfo) -> datetime:
    """``YYYY-MM-DD HH:MM`` in ``tz``; ValueError with a message a person can act on."""
    try:
        local = datetime.strptime(" ".join(text.split()), FORMAT)
    except ValueError:
        raise ValueError(f"{text!r} is not a time: give it as YYYY-MM-DD HH:MM, e.g. 2026-12-01 09:30.") from None
    return local.replace(tzinfo=tz)


def shown(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime(SHOWN)


def moments(session: Session, ws: Workspace, *, after: datetime, where: Callable[[str], str]) -> list[Moment]:
    """What falls due after ``after`` for the next meetings: each stage's reminders, the chairs' notice and
    the digest (in the governance channel, named by ``where``), earliest first; what falls due at the same
    moment is one moment."""
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    if series is None:
        return []
    tz = ZoneInfo(series.timezone)
    coming = meetings.held_after(session, ws, after, limit=MEETINGS_LOOKED_AT)
    found: dict[datetime, list[str]] = {}
    for meeting in coming:
        at_meeting: dict[datetime, list[str]] = {}
        for stage, at in reminders.stage_times(session, ws, meeting):
            if stage is None:
                what = "the chairs' notice"
            else:
                days = stage.working_days_before
                what = f"reminders ({days} working day{'s' if days != 1 else ''} before)"
            at_meeting.setdefault(at, []).append(what)
        if series.channel_id:
            at_meeting.setdefault(digest_posts.digest_due_at(session, series, meeting), []).append(
                f"the digest in {where(series.channel_id)}"
            )
        of = f"the meeting of {shown(meeting.starts_at, tz)}"
        for at, whats in at_meeting.items():
            found.setdefault(at, []).append(f"{' and '.join(whats)}, for {of}")
        found.setdefault(meeting.starts_at, []).append(f"{of} starts")
    return [Moment(at, "; ".join(whats)) for at, whats in sorted(found.items()) if at > after]
