"""The meetings as an RFC 5545 calendar (``.ics``) that calendar apps subscribe to or import.

A pure function of meeting views: no database, no clock (the stamp is passed in).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.literal import visible
from bot.services.meetings.single import MeetingView
from models import MeetingStatus

__all__ = ["SUMMARY", "to_ics"]

SUMMARY = "ICT governance group"


def to_ics(
    meetings: Iterable[MeetingView],
    *,
    team_id: str,
    timezone: str,
    duration_minutes: int = 60,
    stamp: datetime,
    summary: str = SUMMARY,
) -> str:
    """An RFC 5545 calendar with one event per meeting; cancelled and dropped ones say STATUS:CANCELLED.

    A meeting's UID is stable (workspace and rule date), and its SEQUENCE is the meeting's revision, so
    a calendar that imported an earlier export updates the event rather than adding another.
    """
    tz = ZoneInfo(timezone)
    cal = Calendar()
    cal.add("prodid", "-//ictbot//ICT governance meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    summary = visible(summary)  # the calendar shows what was typed, without bidi or zero-width characters
    cal.add("x-wr-calname", summary)
    cal.add("x-wr-timezone", timezone)
    first: date | None = None
    last: date | None = None
    for m in meetings:
        start = m.starts_at.astimezone(tz)
        event = Event()
        event.add("uid", f"meeting-{m.occurrence:%Y%m%d}-{team_id.lower()}@ictbot")
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("last-modified", m.updated_at.astimezone(UTC))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=duration_minutes))
        event.add("summary", summary)
        event.add("sequence", m.revision)
        event.add("status", "CONFIRMED" if m.status is MeetingStatus.SCHEDULED else "CANCELLED")
        if m.note:
            event.add("description", visible(m.note))  # icalendar escapes , ; \ and line breaks (RFC 5545)
        cal.add_component(event)
        first = min(first or start.date(), start.date())
        last = max(last or start.date(), start.date())
    if first is not None and last is not None:
        cal.add_missing_timezones(first_date=first - timedelta(days=366), last_date=last + timedelta(days=366))
    ics: bytes = cal.to_ical()
    return ics.decode("utf-8")
