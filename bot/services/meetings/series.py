"""A workspace's meeting series, and materialising it into meeting rows about a year ahead.

The series is an RFC 5545 RRULE (default: the second Tuesday of every month) at a local time in a
time zone. A meeting whose rule date is not a working day moves to the next one but keeps the rule's
date as its key (``occurrence``), so materialising again finds the same row. Materialising never
changes a meeting that has started or that a chair moved or cancelled; a future meeting the rule no
longer gives is marked dropped, not deleted. Every function takes ``now``; none reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du_rrule
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services.meetings.parsing import (
    REGIONS,
    ReminderStage,
    parse_channel,
    parse_region,
    parse_reminder_stages,
    parse_rrule,
    parse_timezone,
)
from bot.services.meetings.workdays import is_working_day, next_working_day, why_not_working
from models import ClosureDay, Meeting, MeetingSeries, MeetingStatus, Workspace
from models.db import insert_missing

__all__ = [
    "DEFAULT_REMINDER_STAGES",
    "DEFAULT_RRULE",
    "DEFAULT_TIME",
    "MaterialiseResult",
    "SeriesView",
    "add_closure",
    "closures",
    "get_series",
    "local_datetime",
    "materialise",
    "remove_closure",
    "series_view",
    "set_channel",
    "set_channel_id",
    "set_series",
]

DEFAULT_RRULE = "FREQ=MONTHLY;BYDAY=+2TU"
DEFAULT_TIME = time(10, 0)
DEFAULT_REGION = "ENG"
DEFAULT_REMINDER_STAGES = "5@09:30,1@09:30"
DEFAULT_HORIZON_DAYS = 366
# How far before today materialising looks for rule dates, so that a meeting moved forward across
# today (a Sunday's meeting held on Monday) is still recognised as the rule's.
LOOKBACK_DAYS = 62


@dataclass(frozen=True, slots=True)
class SeriesView:
    rrule: str
    anchor: date
    local_time: time
    duration_minutes: int
    timezone: str
    holiday_region: str
    region_name: str
    channel_id: str | None
    reminder_stages: tuple[ReminderStage, ...]
    digest_stage: ReminderStage


@dataclass(frozen=True, slots=True)
class MaterialiseResult:
    created: int
    updated: int
    dropped: int


def _stages_text(stages: Iterable[ReminderStage]) -> str:
    return ",".join(f"{s.working_days_before}@{s.at:%H:%M}" for s in stages)


# -- the series ------------------------------------------------------------------------------------


def get_series(session: Session, ws: Workspace, *, now: datetime, default_timezone: str) -> MeetingSeries:
    """The workspace's series, created with the defaults on first use (once, however many ask at once)."""
    series = _series(session, ws)
    if series is not None:
        return series
    row = {
        "workspace_id": ws.id,
        "rrule": DEFAULT_RRULE,
        "anchor": now.astimezone(ZoneInfo(default_timezone)).date(),
        "local_time": DEFAULT_TIME,
        "duration_minutes": 60,
        "timezone": default_timezone,
        "holiday_region": DEFAULT_REGION,
        "channel_id": None,
        "reminder_stages": DEFAULT_REMINDER_STAGES,
        "updated_by": "default",
        "updated_at": now,
    }
    insert_missing(session, MeetingSeries, [row], key=("workspace_id",))
    series = _series(session, ws)  # ours, or the one a concurrent first use committed
    if series is None:
        raise RuntimeError(f"the meeting series of workspace {ws.id} was neither inserted nor found")
    return series


def _series(session: Session, ws: Workspace) -> MeetingSeries | None:
    return session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))


def series_view(series: MeetingSeries) -> SeriesView:
    return SeriesView(
        rrule=series.rrule,
        anchor=series.anchor,
        local_time=series.local_time,
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
        holiday_region=series.holiday_region,
        region_name=REGIONS.get(series.holiday_region, series.holiday_region),
        channel_id=series.channel_id,
        reminder_stages=parse_reminder_stages(series.reminder_stages),
        digest_stage=parse_reminder_stages(series.digest_stage)[0],
    )


def set_series(
    session: Session,
    ws: Workspace,
    *,
    now: datetime,
    by: str,
    default_timezone: str,
    rrule: str | None = None,
    local_time: time | None = None,
    timezone: str | None = None,
    region: str | None = None,
    reminder_stages: str | None = None,
    digest_stage: str | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> SeriesView:
    """Change the series (only what is given) and materialise it again. Nothing is written if any
    value is wrong. A new rule starts from today (its DTSTART)."""
    rule = parse_rrule(rrule) if rrule is not None else None
    zone = parse_timezone(timezone) if timezone is not None else None
    area = parse_region(region) if region is not None else None
    stages = _stages_text(parse_reminder_stages(reminder_stages)) if reminder_stages is not None else None
    digest_at = parse_reminder_stages(digest_stage) if digest_stage is not None else None
    if digest_at is not None and len(digest_at) != 1:
        raise InvalidInput("Give one time for the digest, e.g. `1@12:00` (one working day before, at noon).")
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    if rule is not None and rule != series.rrule:
        series.rrule = rule
        series.anchor = now.astimezone(ZoneInfo(zone or series.timezone)).date()
    if local_time is not None:
        series.local_time = local_time
    if zone is not None:
        series.timezone = zone
    if area is not None:
        series.holiday_region = area
    if stages is not None:
        series.reminder_stages = stages
    if digest_at is not None:
        series.digest_stage = _stages_text(digest_at)
    series.updated_by = by
    series.updated_at = now
    session.flush()
    materialise(session, ws, now=now, default_timezone=default_timezone, horizon_days=horizon_days)
    return series_view(series)


def set_channel(session: Session, ws: Workspace, channel: str, *, now: datetime, by: str, default_timezone: str) -> str:
    """Set the governance channel (a channel ID, ``#C…`` or Slack's ``<#C…|name>``); returns its ID."""
    return set_channel_id(session, ws, parse_channel(channel), now=now, by=by, default_timezone=default_timezone)


def set_channel_id(
    session: Session, ws: Workspace, channel_id: str, *, now: datetime, by: str, default_timezone: str
) -> str:
    """Set the governance channel to ``channel_id`` as the platform names it (a Slack ``C…``, a Teams
    conversation id), where the scheduled digest is posted; returns it."""
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    series.channel_id = channel_id
    series.updated_by = by
    series.updated_at = now
    return channel_id


# -- closure days ----------------------------------------------------------------------------------


def closures(session: Session, ws: Workspace, *, start: date | None = None) -> dict[date, str]:
    """Closure days (and their reasons) from ``start`` on."""
    stmt = select(ClosureDay.day, ClosureDay.reason).where(ClosureDay.workspace_id == ws.id)
    if start is not None:
        stmt = stmt.where(ClosureDay.day >= start)
    return {day: reason for day, reason in session.execute(stmt.order_by(ClosureDay.day))}


def add_closure(
    session: Session, ws: Workspace, day: date, reason: str, *, now: datetime, by: str, default_timezone: str
) -> bool:
    """Add a closure day and move the meetings off it; False when it was one already."""
    reason = " ".join(reason.split())[:200]
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    if day < now.astimezone(ZoneInfo(series.timezone)).date():
        raise InvalidInput(f"{day.isoformat()} is in the past; closure days only affect meetings to come.")
    row = {"workspace_id": ws.id, "day": day, "reason": reason, "created_by": by, "created_at": now}
    if not insert_missing(session, ClosureDay, [row], key=("workspace_id", "day")):
        return False  # it was one already (perhaps added a moment ago by someone else)
    materialise(session, ws, now=now, default_timezone=default_timezone)
    return True


def remove_closure(session: Session, ws: Workspace, day: date, *, now: datetime, default_timezone: str) -> bool:
    """Remove a closure day and put the rule's meetings back on it; False when it was not one."""
    result = session.execute(delete(ClosureDay).where(ClosureDay.workspace_id == ws.id, ClosureDay.day == day))
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    materialise(session, ws, now=now, default_timezone=default_timezone)
    return True


# -- materialising ---------------------------------------------------------------------------------


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _rule_dates(series: MeetingSeries, start: date, end: date) -> list[date]:
    tz = ZoneInfo(series.timezone)
    dtstart = local_datetime(series.anchor, series.local_time, tz)
    rule = du_rrule.rrulestr(series.rrule, dtstart=dtstart)
    hits = rule.between(local_datetime(start, time(0), tz), local_datetime(end, time(23, 59), tz), inc=True)
    return sorted({hit.date() for hit in hits})


@dataclass(frozen=True, slots=True)
class _Planned:
    day: date
    note: str


def _plan(series: MeetingSeries, dates: list[date], closed: dict[date, str]) -> dict[date, _Planned]:
    """Rule date → the day the meeting is held. A rule date that is a working day keeps its day; the
    others move to the next working day, unless a meeting is held that day already."""
    region = series.holiday_region
    plan: dict[date, _Planned] = {}
    taken: set[date] = set()
    for d in dates:
        if is_working_day(d, region, closed):
            plan[d] = _Planned(d, "")
            taken.add(d)
    for d in dates:
        if d in plan:
            continue
        target = next_working_day(d, region, closed)
        if target in taken:
            continue
        plan[d] = _Planned(target, f"moved from {d:%a} {d.day} {d:%b}: {why_not_working(d, region, closed)}")
        taken.add(target)
    return plan


def materialise(
    session: Session,
    ws: Workspace,
    *,
    now: datetime,
    default_timezone: str,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> MaterialiseResult:
    """Bring the meeting rows in line with the series from today to ``horizon_days`` ahead.

    Creates the missing meetings, re-times the rule's meetings whose day or time changed, marks
    dropped the future meetings the rule no longer gives (and brings back those it gives again).
    Leaves alone: meetings that have started, meetings moved or cancelled by hand.
    Running it twice changes nothing the second time.
    """
    series = get_series(session, ws, now=now, default_timezone=default_timezone)
    tz = ZoneInfo(series.timezone)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=LOOKBACK_DAYS)
    closed = closures(session, ws, start=first)
    plan = _plan(series, _rule_dates(series, first, today + timedelta(days=horizon_days)), closed)
    rows = _rows_from(session, ws, first, now)
    missing: list[dict[str, object]] = []
    updated = 0
    for occurrence, planned in sorted(plan.items()):
        starts_at = local_datetime(planned.day, series.local_time, tz).astimezone(UTC)
        row = rows.get(occurrence)
        if row is None:
            if starts_at > now:
                missing.append(_new_row(ws, occurrence, starts_at, planned.note, now))
        elif _regenerable(row, now) and starts_at > now:
            updated += _retime(row, starts_at, planned.note, now)
    dropped = _drop_unplanned(rows, plan, now)
    session.flush()
    # Another request may be materialising the same meetings right now: each is created by one of them.
    created = insert_missing(session, Meeting, missing, key=("workspace_id", "occurrence"))
    return MaterialiseResult(created=len(created), updated=updated, dropped=dropped)


def _rows_from(session: Session, ws: Workspace, first: date, now: datetime) -> dict[date, Meeting]:
    """The meetings materialising may meet, by rule date: from ``first`` on, and any still to start."""
    stmt = select(Meeting).where(
        Meeting.workspace_id == ws.id, (Meeting.occurrence >= first) | (Meeting.starts_at > now)
    )
    return {m.occurrence: m for m in session.scalars(stmt)}


def _new_row(ws: Workspace, occurrence: date, starts_at: datetime, note: str, now: datetime) -> dict[str, object]:
    return {
        "workspace_id": ws.id,
        "occurrence": occurrence,
        "starts_at": starts_at,
        "status": MeetingStatus.SCHEDULED,
        "moved": False,
        "note": note,
        "revision": 0,
        "changed_by": None,
        "updated_at": now,
    }


def _retime(row: Meeting, starts_at: datetime, note: str, now: datetime) -> bool:
    """Put the rule's meeting at ``starts_at`` with ``note`` (held again if it was dropped); False when it is so."""
    if row.starts_at == starts_at and row.note == note and row.status is not MeetingStatus.DROPPED:
        return False
    row.status = MeetingStatus.SCHEDULED
    row.starts_at = starts_at
    row.note = note
    row.revision += 1
    row.updated_at = now
    return True


def _drop_unplanned(rows: dict[date, Meeting], plan: Collection[date], now: datetime) -> int:
    """Mark dropped the scheduled meetings the rule no longer gives (those it may change); how many."""
    dropped = 0
    for occurrence, row in rows.items():
        if occurrence not in plan and _regenerable(row, now) and row.status is MeetingStatus.SCHEDULED:
            row.status = MeetingStatus.DROPPED
            row.revision += 1
            row.updated_at = now
            dropped += 1
    return dropped


def _regenerable(row: Meeting, now: datetime) -> bool:
    """The series may change it: not started, not moved or cancelled by hand."""
    return row.status is not MeetingStatus.CANCELLED and not row.moved and row.starts_at > now
