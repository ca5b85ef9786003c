"""The meetings one at a time: the queries others use (upcoming, next, previous, the one on a day), and a
chair moving or cancelling one. A meeting that has started is never changed.

Every function takes the time it needs (``now``, ``after``, ``before``); none reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.services.meetings.series import closures, get_series, local_datetime
from bot.services.meetings.workdays import is_working_day, why_not_working
from bot.wording import Text
from models import Meeting, MeetingSeries, MeetingStatus, Workspace

__all__ = [
    "MeetingView",
    "UnknownMeeting",
    "cancel",
    "find_meeting",
    "meeting_after",
    "meeting_for_records",
    "meeting_on",
    "move",
    "next_meetings",
    "previous_meeting",
    "reporting_period",
    "upcoming",
]


class UnknownMeeting(DomainError):
    def __init__(self, day: date, upcoming: Sequence[date]) -> None:
        hint = f" The next ones are on {', '.join(d.isoformat() for d in upcoming)}." if upcoming else ""
        super().__init__(
            Text("There is no meeting on {day}.{hint} Type `{meeting}` to see them.", day=day.isoformat(), hint=hint)
        )
        self.day = day


@dataclass(frozen=True, slots=True)
class MeetingView:
    id: int
    occurrence: date
    starts_at: datetime  # UTC
    local_start: datetime  # in the series' time zone
    status: MeetingStatus
    moved: bool  # moved by hand
    note: str
    revision: int
    updated_at: datetime

    @property
    def cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED

    @property
    def shifted(self) -> bool:
        """Held on another day than the rule's (a holiday or closure, or moved by hand)."""
        return self.local_start.date() != self.occurrence


# -- reading meetings ------------------------------------------------------------------------------


def _view(m: Meeting, tz: ZoneInfo) -> MeetingView:
    return MeetingView(
        id=m.id,
        occurrence=m.occurrence,
        starts_at=m.starts_at,
        local_start=m.starts_at.astimezone(tz),
        status=m.status,
        moved=m.moved,
        note=m.note,
        revision=m.revision,
        updated_at=m.updated_at,
    )


def workspace_timezone(session: Session, ws: Workspace, default: str = "UTC") -> ZoneInfo:
    """The workspace's time zone: its meeting series', else ``default`` (no series yet)."""
    name = session.scalar(select(MeetingSeries.timezone).where(MeetingSeries.workspace_id == ws.id))
    return ZoneInfo(name or default)


def upcoming(session: Session, ws: Workspace, now: datetime, *, include_dropped: bool = False) -> list[MeetingView]:
    """Every meeting after ``now``, cancelled ones included (and dropped ones if asked), in order."""
    tz = workspace_timezone(session, ws)
    stmt = select(Meeting).where(Meeting.workspace_id == ws.id, Meeting.starts_at > now)
    if not include_dropped:
        stmt = stmt.where(Meeting.status != MeetingStatus.DROPPED)
    return [_view(m, tz) for m in session.scalars(stmt.order_by(Meeting.starts_at))]


def next_meetings(session: Session, ws: Workspace, now: datetime, limit: int = 3) -> list[MeetingView]:
    """The next ``limit`` meetings that will be held, with any cancelled meeting that falls among them."""
    shown: list[MeetingView] = []
    held = 0
    for m in upcoming(session, ws, now):
        if held == limit:
            break
        shown.append(m)
        held += not m.cancelled
    return shown


def meeting_after(session: Session, ws: Workspace, after: datetime) -> MeetingView | None:
    """The first meeting to be held after ``after`` (cancelled ones skipped)."""
    rows = held_after(session, ws, after)
    return _view(rows[0], workspace_timezone(session, ws)) if rows else None


def held_after(session: Session, ws: Workspace, after: datetime, *, limit: int = 1) -> Sequence[Meeting]:
    """The first ``limit`` meetings to be held after ``after`` (cancelled ones skipped), as rows, in order."""
    return session.scalars(
        select(Meeting)
        .where(Meeting.workspace_id == ws.id, Meeting.starts_at > after, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at)
        .limit(limit)
    ).all()


def meeting_for_records(session: Session, ws: Workspace, now: datetime) -> MeetingView | None:
    """The meeting that decisions and actions recorded at ``now`` belong to: the one being held or most
    recently held, else (none held yet) the next one; None when the calendar has no meeting at all."""
    return previous_meeting(session, ws, now + timedelta(microseconds=1)) or meeting_after(session, ws, now)


def previous_meeting(session: Session, ws: Workspace, before: datetime) -> MeetingView | None:
    """The last meeting held before ``before`` (cancelled ones skipped)."""
    row = session.scalar(_held_before(ws, before))
    return _view(row, workspace_timezone(session, ws)) if row is not None else None


def previous_start(session: Session, ws: Workspace, before: datetime) -> datetime | None:
    """When :func:`previous_meeting` started, read without its view (nor the time zone the view needs)."""
    return session.scalar(_held_before(ws, before).with_only_columns(Meeting.starts_at))


def _held_before(ws: Workspace, before: datetime) -> Select[Meeting]:
    return (
        select(Meeting)
        .where(Meeting.workspace_id == ws.id, Meeting.starts_at < before, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def reporting_period(session: Session, ws: Workspace, meeting: MeetingView) -> tuple[datetime | None, datetime]:
    """The reporting period of a meeting: from the previous meeting held (None: the beginning) to it."""
    previous = previous_meeting(session, ws, meeting.starts_at)
    return (previous.starts_at if previous else None, meeting.starts_at)


def _on_local_day(session: Session, ws: Workspace, day: date, tz: ZoneInfo) -> list[Meeting]:
    start = local_datetime(day, time(0), tz).astimezone(UTC)
    end = local_datetime(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.workspace_id == ws.id,
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
                Meeting.status != MeetingStatus.DROPPED,
            )
            .order_by(Meeting.status.desc(), Meeting.starts_at)  # scheduled before cancelled
        )
    )


def find_meeting(session: Session, ws: Workspace, day: date, *, now: datetime) -> Meeting:
    """The meeting held on ``day`` (local), or else the one the rule put on ``day``."""
    tz = workspace_timezone(session, ws)
    found = _on_local_day(session, ws, day, tz)
    if found:
        return found[0]
    row = session.scalar(
        select(Meeting).where(
            Meeting.workspace_id == ws.id, Meeting.occurrence == day, Meeting.status != MeetingStatus.DROPPED
        )
    )
    if row is not None:
        return row
    raise UnknownMeeting(day, [m.local_start.date() for m in next_meetings(session, ws, now, 3)])


def meeting_on(session: Session, ws: Workspace, day: date, *, now: datetime) -> MeetingView:
    """:func:`find_meeting` as a view (in the workspace's time zone); :class:`UnknownMeeting` likewise."""
    return _view(find_meeting(session, ws, day, now=now), workspace_timezone(session, ws))


# -- changing one meeting --------------------------------------------------------------------------


def move(
    session: Session,
    ws: Workspace,
    day: date,
    new_day: date,
    new_time: time | None = None,
    *,
    now: datetime,
    by: str,
    default_timezone: str,
    note: str = "",
) -> tuple[MeetingView, datetime]:
    """Move the meeting on ``day`` to ``new_day`` (at ``new_time``, else at the time it had); returns the
    meeting as it is now and where it was. A cancelled meeting that is moved is held again."""
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    tz = ZoneInfo(series.timezone)
    meeting = find_meeting(session, ws, day, now=now)
    if meeting.starts_at <= now:
        raise InvalidInput(f"The meeting of {day.isoformat()} has already started; it cannot be moved.")
    at = new_time or meeting.starts_at.astimezone(tz).time()
    starts_at = local_datetime(new_day, at, tz).astimezone(UTC)
    if starts_at <= now:
        raise InvalidInput(f"{new_day.isoformat()} {at:%H:%M} is in the past; move the meeting to a time to come.")
    closed = closures(session, ws, start=new_day)
    if not is_working_day(new_day, series.holiday_region, closed):
        why = why_not_working(new_day, series.holiday_region, closed)
        raise InvalidInput(f"{new_day.isoformat()} is {why}; move the meeting to a working day.")
    clash = [m for m in _on_local_day(session, ws, new_day, tz) if m.id != meeting.id and not _cancelled(m)]
    if clash:
        raise InvalidInput(f"There is already a meeting on {new_day.isoformat()}; cancel one of them instead.")
    was = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.status = MeetingStatus.SCHEDULED
    meeting.moved = True
    meeting.note = " ".join(note.split())[:200] or f"moved from {_short(was.astimezone(tz))}"
    meeting.revision += 1
    meeting.changed_by = by
    meeting.updated_at = now
    session.flush()
    return _view(meeting, tz), was


def cancel(
    session: Session, ws: Workspace, day: date, *, now: datetime, by: str, default_timezone: str, note: str = ""
) -> MeetingView:
    """Cancel the meeting on ``day``; the others are not touched, and materialising never restores it."""
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    tz = ZoneInfo(series.timezone)
    meeting = find_meeting(session, ws, day, now=now)
    if meeting.starts_at <= now:
        raise InvalidInput(f"The meeting of {day.isoformat()} has already started; it cannot be cancelled.")
    if _cancelled(meeting):
        raise InvalidInput(f"The meeting of {day.isoformat()} is already cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.note = " ".join(note.split())[:200] or meeting.note
    meeting.revision += 1
    meeting.changed_by = by
    meeting.updated_at = now
    session.flush()
    return _view(meeting, tz)


def _cancelled(m: Meeting) -> bool:
    return m.status is MeetingStatus.CANCELLED


def _short(local: datetime) -> str:
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
