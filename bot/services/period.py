"""The digest's period as typed after the digest command: ``from YYYY-MM-DD [to YYYY-MM-DD]``.

Pure parsing (no session, no platform), shared by Slack's ``/ict-digest`` and Teams' ``digest``, so it
lives beside :mod:`bot.services.quickform`. Its messages name the command as ``{digest}`` (:mod:`bot.wording`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidInput
from bot.services import meetings
from bot.wording import Text

__all__ = ["USAGE", "parse_period"]

USAGE = Text(
    "Usage: `{digest}` (since the last meeting), `{digest} from YYYY-MM-DD to YYYY-MM-DD`, or `{digest} help`."
)


def parse_period(words: list[str], tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """``from YYYY-MM-DD [to YYYY-MM-DD]``: from the first day's start to the end of the last (at most now)."""
    if len(words) not in (2, 4) or words[0].lower() != "from" or (len(words) == 4 and words[2].lower() != "to"):
        raise InvalidInput(Text("`{typed}` is not a period I understand. ", typed=" ".join(words)) + USAGE)
    first = meetings.parse_date(words[1], "start date")
    last = meetings.parse_date(words[3], "end date") if len(words) == 4 else now.astimezone(tz).date()
    if last < first:
        raise InvalidInput(f"The period ends before it starts ({first.isoformat()} > {last.isoformat()}); swap them.")
    start = _local_midnight(first, tz)
    if start > now:
        raise InvalidInput(
            Text("The period starts on {first}, which has not come yet. ", first=first.isoformat()) + USAGE
        )
    end = min(_local_midnight(last + timedelta(days=1), tz) - timedelta(microseconds=1), now)
    return start, end


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)
