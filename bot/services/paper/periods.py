"""Report periods: the stretches of time a committee paper reports on (by default the two halves of a
financial year, April to September and October to March), from a workspace's report settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.services.paper.settings import PaperSettings

__all__ = ["ReportPeriod", "containing", "long_date"]


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    start: date  # its first day
    end: date  # its last day

    def bounds(self, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
        """The period in UTC, from local midnight of its first day to the end of its last, or ``now``
        if that comes first: the ``start`` and ``end`` a digest of the period is built for."""
        start = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        return start, min(after - timedelta(microseconds=1), now)

    def has_ended(self, today: date) -> bool:
        return today > self.end

    @property
    def label(self) -> str:
        """``1 April 2026 to 30 September 2026``."""
        return f"{long_date(self.start)} to {long_date(self.end)}"

    def previous(self, settings: PaperSettings) -> ReportPeriod:
        return containing(self.start - timedelta(days=1), settings)

    def next(self, settings: PaperSettings) -> ReportPeriod:
        return containing(self.end + timedelta(days=1), settings)


def containing(day: date, settings: PaperSettings) -> ReportPeriod:
    """The report period that ``day`` falls in."""
    month, first = (int(part) for part in settings.year_start.split("-"))
    year_start = date(day.year, month, first)
    if year_start > day:
        year_start = year_start.replace(year=day.year - 1)
    months = settings.period_months
    start = year_start
    while start + relativedelta(months=months) <= day:
        start += relativedelta(months=months)
    return ReportPeriod(start, start + relativedelta(months=months) - timedelta(days=1))


def long_date(day: date) -> str:
    """``1 April 2026``: how a committee paper writes a day."""
    return f"{day.day} {day:%B %Y}"
