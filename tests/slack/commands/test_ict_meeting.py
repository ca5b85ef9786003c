"""`/ict-meeting`: anyone sees the next meetings; only the chair and admins change them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services import roles
from models import ClosureDay, Meeting, MeetingSeries, MeetingStatus, Role
from tests.conftest import ADMIN, OWNER, STRANGER
from tests.helpers import count, last_reply, shown, typed_shown_literally

CHAIR = "U0CHAIR"


@pytest.fixture
def chair(runtime, standin) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return CHAIR


def meeting_rows(runtime) -> dict[date, tuple[datetime, MeetingStatus, bool]]:
    with runtime.sessions() as s:
        return {m.occurrence: (m.starts_at, m.status, m.moved) for m in s.scalars(select(Meeting))}


def series(runtime) -> MeetingSeries:
    with runtime.sessions() as s:
        return s.scalars(select(MeetingSeries)).one()


def test_anyone_sees_the_next_three_meetings_in_london_time(slack, standin, runtime):
    slack.command("/ict-meeting", "", user_id=STRANGER)

    text = shown(last_reply(standin))
    assert "*Next ICT governance meetings* (Europe/London)" in text
    assert "• *Tue 8 Dec 2026, 10:00 GMT*" in text
    assert "• *Tue 12 Jan 2027, 10:00 GMT*" in text
    assert "• *Tue 9 Feb 2027, 10:00 GMT*" in text
    assert "Mar 2027" not in text
    assert "_Series: `FREQ=MONTHLY;BYDAY=+2TU` at 10:00 Europe/London" in text
    assert "bank holidays of England" in text and "Governance channel: not set." in text
    assert count(runtime, Meeting) == 12  # materialised on first use


def test_next_n_shows_more_and_a_bad_count_is_explained(slack, standin):
    slack.command("/ict-meeting", "next 5", user_id=STRANGER)
    assert "Tue 13 Apr 2027, 10:00 BST" in shown(last_reply(standin))

    slack.command("/ict-meeting", "next lots", user_id=STRANGER)
    assert "`lots` is not a number of meetings; give 1 to 12" in shown(last_reply(standin))


def test_a_member_cannot_move_or_cancel(slack, standin, runtime):
    slack.command("/ict-meeting", "", user_id=OWNER)
    before = meeting_rows(runtime)

    for text in ("move 2026-12-08 to 2026-12-10", "cancel 2026-12-08", "series FREQ=WEEKLY", "channel <#C0GOV|gov>"):
        slack.command("/ict-meeting", text, user_id=OWNER)
        assert "Only the chair or an ICT admin can" in shown(last_reply(standin))

    assert meeting_rows(runtime) == before
    assert series(runtime).channel_id is None


REFUSED = {
    "move 2026-12-08 to 2026-12-10": "move meetings",
    "cancel 2026-12-08": "cancel meetings",
    "series FREQ=WEEKLY": "change the meeting series",
    "reminders 5@09:30": "change when reminders go out",
    "digest 1@12:00": "change when the digest is posted",
    "channel <#C0GOV|gov>": "set the governance channel",
    "closure add 2026-12-29": "add or remove closure days",
    "closure remove 2026-12-29": "add or remove closure days",
}


@pytest.mark.parametrize("typed", REFUSED.keys())
def test_each_refusal_names_what_was_refused_in_a_sentence(slack, standin, typed):
    slack.command("/ict-meeting", typed, user_id=OWNER)

    assert shown(last_reply(standin)).startswith(
        f"Only the chair or an ICT admin can {REFUSED[typed]}. Ask one of them ("
    )


def test_the_chair_moves_one_meeting(slack, standin, runtime, chair):
    slack.command("/ict-meeting", "move 2026-12-08 to 2026-12-10 14:30 Budget week", user_id=chair)

    text = shown(last_reply(standin))
    assert "Moved the meeting of Tue 8 Dec 2026 at 10:00 to Thu 10 Dec 2026 at 14:30." in text
    assert "• *Thu 10 Dec 2026, 14:30 GMT* _(moved)_ — Budget week" in text
    rows = meeting_rows(runtime)
    assert rows[date(2026, 12, 8)] == (datetime(2026, 12, 10, 14, 30, tzinfo=UTC), MeetingStatus.SCHEDULED, True)
    assert rows[date(2027, 1, 12)] == (datetime(2027, 1, 12, 10, tzinfo=UTC), MeetingStatus.SCHEDULED, False)


def test_an_admin_cancels_and_the_list_shows_it_struck_through(slack, standin, runtime):
    slack.command("/ict-meeting", "cancel 2027-01-12 no quorum", user_id=ADMIN)

    text = shown(last_reply(standin))
    assert "Cancelled the meeting of Tue 12 Jan 2027 at 10:00." in text
    assert "• ~Tue 12 Jan 2027, 10:00 GMT~ *cancelled* — no quorum" in text
    assert "Tue 9 Mar 2027" in text  # three meetings still to be held
    assert meeting_rows(runtime)[date(2027, 1, 12)][1] is MeetingStatus.CANCELLED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("move 2026-12-08", "Usage: `/ict-meeting move YYYY-MM-DD to YYYY-MM-DD [HH:MM] [note]`"),
        ("move 8/12/2026 to 2026-12-10", "`8/12/2026` is not a meeting date; write it as YYYY-MM-DD"),
        ("move 2026-12-08 to 2026-12-32", "`2026-12-32` is not a new date"),
        ("move 2026-12-09 to 2026-12-10", "There is no meeting on 2026-12-09. The next ones are on 2026-12-08"),
        ("move 2026-12-08 to 2026-11-20", "2026-11-20 10:00 is in the past"),
        ("move 2026-12-08 to 2026-12-25", "2026-12-25 is a bank holiday (Christmas Day)"),
        ("cancel", "Usage: `/ict-meeting cancel YYYY-MM-DD [reason]`"),
        ("cancel 2026-12-01", "There is no meeting on 2026-12-01"),
        ("series FREQ=HOURLY", "FREQ=HOURLY is not allowed"),
        ("series FREQ=MONTHLY;BYDAY=+2TU at 25:00", "`25:00` is not a time of day"),
        ("series region XX", "`XX` is not a bank-holiday region"),
        ("series timezone Mars/Olympus", "`Mars/Olympus` is not a time zone"),
        ("series", "Usage: `/ict-meeting series RULE"),
        ("channel general", "`general` is not a channel"),
        ("closure add", "Usage: `/ict-meeting closure add YYYY-MM-DD [reason]`"),
        ("closure add 2026-02-30", "`2026-02-30` is not a closure day"),
        ("closure add 2026-11-01 Too late", "2026-11-01 is in the past"),
    ],
)
def test_bad_meeting_commands_explain_and_change_nothing(slack, standin, runtime, chair, text, expected):
    slack.command("/ict-meeting", "", user_id=chair)
    before = meeting_rows(runtime)

    slack.command("/ict-meeting", text, user_id=chair)

    assert expected in shown(last_reply(standin))
    assert meeting_rows(runtime) == before
    s = series(runtime)
    assert (s.rrule, s.channel_id, s.holiday_region, s.timezone) == (
        "FREQ=MONTHLY;BYDAY=+2TU",
        None,
        "ENG",
        "Europe/London",
    )
    assert count(runtime, ClosureDay) == 0


def test_the_chair_sets_the_series_and_a_moved_meeting_keeps_its_move(slack, standin, runtime, chair):
    slack.command("/ict-meeting", "move 2027-01-12 to 2027-01-14", user_id=chair)

    slack.command("/ict-meeting", "series FREQ=MONTHLY;BYDAY=+2TU at 09:15 region wales", user_id=chair)

    text = shown(last_reply(standin))
    assert "The meeting series is changed" in text
    assert "• *Tue 8 Dec 2026, 09:15 GMT*" in text
    assert "• *Thu 14 Jan 2027, 10:00 GMT* _(moved)_" in text
    assert "bank holidays of Wales" in text
    s = series(runtime)
    assert (s.holiday_region, s.local_time.isoformat(), s.updated_by) == ("WLS", "09:15:00", chair)


def test_the_governance_channel_is_read_from_slacks_escaped_mention(slack, standin, runtime, chair):
    slack.command("/ict-meeting", "channel <#C0GOVERN|ict-governance>", user_id=chair)

    assert "Governance channel: <#C0GOVERN>." in shown(last_reply(standin))
    assert series(runtime).channel_id == "C0GOVERN"


def test_closure_days_move_the_meeting_and_are_listed(slack, standin, runtime, chair):
    slack.command("/ict-meeting", "closure add 2026-12-08 Office move <!channel>", user_id=chair)

    text = shown(last_reply(standin))
    assert "Added Tue 8 Dec 2026 as a closure day" in text
    assert "• Tue 8 Dec 2026 — Office move <!channel>" in text
    assert typed_shown_literally(last_reply(standin), "Office move <!channel>")
    assert meeting_rows(runtime)[date(2026, 12, 8)][0] == datetime(2026, 12, 9, 10, tzinfo=UTC)

    slack.command("/ict-meeting", "", user_id=STRANGER)
    assert "• *Wed 9 Dec 2026, 10:00 GMT* — moved from Tue 8 Dec: a closure day (Office move <!channel>)" in (
        shown(last_reply(standin))
    )
    assert typed_shown_literally(last_reply(standin), "moved from Tue 8 Dec: a closure day (Office move <!channel>)")

    slack.command("/ict-meeting", "closure remove 2026-12-08", user_id=chair)
    assert "Tue 8 Dec 2026 is no longer a closure day." in shown(last_reply(standin))
    assert meeting_rows(runtime)[date(2026, 12, 8)][0] == datetime(2026, 12, 8, 10, tzinfo=UTC)


def test_help_and_unknown_sub_commands(slack, standin):
    slack.command("/ict-meeting", "help", user_id=STRANGER)
    assert "`/ict-meeting move YYYY-MM-DD to YYYY-MM-DD [HH:MM] [note]`" in shown(last_reply(standin))

    slack.command("/ict-meeting", "reschedule 2026-12-08", user_id=STRANGER)
    assert "`reschedule` is not an `/ict-meeting` sub-command." in shown(last_reply(standin))


def test_chair_sets_the_reminder_stages_and_everyone_sees_them(slack, standin, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by=ADMIN, now=runtime.now())
    slack.command("/ict-meeting", "reminders 3@14:00,1@09:00", user_id="U0CHAIR")
    text = shown(last_reply(standin))
    assert "Reminders now go out 3 working days before at 14:00, 1 working day before at 09:00." in text
    assert "_Reminders: 3 working days before at 14:00; 1 working day before at 09:00." in text
    with runtime.sessions() as s:
        assert s.scalar(select(MeetingSeries.reminder_stages)) == "3@14:00,1@09:00"


def test_bad_reminder_stages_are_refused_and_nothing_changes(slack, standin, runtime):
    slack.command("/ict-meeting", "reminders 5@25:00", user_id=ADMIN)
    assert "is not a" in shown(last_reply(standin))
    slack.command("/ict-meeting", "reminders 5@09:30,1@09:30", user_id=STRANGER)
    assert "Only" in shown(last_reply(standin))
    with runtime.sessions() as s:  # both were refused in one transaction: not even the default series was kept
        assert s.scalar(select(MeetingSeries.reminder_stages)) is None


def test_chair_sets_when_the_digest_is_posted(slack, standin, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, "U0CHAIR", Role.CHAIR, by=ADMIN, now=runtime.now())
    slack.command("/ict-meeting", "digest 2@16:30", user_id="U0CHAIR")
    text = shown(last_reply(standin))
    assert "The digest is now posted in the governance channel 2 working days before each meeting at 16:30." in text
    assert "Digest in the channel: 2 working days before at 16:30._" in text
    slack.command("/ict-meeting", "digest 1@09:00,2@10:00", user_id="U0CHAIR")
    assert "Give one time for the digest" in shown(last_reply(standin))
    with runtime.sessions() as s:
        assert s.scalar(select(MeetingSeries.digest_stage)) == "2@16:30"
