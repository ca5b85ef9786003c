"""Reading the meeting values people type: dates, times, time zones, regions, channels, RRULEs, stages.

Each parser returns a tidy value or raises :class:`bot.errors.InvalidInput` with what to type instead.
No database, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du_rrule

from bot.errors import InvalidInput
from bot.wording import Text

REGIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
ALLOWED_FREQ = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
# The time of day comes from the series, not from the rule.
REFUSED_PARTS = ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND", "TZID")
CHANNEL = re.compile(r"^(?:<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>|#?([CG][A-Z0-9]{2,}))$")
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
STAGE = re.compile(r"^(\d{1,2})@(\d{1,2}[:.]\d{2})$")
MAX_STAGES = 5


@dataclass(frozen=True, slots=True)
class ReminderStage:
    working_days_before: int
    at: time


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
