"""The meeting series: materialising, working days, moving and cancelling, the calendar export."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.render.ics import to_ics
from bot.services import meetings, workspaces
from models import Meeting, MeetingStatus, Workspace, make_sessionmaker

TZ = "Europe/London"
Unit = Callable[[], AbstractContextManager[tuple[Session, Workspace]]]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def unit(engine: Engine) -> Unit:
    sessions = make_sessionmaker(engine)

    @contextmanager
    def _unit() -> Iterator[tuple[Session, Workspace]]:
        with sessions.begin() as session:
            yield session, workspaces.get_or_create(session, "T0MEET", now=at(2026, 1, 1))

    return _unit


def materialise(unit: Unit, now: datetime, **series: object) -> meetings.MaterialiseResult:
    with unit() as (session, ws):
        if series:
            meetings.set_series(session, ws, now=now, by="U0CHAIR", default_timezone=TZ, **series)  # type: ignore[arg-type]
        return meetings.materialise(session, ws, now=now, default_timezone=TZ)


def rows(unit: Unit) -> list[tuple[date, datetime, str, bool]]:
    with unit() as (session, ws):
        return [
            (m.occurrence, m.starts_at, m.status.value, m.moved)
            for m in session.scalars(select(Meeting).where(Meeting.workspace_id == ws.id).order_by(Meeting.starts_at))
        ]


def starts(unit: Unit) -> dict[date, datetime]:
    return {occ: start for occ, start, status, _ in rows(unit) if status == "scheduled"}


# -- the default series ----------------------------------------------------------------------------


def test_default_series_is_second_tuesdays_at_ten_london_time_across_the_clock_changes(unit):
    result = materialise(unit, at(2026, 1, 5, 12))

    got = starts(unit)
    assert result == meetings.MaterialiseResult(created=12, updated=0, dropped=0)
    assert list(got) == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
        date(2026, 7, 14),
        date(2026, 8, 11),
        date(2026, 9, 8),
        date(2026, 10, 13),
        date(2026, 11, 10),
        date(2026, 12, 8),
    ]
    assert got[date(2026, 3, 10)] == at(2026, 3, 10, 10)  # GMT, before 29 March
    assert got[date(2026, 4, 14)] == at(2026, 4, 14, 9)  # BST
    assert got[date(2026, 10, 13)] == at(2026, 10, 13, 9)  # BST, before 25 October
    assert got[date(2026, 11, 10)] == at(2026, 11, 10, 10)  # GMT again


def test_materialising_again_changes_nothing(unit):
    materialise(unit, at(2026, 1, 5))
    before = rows(unit)

    assert materialise(unit, at(2026, 1, 5)) == meetings.MaterialiseResult(0, 0, 0)
    assert rows(unit) == before


def test_materialising_later_adds_the_months_that_came_into_reach_and_keeps_the_past(unit):
    materialise(unit, at(2026, 1, 5))

    result = materialise(unit, at(2026, 3, 1))

    assert result.created == 2 and result.dropped == 0
    assert date(2026, 1, 13) in starts(unit) and date(2027, 2, 9) in starts(unit)


def test_a_meeting_on_a_bank_holiday_moves_to_the_next_working_day(unit):
    materialise(unit, at(2029, 1, 2), rrule="FREQ=YEARLY;BYMONTH=5;BYDAY=+1MO")

    with unit() as (session, ws):
        [m] = meetings.next_meetings(session, ws, at(2029, 1, 2))
    assert m.occurrence == date(2029, 5, 7)
    assert m.local_start == datetime(2029, 5, 8, 10, tzinfo=ZoneInfo(TZ))
    assert m.shifted and not m.moved
    assert m.note == "moved from Mon 7 May: a bank holiday (May Day)"


def test_christmas_moves_past_the_weekend_and_boxing_day_substitute(unit):
    materialise(unit, at(2026, 11, 1), rrule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25")

    # 25 Dec 2026 is a Friday; Boxing Day (Saturday) is observed on Monday 28th.
    assert starts(unit) == {date(2026, 12, 25): at(2026, 12, 29, 10)}


def test_holiday_regions_follow_their_own_bank_holidays(unit):
    # The first Monday of August is a bank holiday in Scotland only.
    materialise(unit, at(2027, 1, 4), rrule="FREQ=YEARLY;BYMONTH=8;BYDAY=+1MO")
    assert starts(unit) == {date(2027, 8, 2): at(2027, 8, 2, 9)}

    materialise(unit, at(2027, 1, 4), region="SCT")

    assert starts(unit) == {date(2027, 8, 2): at(2027, 8, 3, 9)}


def test_a_closure_day_moves_the_meeting_and_removing_it_moves_it_back(unit):
    materialise(unit, at(2026, 11, 24))
    with unit() as (session, ws):
        assert meetings.add_closure(
            session, ws, date(2026, 12, 8), "Office move", now=at(2026, 11, 24), by="U0CHAIR", default_timezone=TZ
        )
        again = meetings.add_closure(
            session, ws, date(2026, 12, 8), "", now=at(2026, 11, 24), by="U0CHAIR", default_timezone=TZ
        )
    assert again is False
    assert starts(unit)[date(2026, 12, 8)] == at(2026, 12, 9, 10)
    with unit() as (session, ws):
        [m, *_] = meetings.next_meetings(session, ws, at(2026, 11, 24))
        assert m.note == "moved from Tue 8 Dec: a closure day (Office move)"
        assert meetings.remove_closure(session, ws, date(2026, 12, 8), now=at(2026, 11, 24), default_timezone=TZ)
    assert starts(unit)[date(2026, 12, 8)] == at(2026, 12, 8, 10)


def test_a_weekly_rule_drops_a_holiday_meeting_that_would_land_on_another_meeting(unit):
    materialise(unit, at(2029, 5, 1), rrule="FREQ=WEEKLY;BYDAY=MO,TU")

    got = starts(unit)
    assert got[date(2029, 5, 8)] == at(2029, 5, 8, 9)
    assert date(2029, 5, 7) not in got  # May Day: Tuesday already has its meeting


# -- moving and cancelling one meeting -------------------------------------------------------------

NOW = at(2026, 11, 24, 9, 30)


def move(unit: Unit, day: date, new_day: date, new_time: time | None = None, now: datetime = NOW):
    with unit() as (session, ws):
        return meetings.move(session, ws, day, new_day, new_time, now=now, by="U0CHAIR", default_timezone=TZ)


def cancel(unit: Unit, day: date, now: datetime = NOW):
    with unit() as (session, ws):
        return meetings.cancel(session, ws, day, now=now, by="U0CHAIR", default_timezone=TZ)


def test_move_and_cancel_touch_one_meeting_and_regenerating_never_undoes_them(unit):
    materialise(unit, NOW)
    before = starts(unit)

    view, was = move(unit, date(2027, 1, 12), date(2027, 1, 19), time(14, 0))
    cancel(unit, date(2027, 2, 9))

    assert was == at(2027, 1, 12, 10)
    assert (view.moved, view.note, view.revision) == (True, "moved from Tue 12 Jan 10:00", 1)
    after = {occ: (start, status, moved) for occ, start, status, moved in rows(unit)}
    assert after[date(2027, 1, 12)] == (at(2027, 1, 19, 14), "scheduled", True)
    assert after[date(2027, 2, 9)][1:] == ("cancelled", False)
    untouched = {
        occ: s for occ, (s, status, moved) in after.items() if occ not in (date(2027, 1, 12), date(2027, 2, 9))
    }
    assert untouched == {occ: s for occ, s in before.items() if occ in untouched}

    assert materialise(unit, NOW) == meetings.MaterialiseResult(0, 0, 0)
    materialise(unit, NOW, local_time=time(11, 0))

    after = {occ: (start, status, moved) for occ, start, status, moved in rows(unit)}
    assert after[date(2027, 1, 12)] == (at(2027, 1, 19, 14), "scheduled", True)
    assert after[date(2027, 2, 9)][1] == "cancelled"
    assert after[date(2026, 12, 8)][0] == at(2026, 12, 8, 11)
    assert after[date(2027, 4, 13)][0] == at(2027, 4, 13, 10)  # 11:00 BST


def test_a_rule_change_replaces_the_rules_meetings_but_keeps_those_changed_by_hand(unit):
    materialise(unit, NOW)
    move(unit, date(2027, 1, 12), date(2027, 1, 19))
    cancel(unit, date(2027, 2, 9))

    materialise(unit, NOW, rrule="FREQ=MONTHLY;BYDAY=+3TH")

    occurrences = {occ: (status, moved) for occ, _, status, moved in rows(unit)}
    assert occurrences[date(2027, 1, 12)] == ("scheduled", True)
    assert occurrences[date(2027, 2, 9)] == ("cancelled", False)
    assert occurrences[date(2026, 12, 8)] == ("dropped", False)
    assert date(2026, 12, 17) in occurrences and date(2027, 3, 18) in occurrences
    dropped = [occ for occ, (status, _) in occurrences.items() if status == "dropped"]
    assert len(dropped) == 10  # the twelve second Tuesdays, less the moved and the cancelled one
    with unit() as (session, ws):
        assert date(2026, 12, 8) not in [m.occurrence for m in meetings.upcoming(session, ws, NOW)]
        with pytest.raises(meetings.UnknownMeeting):
            meetings.cancel(session, ws, date(2026, 12, 8), now=NOW, by="U0CHAIR", default_timezone=TZ)

    materialise(unit, NOW, rrule="FREQ=MONTHLY;BYDAY=+2TU")

    assert {occ: status for occ, _, status, _ in rows(unit)}[date(2026, 12, 8)] == "scheduled"
    assert starts(unit)[date(2026, 12, 8)] == at(2026, 12, 8, 10)


def test_a_meeting_that_has_started_is_never_changed(unit):
    materialise(unit, at(2026, 11, 1))
    started = at(2026, 11, 10, 10, 30)

    materialise(unit, started, local_time=time(15, 0), rrule="FREQ=MONTHLY;BYDAY=+1WE")

    assert starts(unit)[date(2026, 11, 10)] == at(2026, 11, 10, 10)
    with pytest.raises(InvalidInput, match="has already started"):
        move(unit, date(2026, 11, 10), date(2026, 11, 12), now=started)


@pytest.mark.parametrize(
    ("day", "new_day", "new_time", "message"),
    [
        (date(2026, 12, 8), date(2026, 11, 23), None, "2026-11-23 10:00 is in the past"),
        (date(2026, 12, 8), date(2026, 11, 24), time(9, 0), "2026-11-24 09:00 is in the past"),
        (date(2026, 12, 8), date(2026, 12, 25), None, "2026-12-25 is a bank holiday (Christmas Day)"),
        (date(2026, 12, 8), date(2026, 12, 12), None, "2026-12-12 is a weekend"),
        (date(2026, 12, 8), date(2027, 1, 12), None, "There is already a meeting on 2027-01-12"),
        (date(2026, 12, 9), date(2026, 12, 10), None, "There is no meeting on 2026-12-09. The next ones are on"),
    ],
)
def test_a_refused_move_explains_and_changes_nothing(unit, day, new_day, new_time, message):
    materialise(unit, NOW)
    before = rows(unit)

    with pytest.raises(DomainError, match=re.escape(message)):
        move(unit, day, new_day, new_time)

    assert rows(unit) == before


def test_a_meeting_is_found_by_the_day_it_is_held_or_by_the_rules_day(unit):
    materialise(unit, at(2029, 1, 2), rrule="FREQ=YEARLY;BYMONTH=5;BYDAY=+1MO")

    by_rule_day, _ = move(unit, date(2029, 5, 7), date(2029, 5, 9), now=at(2029, 1, 2))
    view = cancel(unit, date(2029, 5, 9), now=at(2029, 1, 2))

    assert by_rule_day.id == view.id and view.cancelled
    with pytest.raises(InvalidInput, match="already cancelled"):
        cancel(unit, date(2029, 5, 9), now=at(2029, 1, 2))


def test_a_cancelled_meeting_that_is_moved_is_held_again(unit):
    materialise(unit, NOW)
    cancel(unit, date(2026, 12, 8))

    view, _ = move(unit, date(2026, 12, 8), date(2026, 12, 10))

    assert view.status is MeetingStatus.SCHEDULED and view.revision == 2


# -- reporting periods -----------------------------------------------------------------------------


def test_previous_and_next_meetings_skip_cancelled_ones(unit):
    materialise(unit, at(2026, 1, 5))
    cancel(unit, date(2026, 2, 10), now=at(2026, 1, 5))

    with unit() as (session, ws):
        march = meetings.meeting_after(session, ws, at(2026, 2, 1))
        assert march is not None and march.occurrence == date(2026, 3, 10)
        start, end = meetings.reporting_period(session, ws, march)
        assert (start, end) == (at(2026, 1, 13, 10), at(2026, 3, 10, 10))
        first = meetings.meeting_after(session, ws, at(2026, 1, 5))
        assert first is not None and meetings.reporting_period(session, ws, first) == (None, at(2026, 1, 13, 10))
        shown = meetings.next_meetings(session, ws, at(2026, 1, 20), 2)
        assert [(m.occurrence, m.cancelled) for m in shown] == [
            (date(2026, 2, 10), True),
            (date(2026, 3, 10), False),
            (date(2026, 4, 14), False),
        ]


# -- working days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting_day", "n", "region", "closed", "expected"),
    [
        (date(2029, 5, 8), 1, "ENG", (), date(2029, 5, 4)),  # Monday 7 May is May Day
        (date(2029, 5, 8), 5, "ENG", (), date(2029, 4, 30)),
        (date(2029, 5, 8), 0, "ENG", (), date(2029, 5, 8)),
        (date(2026, 12, 8), 1, "ENG", (), date(2026, 12, 7)),
        (date(2026, 12, 8), 5, "ENG", (), date(2026, 12, 1)),
        (date(2026, 12, 8), 1, "ENG", (date(2026, 12, 7),), date(2026, 12, 4)),
        (date(2027, 1, 12), 5, "ENG", (), date(2027, 1, 5)),
        (date(2027, 1, 5), 1, "SCT", (), date(2026, 12, 31)),  # 1 and 4 January (for the 2nd) in Scotland
        (date(2027, 1, 5), 1, "ENG", (), date(2027, 1, 4)),
    ],
)
def test_working_days_before(meeting_day, n, region, closed, expected):
    assert meetings.working_days_before(meeting_day, n, region, closed) == expected


def test_reminder_stages_default_and_parse():
    assert meetings.parse_reminder_stages(meetings.DEFAULT_REMINDER_STAGES) == (
        meetings.ReminderStage(5, time(9, 30)),
        meetings.ReminderStage(1, time(9, 30)),
    )
    assert meetings.parse_reminder_stages("1@14:00, 3@9:00") == (
        meetings.ReminderStage(3, time(9, 0)),
        meetings.ReminderStage(1, time(14, 0)),
    )
    for bad in ("", "5", "5@25:00", "1@09:30,1@09:30"):
        with pytest.raises(InvalidInput):
            meetings.parse_reminder_stages(bad)


def test_the_series_starts_with_the_defaults(unit):
    with unit() as (session, ws):
        view = meetings.series_view(meetings.get_series(session, ws, now=NOW, default_timezone=TZ))
    assert (view.rrule, view.local_time, view.timezone, view.holiday_region, view.channel_id) == (
        "FREQ=MONTHLY;BYDAY=+2TU",
        time(10, 0),
        "Europe/London",
        "ENG",
        None,
    )
    assert [s.working_days_before for s in view.reminder_stages] == [5, 1]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MINUTELY;INTERVAL=5", "at most daily"),
        ("BYDAY=+2TU", "has no FREQ"),
        ("FREQ=MONTHLY;BYDAY=+2XX", "not a recurrence rule"),
        ("FREQ=MONTHLY;BYHOUR=9", "Leave BYHOUR out"),
        ("every second tuesday", "is not NAME=VALUE"),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(unit, rule, message):
    materialise(unit, NOW)
    before = rows(unit)

    with pytest.raises(InvalidInput, match=message):
        materialise(unit, NOW, rrule=rule)

    assert rows(unit) == before


def test_rules_are_tidied():
    assert meetings.parse_rrule("RRULE:freq=monthly;byday=+2tu;") == "FREQ=MONTHLY;BYDAY=+2TU"
    assert meetings.parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"


def test_regions_are_the_uk_bank_holiday_calendars():
    assert meetings.parse_region("wales") == "WLS"
    assert meetings.parse_region("sct") == "SCT"
    with pytest.raises(InvalidInput, match="ENG \\(England\\), WLS \\(Wales\\), SCT \\(Scotland\\)"):
        meetings.parse_region("FR")


_UK_ALONE = """
import sys
from datetime import date, timedelta
from bot.services.meetings import workdays
days = [date(2025, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
ours = {r: [workdays.holiday_name(d, r) for d in days] for r in ("ENG", "WLS", "SCT", "NIR")}
others = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
import holidays
theirs = {r: [holidays.country_holidays("GB", subdiv=r).get(d) for d in days] for r in ours}
france = holidays.country_holidays("FR").get(date(2026, 7, 14))
print(others, ours == theirs, sum(n is not None for n in ours["SCT"]), france)
"""


def test_the_bank_holidays_are_the_uk_s_of_holidays_loaded_without_the_other_countries():
    """The ``holidays`` package imports its ~250 countries for any one of them: 8 MiB of a server at rest.
    The UK's alone give the same days, and a later use of the package as usual still finds every country."""
    run = subprocess.run([sys.executable, "-c", _UK_ALONE], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603  (our own script)

    assert run.stdout.split() == ["['holidays.countries.united_kingdom']", "True", "46", "National", "Day"]


# -- the calendar ----------------------------------------------------------------------------------


def test_ics_export_round_trips_through_icalendar(unit):
    materialise(unit, at(2026, 1, 5))
    cancel(unit, date(2026, 5, 12), now=at(2026, 1, 5))
    with unit() as (session, ws):
        views = meetings.upcoming(session, ws, at(2026, 1, 5))

    text = to_ics(views, team_id="T0MEET", timezone=TZ, stamp=at(2026, 1, 5, 12))

    assert text.startswith("BEGIN:VCALENDAR\r\n")
    cal = Calendar.from_ical(text)
    assert isinstance(cal, Calendar)
    events = cal.events
    assert len(events) == 12
    assert {str(e["uid"]) for e in events} == {f"meeting-{v.occurrence:%Y%m%d}-t0meet@ictbot" for v in views}
    by_day = {e.decoded("dtstart").date(): e for e in events}
    april = by_day[date(2026, 4, 14)]
    assert april.decoded("dtstart").astimezone(UTC) == at(2026, 4, 14, 9)
    assert april.decoded("dtend").astimezone(UTC) == at(2026, 4, 14, 10)
    assert str(april["summary"]) == "ICT governance group"
    assert str(april["status"]) == "CONFIRMED"
    may = by_day[date(2026, 5, 12)]
    assert (str(may["status"]), int(may["sequence"])) == ("CANCELLED", 1)
    assert "Europe/London" in cal.get_used_tzids() and not cal.get_missing_tzids()


def test_ics_uids_are_stable_when_a_meeting_moves(unit):
    materialise(unit, NOW)
    with unit() as (session, ws):
        first = to_ics(meetings.upcoming(session, ws, NOW), team_id="T0MEET", timezone=TZ, stamp=NOW)
    move(unit, date(2026, 12, 8), date(2026, 12, 10))
    with unit() as (session, ws):
        second = to_ics(meetings.upcoming(session, ws, NOW), team_id="T0MEET", timezone=TZ, stamp=NOW)

    def uids(text: str) -> list[str]:
        cal = Calendar.from_ical(text)
        assert isinstance(cal, Calendar)
        return sorted(str(e["uid"]) for e in cal.events)

    assert uids(first) == uids(second)
    assert "DTSTART;TZID=Europe/London:20261210T100000" in second
