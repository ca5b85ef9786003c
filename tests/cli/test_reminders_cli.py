"""`ictbot tick`, `ictbot reminders preview|failures`, and the settings that steer the reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import meetings
from bot.settings import ConfigError, load_settings
from models import Meeting, MeetingSeries
from models.scheduling import Lease, Reminder, ReminderStatus
from tests.cli.conftest import rows
from tests.conftest import ADMIN, DELEGATE, OWNER

LONDON = ZoneInfo("Europe/London")
REMINDER_SETTINGS = ("ICTBOT_SCHEDULER", "ICTBOT_SCHEDULER_INTERVAL", "ICTBOT_REMINDER_RATE")
# The reminder settings unset, as tests/cli/conftest.py does for the others; the rate high so no test waits.
FAST = {"ICTBOT_SCHEDULER": None, "ICTBOT_SCHEDULER_INTERVAL": None, "ICTBOT_REMINDER_RATE": "100"}
FIRST_STAGE = "2026-12-01T09:30"  # five working days before the meeting of Tue 8 Dec 2026, 10:00
OWNERS = {OWNER: "MOB-01, NET-01", DELEGATE: "EFORM-01, NET-01, TRN-01", ADMIN: "PCI-01"}


def at(text: str) -> datetime:
    """A local Europe/London wall time as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The Work Plan and the default series, materialised on 1 Nov 2026: the 10 Nov meeting starts December's period."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


@pytest.fixture
def slack_cli(ictbot, standin):
    """`ictbot` with SLACK_BOT_TOKEN set, the Web API at the stand-in, and the reminder settings at test values."""
    cli = ictbot.with_slack(standin)
    cli.env.update(FAST)
    return cli


def line_with(out: str, text: str) -> str:
    found = [line for line in out.splitlines() if text in line]
    assert len(found) == 1, f"{text!r} is on {len(found)} lines of:\n{out}"
    return found[0]


def posts(standin) -> int:
    return len(standin.calls_to("chat.postMessage"))


# -- ictbot reminders preview -------------------------------------------------------------------------


def test_preview_lists_each_stale_owners_reminder_and_sends_and_records_nothing(slack_cli, calendar, standin, engine):
    standin.clear()

    result = slack_cli("reminders", "preview", "--at", FIRST_STAGE)

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Due in workspace T0COUNCIL at Tue 2026-12-01 09:30 GMT" in out
    for user, refs in OWNERS.items():
        line = line_with(out, user)
        assert "Tue 2026-12-08 10:00 GMT" in line and "5 working days before, 09:30" in line
        assert line.rstrip().endswith(refs)
    assert "3 reminders would be sent; nothing was sent or recorded." in out
    assert standin.calls == []
    assert rows(engine, Reminder) == 0


def test_preview_brings_the_calendar_up_to_date_only_for_itself(slack_cli, workplan, engine):
    """No meeting was ever materialised: the preview does it, as a tick would, then rolls it back."""
    result = slack_cli("reminders", "preview", "--at", FIRST_STAGE)

    assert result.exit_code == 0, result.stderr
    assert "3 reminders would be sent" in result.stdout
    assert (rows(engine, Meeting), rows(engine, MeetingSeries), rows(engine, Reminder)) == (0, 0, 0)


def test_preview_the_working_day_before_shows_the_last_stage_and_the_chairs_notice(slack_cli, calendar):
    result = slack_cli("reminders", "preview", "--at", "2026-12-07T10:30+01:00", "--team", "T0COUNCIL")

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "at Mon 2026-12-07 09:30 GMT" in out
    assert "1 working day before, 09:30" in line_with(out, OWNER)
    assert "chair's notice" not in out  # nobody is chair and ICTBOT_ADMINS is unset
    with_admin = slack_cli("reminders", "preview", "--at", "2026-12-07T09:30", ICTBOT_ADMINS="U0CHAIR")
    chair = line_with(with_admin.stdout, "U0CHAIR")
    assert "chair's notice" in chair
    assert chair.rstrip().endswith("EFORM-01, MOB-01, NET-01, PCI-01, TRN-01")


def test_preview_reads_a_time_without_offset_in_ictbot_timezone(slack_cli, calendar):
    early = slack_cli("reminders", "preview", "--at", "2026-12-01T10:29", ICTBOT_TIMEZONE="Europe/Paris")
    due = slack_cli("reminders", "preview", "--at", "2026-12-01T10:30", ICTBOT_TIMEZONE="Europe/Paris")

    assert early.exit_code == 0, early.stderr
    assert "Nothing is due in workspace T0COUNCIL at Tue 2026-12-01 10:29 CET." in early.stdout
    assert "0 reminders would be sent" in early.stdout
    assert "Tue 2026-12-08 11:00 CET" in line_with(due.stdout, OWNER)


def test_preview_defaults_to_now_from_the_clock(slack_cli, calendar, clock):
    clock.now = at("2026-12-01 09:29")
    assert "0 reminders would be sent" in slack_cli("reminders", "preview").stdout
    clock.now = at("2026-12-01 09:30")
    assert "3 reminders would be sent" in slack_cli("reminders", "preview").stdout


def test_preview_on_an_empty_database_says_what_to_do(ictbot):
    result = ictbot("reminders", "preview", "--at", FIRST_STAGE)

    assert result.exit_code == 1
    assert "This database holds no workspace yet" in result.stderr


@pytest.mark.parametrize("command", [("reminders", "preview"), ("tick",), ("reminders", "failures", "--since")])
@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T09:30", "1/12/2026 09:30"])
def test_a_time_that_is_not_iso_8601_exits_2_naming_the_option(slack_cli, standin, engine, command, value):
    option = "--since" if "--since" in command else "--at"
    args = command if option == "--since" else (*command, "--at")

    result = slack_cli(*args, value)

    assert result.exit_code == 2
    assert f"Invalid value for '{option}': '{value}' is not an ISO 8601 time such as 2026-12-01T09:30" in result.stderr
    assert standin.calls == [] and rows(engine, Reminder) == 0


# -- ictbot tick --------------------------------------------------------------------------------------


def test_tick_sends_the_due_reminders_and_a_second_tick_sends_none(slack_cli, calendar, standin, engine):
    standin.clear()

    first = slack_cli("tick", "--at", FIRST_STAGE)

    assert first.exit_code == 0, first.stderr
    assert first.stdout == (
        "Reconciled at Tue 2026-12-01 09:30 GMT: 3 sent, 0 failed, 0 to retry, 0 dropped; "
        "digests: 0 posted, 0 failed, 0 to retry.\n"
    )
    assert posts(standin) == 3
    assert {c.params["channel"] for c in standin.calls_to("chat.postMessage")} == {"D0OWNER", "D0DELEG", "D0ADMIN"}
    with Session(engine) as session:
        assert {r.status for r in session.scalars(select(Reminder))} == {ReminderStatus.SENT}

    again = slack_cli("tick", "--at", "2026-12-01T09:31")

    assert again.exit_code == 0, again.stderr
    assert "0 sent, 0 failed, 0 to retry, 0 dropped; digests: 0 posted" in again.stdout
    assert posts(standin) == 3 and rows(engine, Reminder) == 3
    assert "Nothing is due" in slack_cli("reminders", "preview", "--at", "2026-12-01T09:31").stdout


def test_tick_defaults_to_now_from_the_clock(slack_cli, calendar, standin, clock):
    standin.clear()
    clock.now = at("2026-12-01 09:30")

    result = slack_cli("tick")

    assert result.exit_code == 0, result.stderr
    assert "3 sent" in result.stdout and posts(standin) == 3


def test_tick_leaves_the_lease_free_for_the_next_one(slack_cli, calendar, engine):
    """A one-off pass gives the lease back, or cron's next tick (another process) would find it taken."""
    assert slack_cli("tick", "--at", FIRST_STAGE).exit_code == 0
    assert rows(engine, Lease) == 0


def test_tick_beside_another_process_holding_the_lease(slack_cli, calendar, standin, engine, clock):
    """On SQLite it does nothing; on PostgreSQL it takes the workspaces the holder's pass has not reached (here
    every one: the holder is not claiming), and the lease stays the holder's."""
    standin.clear()
    with Session(engine) as session, session.begin():  # a server's pass under way (by the real clock)
        session.add(Lease(name="reconcile", holder="server-1:42:7", expires_at=clock.now + timedelta(seconds=30)))

    result = slack_cli("tick", "--at", FIRST_STAGE)

    assert result.exit_code == 0, result.stderr
    if engine.dialect.name == "sqlite":
        assert result.stdout == "Another process holds the reconcile lease; nothing done.\n"
        assert posts(standin) == 0 and rows(engine, Reminder) == 0
    else:
        assert result.stdout.splitlines()[:2] == [
            "Another process holds the reconcile lease; this pass took the workspaces it had not reached.",
            "Reconciled at Tue 2026-12-01 09:30 GMT: 3 sent, 0 failed, 0 to retry, 0 dropped; digests: 0 posted, "
            "0 failed, 0 to retry.",
        ]
        assert posts(standin) == 3 and rows(engine, Reminder) == 3
    with Session(engine) as session:
        assert session.scalars(select(Lease.holder)).one() == "server-1:42:7"


def test_tick_needs_the_bot_token(ictbot, calendar, standin, engine):
    result = ictbot("tick", "--at", FIRST_STAGE, SLACK_API_URL=standin.api_url)

    assert result.exit_code == 2
    assert result.stderr == (
        "ictbot: SLACK_BOT_TOKEN is not set; it is required for ictbot tick, which sends the reminders through Slack.\n"
    )
    assert rows(engine, Reminder) == 0


# -- ictbot reminders failures ------------------------------------------------------------------------


def test_failures_lists_a_reminder_slack_refused(slack_cli, calendar, standin):
    assert "No reminder has failed since" in slack_cli("reminders", "failures").stdout
    standin.fail("conversations.open", error="user_not_found")

    tick = slack_cli("tick", "--at", FIRST_STAGE)

    assert tick.exit_code == 0, tick.stderr
    refused = next(c.params["users"] for c in standin.calls_to("conversations.open") if "_fault" in c.params)
    assert "2 sent, 1 failed, 0 to retry" in tick.stdout
    assert f"  {refused} (5 working days before, 09:30): user_not_found, failed" in tick.stdout

    result = slack_cli("reminders", "failures")

    assert result.exit_code == 0, result.stderr
    line = line_with(result.stdout, refused)
    for cell in ("T0COUNCIL", "Tue 2026-12-08 10:00 GMT", "5 working days before, 09:30", OWNERS[refused]):
        assert cell in line
    assert line.rstrip().endswith("user_not_found")
    assert "1 reminder not delivered." in result.stdout
    later = slack_cli("reminders", "failures", "--since", "2026-12-02", "--team", "T0COUNCIL")
    assert "No reminder has failed since Wed 2026-12-02 00:00 GMT." in later.stdout


def test_failures_lists_what_was_sent_again_without_a_look_at_the_conversation(slack_cli, calendar, standin, clock):
    clock.now = at(FIRST_STAGE)
    standin.fail("chat.postMessage", error="service_unavailable")  # one DM: did it arrive? The retry must ask
    assert "2 sent, 0 failed, 1 to retry" in slack_cli("tick").stdout
    standin.fail("conversations.history", error="missing_scope")  # an install without im:history
    clock.now += timedelta(minutes=11)  # past the claim timeout

    retried = slack_cli("tick")

    assert retried.exit_code == 0, retried.stderr
    who = next(c.params["channel"] for c in standin.calls_to("chat.postMessage") if "_fault" in c.params)
    user = "U" + who.removeprefix("D")
    assert "1 sent" in retried.stdout
    assert (
        f"  {user} (5 working days before, 09:30): retried after an unknown outcome: "
        "resent: history unreadable (missing_scope)"
    ) in retried.stdout
    result = slack_cli("reminders", "failures")
    assert result.exit_code == 0, result.stderr
    assert "No reminder has failed since" in result.stdout
    assert "Sent again after an unknown outcome, without a look at the conversation (maybe twice)" in result.stdout
    line = line_with(result.stdout, "history unreadable (missing_scope)")
    for cell in ("T0COUNCIL", "Tue 2026-12-08 10:00 GMT", "5 working days before, 09:30", user):
        assert cell in line


def test_failures_for_an_unknown_team_exits_1(slack_cli, calendar):
    result = slack_cli("reminders", "failures", "--team", "T0NOWHERE")

    assert result.exit_code == 1
    assert "There is no workspace T0NOWHERE in this database (it holds T0COUNCIL)." in result.stderr


# -- the settings -------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("DATABASE_URL", "ICTBOT_TIMEZONE", "ICTBOT_ADMINS", "ICTBOT_LOG_LEVEL", *REMINDER_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_reminder_settings_default_to_the_scheduler_on_every_minute_at_one_call_a_second(clean_env):
    s = load_settings()
    assert (s.ICTBOT_SCHEDULER, s.ICTBOT_SCHEDULER_INTERVAL, s.ICTBOT_REMINDER_RATE) == (True, 60, 1.0)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ICTBOT_SCHEDULER", "false", False),
        ("ICTBOT_SCHEDULER", "Off", False),
        ("ICTBOT_SCHEDULER", "0", False),
        ("ICTBOT_SCHEDULER", "TRUE", True),
        ("ICTBOT_SCHEDULER", "yes", True),
        ("ICTBOT_SCHEDULER_INTERVAL", "10", 10),
        ("ICTBOT_SCHEDULER_INTERVAL", " 3600 ", 3600),
        ("ICTBOT_REMINDER_RATE", "0.5", 0.5),
        ("ICTBOT_REMINDER_RATE", "100", 100.0),
    ],
)
def test_reminder_settings_are_read(clean_env, name, value, expected):
    clean_env.setenv(name, value)
    assert getattr(load_settings(), name) == expected


BAD_INTERVAL = "ICTBOT_SCHEDULER_INTERVAL must be a whole number of seconds from 10 to 3600."
BAD_RATE = "ICTBOT_REMINDER_RATE must be a number of calls a second above 0 and at most 100."


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ICTBOT_SCHEDULER", "sometimes", "ICTBOT_SCHEDULER must be true or false."),
        ("ICTBOT_SCHEDULER", "", "ICTBOT_SCHEDULER must be true or false."),
        *(("ICTBOT_SCHEDULER_INTERVAL", v, BAD_INTERVAL) for v in ("9", "3601", "0", "-60", "60.5", "1m")),
        *(("ICTBOT_REMINDER_RATE", v, BAD_RATE) for v in ("0", "-1", "100.5", "nan", "inf", "fast")),
    ],
)
def test_a_malformed_reminder_setting_gives_one_line_naming_it(clean_env, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(err.value) == message


def test_a_malformed_reminder_setting_stops_the_cli_with_status_2(slack_cli, calendar, standin, engine):
    standin.clear()

    result = slack_cli("tick", "--at", FIRST_STAGE, ICTBOT_REMINDER_RATE="0")

    assert result.exit_code == 2
    assert result.stderr == f"ictbot: {BAD_RATE}\n"
    assert posts(standin) == 0 and rows(engine, Reminder) == 0


def test_preview_in_an_80_column_terminal_wraps_project_refs_instead_of_cutting_them(slack_cli, calendar):
    result = slack_cli("reminders", "preview", "--at", "2026-12-07T09:30", ICTBOT_ADMINS="U0CHAIR", COLUMNS="80")

    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80, result.stdout
    shown = " ".join(result.stdout.split())
    for ref in ("EFORM-01", "MOB-01", "NET-01", "PCI-01", "TRN-01"):
        assert ref in shown, result.stdout
    assert "…" not in result.stdout, result.stdout
