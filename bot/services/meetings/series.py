"""The governance meetings: a recurrence rule per workspace, materialised as meeting rows.

A workspace's series is an RFC 5545 RRULE (default: the second Tuesday of every month) at a local
time in a named time zone (default: the ``ICTBOT_TIMEZONE`` setting). ``materialise`` turns it into
meeting rows about twelve months ahead. A meeting whose day is not a working day (a weekend, a bank
holiday of the series' region, or a closure day) moves to the next working day but keeps the rule's
date as its key (``occurrence``), so materialising again finds the same row.

Chairs move or cancel one meeting; such a meeting is never changed by materialising again, whatever
happens to the rule. A meeting that has started is never changed by anything. After a rule change,
future meetings that the new rule no longer gives, and that nobody moved or cancelled, are marked
dropped (not deleted: reminders may refer to them, and the calendar export tells subscribers they
are off); one the rule gives again is brought back.

Holiday regions are the UK's bank-holiday calendars of the ``holidays`` package: ``ENG`` (England),
``WLS`` (Wales: the same bank holidays as England), ``SCT`` (Scotland) and ``NIR`` (Northern Ireland).

Every function takes ``now`` (an aware datetime) where time matters; none reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil import rrule as du_rrule
from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.literal import visible
from bot.wording import Text
from models import ClosureDay, Meeting, MeetingSeries, MeetingStatus, Workspace
from models.db import insert_missing

__all__ = [
    "DEFAULT_REMINDER_STAGES",
    "DEFAULT_RRULE",
    "DEFAULT_TIME",
    "REGIONS",
    "MaterialiseResult",
    "MeetingView",
    "ReminderStage",
    "SeriesView",
    "UnknownMeeting",
    "add_closure",
    "cancel",
    "closures",
    "find_meeting",
    "get_series",
    "holiday_name",
    "is_working_day",
    "materialise",
    "meeting_after",
    "move",
    "next_meetings",
    "next_working_day",
    "parse_date",
    "parse_reminder_stages",
    "parse_rrule",
    "parse_time",
    "previous_meeting",
    "remove_closure",
    "reporting_period",
    "series_view",
    "set_channel",
    "set_channel_id",
    "set_series",
    "to_ics",
    "upcoming",
    "working_days_before",
]

DEFAULT_RRULE = "FREQ=MONTHLY;BYDAY=+2TU"
DEFAULT_TIME = time(10, 0)
DEFAULT_REGION = "ENG"
DEFAULT_REMINDER_STAGES = "5@09:30,1@09:30"
DEFAULT_HORIZON_DAYS = 366
# How far before today materialising looks for rule dates, so that a meeting moved forward across
# today (a Sunday's meeting held on Monday) is still recognised as the rule's.
LOOKBACK_DAYS = 62
REGIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
ALLOWED_FREQ = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
# The time of day comes from the series, not from the rule.
REFUSED_PARTS = ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND", "TZID")
SUMMARY = "ICT governance group"
CHANNEL = re.compile(r"^(?:<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>|#?([CG][A-Z0-9]{2,}))$")
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
STAGE = re.compile(r"^(\d{1,2})@(\d{1,2}[:.]\d{2})$")
MAX_STAGES = 5


class UnknownMeeting(DomainError):
    def __init__(self, day: date, upcoming: Sequence[date]) -> None:
        hint = f" The next ones are on {', '.join(d.isoformat() for d in upcoming)}." if upcoming else ""
        super().__init__(
            Text("There is no meeting on {day}.{hint} Type `{meeting}` to see them.", day=day.isoformat(), hint=hint)
        )
        self.day = day


# -- values ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReminderStage:
    working_days_before: int
    at: time


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


@dataclass(frozen=True, slots=True)
class MaterialiseResult:
    created: int
    updated: int
    dropped: int


# -- parsing the values people type ----------------------------------------------------------------


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            Text("`{typed}` is not a " + what + "; write it as YYYY-MM-DD, e.g. 2027-01-12.", typed=text)
        ) from None


def parse_time(text: str) -> time:
    m = TIME.match(text.strip())
    if not m:
        raise InvalidInput(
            Text("`{typed}` is not a time of day; write it as HH:MM on the 24-hour clock, e.g. 10:00.", typed=text)
        )
    return time(int(m.group(1)), int(m.group(2)))


def parse_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            Text("`{typed}` is not a time zone; use an IANA name such as Europe/London.", typed=name)
        ) from None
    return name


def parse_region(code: str) -> str:
    key = code.strip().upper()
    by_name = {name.upper(): c for c, name in REGIONS.items()}
    key = by_name.get(key, key)
    if key not in REGIONS:
        choices = ", ".join(f"{c} ({n})" for c, n in REGIONS.items())
        raise InvalidInput(Text("`{typed}` is not a bank-holiday region; choose one of " + choices + ".", typed=code))
    return key


def parse_channel(text: str) -> str:
    m = CHANNEL.match(text.strip())
    if not m:
        raise InvalidInput(Text("`{typed}` is not a channel; pick one with #, e.g. `#ict-governance`.", typed=text))
    return m.group(1) or m.group(2)


def parse_rrule(text: str) -> str:
    """Check an RRULE (``FREQ=MONTHLY;BYDAY=+2TU``, with or without ``RRULE:``) and return it tidied."""
    rule = text.strip().removeprefix("RRULE:").removeprefix("rrule:").strip().rstrip(";").upper()
    usage = "e.g. `FREQ=MONTHLY;BYDAY=+2TU` for the second Tuesday of every month"
    if not rule:
        raise InvalidInput(f"Give a recurrence rule, {usage}.")
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise InvalidInput(
                Text(
                    "`{typed}` is not a recurrence rule: `{part}` is not NAME=VALUE; " + usage + ".",
                    typed=text,
                    part=part,
                )
            )
        parts[key] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise InvalidInput(Text("`{typed}` has no FREQ; " + usage + ".", typed=text))
    if freq not in ALLOWED_FREQ:
        raise InvalidInput(
            Text(
                "FREQ={freq} is not allowed: meetings may recur at most daily (" + ", ".join(ALLOWED_FREQ) + ").",
                freq=freq,
            )
        )
    refused = [p for p in REFUSED_PARTS if p in parts]
    if refused:
        raise InvalidInput(
            f"Leave {', '.join(refused)} out of the rule: the time of day is set with `at HH:MM`, "
            "the time zone with `timezone`."
        )
    try:
        du_rrule.rrulestr(rule, dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            Text("`{typed}` is not a recurrence rule dateutil understands ({why}); " + usage + ".", typed=text, why=exc)
        ) from None
    return rule


def parse_reminder_stages(text: str) -> tuple[ReminderStage, ...]:
    """``"5@09:30,1@09:30"``: working days before the meeting @ local time, latest stage last."""
    stages = []
    for item in (t.strip() for t in text.split(",")):
        m = STAGE.match(item)
        if not m:
            raise InvalidInput(
                Text(
                    "`{typed}` is not a reminder stage; write working days before @ time, e.g. `5@09:30,1@09:30`.",
                    typed=item,
                )
            )
        stages.append(ReminderStage(int(m.group(1)), parse_time(m.group(2))))
    if not 1 <= len(stages) <= MAX_STAGES:
        raise InvalidInput(f"Give between 1 and {MAX_STAGES} reminder stages, e.g. `5@09:30,1@09:30`.")
    stages.sort(key=lambda s: (-s.working_days_before, s.at))
    if len({(s.working_days_before, s.at) for s in stages}) != len(stages):
        raise InvalidInput("Two reminder stages are the same; give each once.")
    return tuple(stages)


def _stages_text(stages: Iterable[ReminderStage]) -> str:
    return ",".join(f"{s.working_days_before}@{s.at:%H:%M}" for s in stages)


# -- working days ----------------------------------------------------------------------------------


@cache
def _bank_holidays(region: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=region)


def holiday_name(day: date, region: str) -> str | None:
    """The bank holiday on ``day`` in ``region``, if any."""
    name = _bank_holidays(region).get(day)
    return str(name) if name else None


def is_working_day(day: date, region: str, closed: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in closed and holiday_name(day, region) is None


def next_working_day(day: date, region: str, closed: Collection[date] = ()) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, region, closed):
        day += timedelta(days=1)
    return day


def working_days_before(meeting_day: date, n: int, region: str, closed: Collection[date] = ()) -> date:
    """The day ``n`` working days before ``meeting_day`` (weekends, bank holidays and closures skipped)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = meeting_day
    while n:
        day -= timedelta(days=1)
        if is_working_day(day, region, closed):
            n -= 1
    return day


def _why_not_working(day: date, region: str, closed: dict[date, str]) -> str:
    if day in closed:
        return f"a closure day ({closed[day]})" if closed[day] else "a closure day"
    name = holiday_name(day, region)
    if name:
        return f"a bank holiday ({name})"
    return "a weekend"


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


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _rule_dates(series: MeetingSeries, start: date, end: date) -> list[date]:
    tz = ZoneInfo(series.timezone)
    dtstart = _local(series.anchor, series.local_time, tz)
    rule = du_rrule.rrulestr(series.rrule, dtstart=dtstart)
    hits = rule.between(_local(start, time(0), tz), _local(end, time(23, 59), tz), inc=True)
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
        plan[d] = _Planned(target, f"moved from {d:%a} {d.day} {d:%b}: {_why_not_working(d, region, closed)}")
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
    rows = {
        m.occurrence: m
        for m in session.scalars(
            select(Meeting).where(
                Meeting.workspace_id == ws.id, (Meeting.occurrence >= first) | (Meeting.starts_at > now)
            )
        )
    }
    missing: list[dict[str, object]] = []
    updated = dropped = 0
    for occurrence, planned in sorted(plan.items()):
        starts_at = _local(planned.day, series.local_time, tz).astimezone(UTC)
        row = rows.get(occurrence)
        if row is None:
            if starts_at > now:
                missing.append(
                    {
                        "workspace_id": ws.id,
                        "occurrence": occurrence,
                        "starts_at": starts_at,
                        "status": MeetingStatus.SCHEDULED,
                        "moved": False,
                        "note": planned.note,
                        "revision": 0,
                        "changed_by": None,
                        "updated_at": now,
                    }
                )
            continue
        if not _regenerable(row, now) or starts_at <= now:
            continue
        if row.starts_at != starts_at or row.note != planned.note or row.status is MeetingStatus.DROPPED:
            row.status = MeetingStatus.SCHEDULED
            row.starts_at = starts_at
            row.note = planned.note
            row.revision += 1
            row.updated_at = now
            updated += 1
    for occurrence, row in rows.items():
        if occurrence not in plan and _regenerable(row, now) and row.status is MeetingStatus.SCHEDULED:
            row.status = MeetingStatus.DROPPED
            row.revision += 1
            row.updated_at = now
            dropped += 1
    session.flush()
    # Another request may be materialising the same meetings right now: each is created by one of them.
    created = insert_missing(session, Meeting, missing, key=("workspace_id", "occurrence"))
    return MaterialiseResult(created=len(created), updated=updated, dropped=dropped)


def _regenerable(row: Meeting, now: datetime) -> bool:
    """The series may change it: not started, not moved or cancelled by hand."""
    return row.status is not MeetingStatus.CANCELLED and not row.moved and row.starts_at > now


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


def _tz(session: Session, ws: Workspace) -> ZoneInfo:
    name = session.scalar(select(MeetingSeries.timezone).where(MeetingSeries.workspace_id == ws.id))
    return ZoneInfo(name or "UTC")


def upcoming(session: Session, ws: Workspace, now: datetime, *, include_dropped: bool = False) -> list[MeetingView]:
    """Every meeting after ``now``, cancelled ones included (and dropped ones if asked), in order."""
    tz = _tz(session, ws)
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
    row = session.scalar(
        select(Meeting)
        .where(Meeting.workspace_id == ws.id, Meeting.starts_at > after, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    return _view(row, _tz(session, ws)) if row is not None else None


def previous_meeting(session: Session, ws: Workspace, before: datetime) -> MeetingView | None:
    """The last meeting held before ``before`` (cancelled ones skipped)."""
    row = session.scalar(
        select(Meeting)
        .where(Meeting.workspace_id == ws.id, Meeting.starts_at < before, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    return _view(row, _tz(session, ws)) if row is not None else None


def reporting_period(session: Session, ws: Workspace, meeting: MeetingView) -> tuple[datetime | None, datetime]:
    """The reporting period of a meeting: from the previous meeting held (None: the beginning) to it."""
    previous = previous_meeting(session, ws, meeting.starts_at)
    return (previous.starts_at if previous else None, meeting.starts_at)


def _on_local_day(session: Session, ws: Workspace, day: date, tz: ZoneInfo) -> list[Meeting]:
    start = _local(day, time(0), tz).astimezone(UTC)
    end = _local(day + timedelta(days=1), time(0), tz).astimezone(UTC)
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
    tz = _tz(session, ws)
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
    starts_at = _local(new_day, at, tz).astimezone(UTC)
    if starts_at <= now:
        raise InvalidInput(f"{new_day.isoformat()} {at:%H:%M} is in the past; move the meeting to a time to come.")
    closed = closures(session, ws, start=new_day)
    if not is_working_day(new_day, series.holiday_region, closed):
        why = _why_not_working(new_day, series.holiday_region, closed)
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


# -- the calendar export ---------------------------------------------------------------------------


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
