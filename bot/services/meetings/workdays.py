"""Working days: weekends, the UK bank holidays of a region (the ``holidays`` package), closure days.

Regions are ``ENG`` (England), ``WLS`` (Wales: the same bank holidays as England), ``SCT`` (Scotland)
and ``NIR`` (Northern Ireland). Pure functions of dates: no database, no clock.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Collection
from datetime import date, timedelta
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

__all__ = ["holiday_name", "is_working_day", "next_working_day", "why_not_working", "working_days_before"]


@cache
def _bank_holidays(region: str) -> holidays.HolidayBase:
    return _united_kingdom()(subdiv=region)  # as holidays.country_holidays("GB", subdiv=region) makes it


@cache
def _united_kingdom() -> type[holidays.HolidayBase]:
    """``holidays``' class of the UK, imported on the first date asked, without the other countries.

    Its module sits in the package ``holidays.countries``, whose ``__init__`` imports all ~250 countries'
    (8 MiB and 250 modules in a server that needs one: vacanza/holidays#998). Should a version of
    ``holidays`` lay its modules out otherwise, the registry's way is taken, all countries loaded.
    """
    import holidays

    try:
        uk: type[holidays.HolidayBase] = _imported_alone("holidays.countries", "united_kingdom").UnitedKingdom
    except (ImportError, AttributeError):
        return type(holidays.country_holidays("GB"))
    return uk


_IMPORTING = threading.Lock()


def _imported_alone(package: str, name: str) -> ModuleType:
    """``package.name`` imported without running ``package``'s ``__init__``: the package is put in place
    unexecuted meanwhile, then taken away, so that a later ``import package`` runs its ``__init__`` as
    usual and takes this module as it is."""
    with _IMPORTING:
        spec = None if package in sys.modules else importlib.util.find_spec(package)
        if spec is not None:
            sys.modules[package] = importlib.util.module_from_spec(spec)
        try:
            return importlib.import_module(f"{package}.{name}")
        finally:
            if spec is not None:
                del sys.modules[package]


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
