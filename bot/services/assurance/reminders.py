"""Reminders before each assurance occurrence: who is due one now, claimed once, recorded after.

An obligation's owner is reminded ``remind_days`` working days before each due date (the meeting series'
bank-holiday region and closures), at the series' last reminder stage's time, or 09:30 local without a
series. An occurrence that already has a result, that has passed, or that fell before the obligation was
first loaded is not reminded. The claim (unique per obligation and occurrence) makes each go once; nothing
here talks to a chat platform. ``at`` is what a pass reconciles for, ``now`` the runtime's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import claims
from bot.services import meetings as meeting_service
from bot.services.assurance import calendar
from models import AssuranceObligation, AssuranceResult, ClosureDay, MeetingSeries, Workspace
from models.registers import AssuranceReminder
from models.scheduling import ReminderStatus

__all__ = ["DEFAULT_AT", "AssuranceDue", "claim", "claim_due", "due", "next_at", "reclaim_abandoned"]

DEFAULT_AT = time(9, 30)
DEFAULT_REGION = "ENG"
CLAIM_TIMEOUT = timedelta(minutes=10)  # as the meeting reminders'
MAX_ATTEMPTS = 2
AHEAD = timedelta(days=62)  # 30 working days, with the longest run of holidays, fit in this


@dataclass(frozen=True, slots=True)
class AssuranceDue:
    """A reminder of one occurrence of one obligation, to its owner."""

    workspace_id: int
    team_id: str
    platform: str
    timezone: str
    obligation_id: int
    code: str
    name: str
    evidence: str
    occurrence: date
    user_id: str
    due_at: datetime
    reminder_id: int | None = None  # set for a claim: the row to record the outcome on
    attempt: int = 1
    first_claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Calendar:
    tz: ZoneInfo
    region: str
    closures: frozenset[date]
    at: time

    def remind_at(self, obligation: AssuranceObligation, day: date) -> datetime:
        before = meeting_service.working_days_before(day, obligation.remind_days, self.region, self.closures)
        return datetime.combine(before, self.at, tzinfo=self.tz)


def _calendar(session: Session, ws: Workspace, default_timezone: str) -> _Calendar:
    series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
    closures = frozenset(session.scalars(select(ClosureDay.day).where(ClosureDay.workspace_id == ws.id)))
    if series is None:
        return _Calendar(ZoneInfo(default_timezone), DEFAULT_REGION, closures, DEFAULT_AT)
    stages = meeting_service.parse_reminder_stages(series.reminder_stages)
    return _Calendar(ZoneInfo(series.timezone), series.holiday_region, closures, stages[-1].at)


def due(session: Session, ws: Workspace, *, now: datetime, default_timezone: str = "UTC") -> list[AssuranceDue]:
    """Every assurance reminder that should go out at ``now`` and has no row yet (nothing is written)."""
    obligations = list(calendar.active(session, ws))
    if not obligations:
        return []
    cal = _calendar(session, ws, default_timezone)
    today = now.astimezone(cal.tz).date()
    coming = [
        s
        for s in calendar.standing(session, ws, today, today + AHEAD, obligations)
        if s.outcome is None and s.day >= s.obligation.loaded_at.astimezone(cal.tz).date()
    ]
    if not coming:
        return []
    known = {
        (oid, day)
        for oid, day in session.execute(
            select(AssuranceReminder.obligation_id, AssuranceReminder.occurrence).where(
                AssuranceReminder.workspace_id == ws.id,
                AssuranceReminder.obligation_id.in_([o.id for o in obligations]),
                AssuranceReminder.occurrence >= today,
            )
        )
    }
    out = []
    for s in coming:
        at = cal.remind_at(s.obligation, s.day)
        if at <= now and (s.obligation.id, s.day) not in known:
            out.append(_item(ws, cal, s.obligation, s.day, at))
    return out


def next_at(session: Session, ws: Workspace, *, after: datetime, default_timezone: str = "UTC") -> datetime | None:
    """The first moment after ``after`` at which :func:`due` can find a reminder with no write in between: the
    next occurrence's reminder time, or, with none in sight, the day its search reaches further (None: no
    obligations)."""
    obligations = list(calendar.active(session, ws))
    if not obligations:
        return None
    cal = _calendar(session, ws, default_timezone)
    today = after.astimezone(cal.tz).date()
    last = today + 2 * AHEAD
    coming = [
        cal.remind_at(s.obligation, s.day)
        for s in calendar.standing(session, ws, today, last, obligations)
        if s.outcome is None and s.day >= s.obligation.loaded_at.astimezone(cal.tz).date()
    ]
    # Occurrences after ``last`` are reminded after ``last - AHEAD`` at the earliest: look again then.
    return min((at for at in coming if at > after), default=datetime.combine(last - AHEAD, time(), tzinfo=cal.tz))


def _item(ws: Workspace, cal: _Calendar, o: AssuranceObligation, day: date, at: datetime) -> AssuranceDue:
    return AssuranceDue(
        workspace_id=ws.id,
        team_id=ws.external_id,
        platform=ws.platform,
        timezone=cal.tz.key,
        obligation_id=o.id,
        code=o.code,
        name=o.name,
        evidence=o.evidence,
        occurrence=day,
        user_id=o.owner_user_id,
        due_at=at,
    )


def claim(session: Session, item: AssuranceDue, *, holder: str, now: datetime) -> AssuranceDue | None:
    """Record the reminder as being sent by ``holder`` at ``now``; None when another process got there first."""
    row = AssuranceReminder(
        obligation_id=item.obligation_id,
        occurrence=item.occurrence,
        user_id=item.user_id,
        **claims.claim_columns(item.workspace_id, item.due_at, holder=holder, now=now),
    )
    row_id = claims.insert_once(session, row)
    if row_id is None:
        return None
    return replace(item, reminder_id=row_id, attempt=1, first_claimed_at=now)


def reclaim_abandoned(
    session: Session, ws: Workspace, *, holder: str, now: datetime, at: datetime, default_timezone: str = "UTC"
) -> list[AssuranceDue]:
    """Claims left by a process that died: retried once after the timeout, then marked failed; dropped when
    the occurrence has a result by now, has passed, or its obligation was retired."""
    rows = claims.abandoned(session, AssuranceReminder, ws.id, before=now - CLAIM_TIMEOUT)
    if not rows:
        return []
    cal = _calendar(session, ws, default_timezone)
    retried = []
    for row in rows:
        obligation = session.get(AssuranceObligation, row.obligation_id)
        if not _still_wanted(session, obligation, row.occurrence, at.astimezone(cal.tz).date()):
            claims.settle_abandoned(
                session, AssuranceReminder, row, ReminderStatus.DROPPED, "recorded, passed or retired"
            )
            continue
        if row.attempts >= MAX_ATTEMPTS:
            claims.settle_abandoned(
                session, AssuranceReminder, row, ReminderStatus.FAILED, row.error or "not confirmed sent"
            )
            continue
        taken = claims.retake(session, AssuranceReminder, row, holder=holder, now=now)
        if taken is not None and obligation is not None:
            attempt, first = taken
            item = _item(ws, cal, obligation, row.occurrence, row.due_at)
            retried.append(replace(item, reminder_id=row.id, attempt=attempt, first_claimed_at=first))
    return retried


def _still_wanted(session: Session, obligation: AssuranceObligation | None, day: date, today: date) -> bool:
    if obligation is None or obligation.retired_at is not None or day < today:
        return False
    answered = select(AssuranceResult.id).where(
        AssuranceResult.obligation_id == obligation.id, AssuranceResult.occurrence == day
    )
    return session.scalar(answered.limit(1)) is None


def claim_due(
    session: Session,
    ws: Workspace,
    *,
    holder: str,
    now: datetime,
    at: datetime,
    default_timezone: str = "UTC",
    reclaim: bool = True,
) -> list[AssuranceDue]:
    """One pass's assurance reminders for ``ws``: abandoned claims to retry (unless ``reclaim`` is False: the
    pass knows there are none), then those due at ``at``, each claimed at ``now`` (the runtime's clock)."""
    claimed = (
        reclaim_abandoned(session, ws, holder=holder, now=now, at=at, default_timezone=default_timezone)
        if reclaim
        else []
    )
    for item in due(session, ws, now=at, default_timezone=default_timezone):
        taken = claim(session, item, holder=holder, now=now)
        if taken is not None:
            claimed.append(taken)
    return claimed
