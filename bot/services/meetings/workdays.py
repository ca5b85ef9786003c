"""Working days: weekends, the UK bank holidays of a region (the ``holidays`` package), closure days.

Regions are ``ENG`` (England), ``WLS`` (Wales: the same bank holidays as England), ``SCT`` (Scotland)
and ``NIR`` (Northern Ireland). Pure functions of dates: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

__all__ = ["holiday_name", "is_working_day", "next_working_day", "why_not_working", "working_days_before"]


@cache
def _bank_holidays(region: str) -> holidays.HolidayBase:
    import holidays  # on the first date asked (a server answers its health check before it needs one)

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


def why_not_working(day: date, region: str, closed: dict[date, str]) -> str:
    if day in closed:
        return f"a closure day ({closed[day]})" if closed[day] else "a closure day"
    name = holiday_name(day, region)
    if name:
        return f"a bank holiday ({name})"
    return "a weekend"
