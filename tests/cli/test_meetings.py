"""`ictbot meetings generate|list|export`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy.orm import Session

from bot.services import meetings, workspaces
from models import Meeting
from tests.cli.conftest import COUNCIL, HALL, Ictbot, rows, with_council


@pytest.fixture
def ictbot(ictbot: Ictbot) -> Ictbot:
    """The commands run on the council's workspace, created on purpose (`ictbot workspaces add`)."""
    return with_council(ictbot)


def test_generate_materialises_a_year_of_meetings_and_again_changes_nothing(ictbot, engine):
    result = ictbot("meetings", "generate")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Meetings of workspace {HALL}: 12 created, 0 re-timed, 0 dropped.\n"
    assert rows(engine, Meeting) == 12
    again = ictbot("meetings", "generate")
    assert again.stdout == f"Meetings of workspace {HALL}: 0 created, 0 re-timed, 0 dropped.\n"


def test_list_shows_the_meetings_in_local_time_with_moves_and_cancellations(ictbot, engine, clock):
    ictbot("meetings", "generate")
    with Session(engine) as session, session.begin():
        ws = workspaces.find(session, COUNCIL)
        assert ws is not None
        common = {"now": clock.now, "by": "U0CHAIR", "default_timezone": "Europe/London"}
        meetings.move(session, ws, date(2027, 1, 12), date(2027, 1, 14), **common)
        meetings.cancel(session, ws, date(2027, 2, 9), **common)

    result = ictbot("meetings", "list")

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"Meetings of workspace {HALL} (Europe/London)" in out
    assert "Tue 2026-12-08   10:00 GMT   scheduled" in out
    assert "Thu 2027-01-14   10:00 GMT   scheduled, moved   2027-01-12    moved from Tue 12 Jan 10:00" in out
    assert "Tue 2027-02-09   10:00 GMT   cancelled" in out
    assert "Tue 2027-04-13   10:00 BST   scheduled" in out
    assert "Series: FREQ=MONTHLY;BYDAY=+2TU at 10:00 Europe/London, bank holidays of England." in out


def test_list_shows_the_closure_days_to_come_with_their_reasons_as_typed(ictbot, engine, clock):
    with Session(engine) as session, session.begin():
        ws = workspaces.find(session, COUNCIL)
        assert ws is not None
        common = {"now": clock.now, "by": "U0CHAIR", "default_timezone": "Europe/London"}
        meetings.add_closure(session, ws, date(2027, 1, 12), "Office *move* <!channel> \u202eday", **common)
        meetings.add_closure(session, ws, date(2026, 12, 29), "", **common)
    clock.now = datetime(2026, 12, 30, 9, tzinfo=UTC)  # the first is behind us now

    result = ictbot("meetings", "list")

    assert result.exit_code == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "Closure days to come (meetings move off them, as off the bank holidays of England):" in lines
    assert "Tue 2027-01-12 Office *move* <!channel> day" in lines
    # the meeting the closure moved, its note cleaned of the bidi override as the closure's reason is
    moved = "Wed 2027-01-13 10:00 GMT scheduled 2027-01-12 moved from Tue 12 Jan: a closure day"
    assert f"{moved} (Office *move* <!channel> day)" in lines
    assert not any("2026-12-29" in line for line in lines)


def test_list_says_when_there_are_no_closure_days(ictbot):
    result = ictbot("meetings", "list")

    assert result.exit_code == 0, result.stderr
    assert "No closure days to come (`/ict-meeting closure add YYYY-MM-DD reason` adds one)." in result.stdout


def test_export_writes_an_ics_calendar_to_stdout(ictbot, clock):
    result = ictbot("meetings", "export", "--format", "ics", "--team", "T0NOPE")

    assert result.exit_code == 1
    assert f"There is no workspace T0NOPE in this database (it holds {COUNCIL})" in result.stderr

    ictbot("meetings", "generate")
    result = ictbot("meetings", "export", "--format", "ics")

    assert result.exit_code == 0, result.stderr
    cal = Calendar.from_ical(result.stdout)
    assert isinstance(cal, Calendar)
    starts = sorted(e.decoded("dtstart").astimezone(UTC) for e in cal.events)
    assert len(starts) == 12
    assert starts[0] == datetime(2026, 12, 8, 10, tzinfo=UTC)
    assert datetime(2027, 4, 13, 9, tzinfo=UTC) in starts
    assert {str(e["summary"]) for e in cal.events} == {"ICT governance group"}


def test_export_to_a_file(ictbot, tmp_path):
    ictbot("meetings", "generate")
    target = tmp_path / "meetings.ics"

    result = ictbot("meetings", "export", "--output", str(target))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"Wrote 12 meetings to {target}." in result.stderr
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


def test_list_on_an_empty_database_says_what_to_do(db_url, clock, engine):
    result = Ictbot(db_url, clock)("meetings", "list")

    assert result.exit_code == 1
    assert "This database holds no workspace yet" in result.stderr


def test_the_calendar_shows_a_typed_reason_as_typed_without_its_bidi_or_zero_width_characters(ictbot, engine, clock):
    """A cancellation reason as a chair typed it, bidi override and zero-width space included: the calendar's
    DESCRIPTION is the reason as typed (icalendar escapes its commas and semicolons), less those."""
    ictbot("meetings", "generate")
    typed = "Room \u202ebooked\u202c; see <https://evil.example|here>, \u200bthanks"
    with Session(engine) as session, session.begin():
        ws = workspaces.find(session, COUNCIL)
        assert ws is not None
        meetings.cancel(
            session, ws, date(2027, 2, 9), now=clock.now, by="U0CHAIR", default_timezone="Europe/London", note=typed
        )

    result = ictbot("meetings", "export", "--format", "ics")

    assert result.exit_code == 0, result.stderr
    assert not {"\u202e", "\u202c", "\u200b"} & set(result.stdout)
    [event] = [e for e in Calendar.from_ical(result.stdout).events if e.decoded("dtstart").date() == date(2027, 2, 9)]
    assert str(event["description"]) == "Room booked; see <https://evil.example|here>, thanks"
